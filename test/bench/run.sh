#!/bin/sh
# make bench: rates and ratios against the machine's own limits. Never a
# pass/fail test: it prints numbers.
#   1. lst-sign sign --batch over 100,000 transactions vs raw libsecp256k1
#      signing on this machine (goal: ratio >= 0.7);
#   2. lst-sign address cold start (goal: <= 5 ms).
set -eu
cd "$(dirname "$0")/../.."
bin=build/bin
N=${BENCH_TXS:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LST_HOME="$tmp/home"

$bin/lst-sign keygen --insecure-plaintext-key --name bench > /dev/null
raw=$(build/bench/secp-sign-rate 20000)
sign_rate=$(echo "$raw" | sed 's/.*"sign_per_s":\([0-9]*\).*/\1/')
rec_rate=$(echo "$raw" | sed 's/.*"recover_per_s":\([0-9]*\).*/\1/')

awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"chain_id\":161,\"nonce\":%d,\"to\":\"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf\",\"value\":\"%d\",\"gas\":21000,\"gas_price\":\"1\"}\n", i, i + 1 }' > "$tmp/txs"

t0=$(date +%s%N)
$bin/lst-sign sign --batch < "$tmp/txs" > "$tmp/signed"
t1=$(date +%s%N)
lines=$(wc -l < "$tmp/signed")
[ "$lines" -eq "$N" ] || { echo "bench: signed $lines of $N" >&2; exit 1; }
batch_rate=$(( N * 1000000000 / (t1 - t0) ))
ratio=$(awk -v a="$batch_rate" -v b="$sign_rate" 'BEGIN { printf "%.2f", a / b }')

runs=200
t0=$(date +%s%N)
i=0
while [ $i -lt $runs ]; do $bin/lst-sign address > /dev/null; i=$((i + 1)); done
t1=$(date +%s%N)
cold_us=$(( (t1 - t0) / runs / 1000 ))
t0=$(date +%s%N)
i=0
while [ $i -lt $runs ]; do /bin/true; i=$((i + 1)); done
t1=$(date +%s%N)
true_us=$(( (t1 - t0) / runs / 1000 ))

echo "libsecp256k1 raw signing:        $sign_rate sig/s (recovery $rec_rate/s)"
echo "lst-sign sign --batch ($N txs): $batch_rate tx/s"
echo "ratio batch/raw:                 $ratio (goal >= 0.7)"
echo "lst-sign address cold start:     ${cold_us} us mean over $runs runs, fork+exec included (goal <= 5000 us)"
echo "  /bin/true the same way:         ${true_us} us (the shell's own fork+exec cost)"
