#!/bin/sh
# make fuzz: build each test/fuzz/fuzz-*.c with clang's libFuzzer and
# ASan/UBSan against lib/, then run each for FUZZ_SECONDS (default 30).
# Corpora live in build/fuzz/corpus-NAME (seeded from the vectors for tx and
# RLP). A crash stops the run with libFuzzer's report and a non-zero exit.
set -eu
cd "$(dirname "$0")/../.."
: "${DEP_CFLAGS=}" "${DEP_LIBS=-lsecp256k1 -lsodium -lcrypto -ljansson}"
secs=${FUZZ_SECONDS:-30}
out=build/fuzz
mkdir -p "$out/obj"
command -v clang >/dev/null || { echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -std=c11 -D_GNU_SOURCE -Ilib -Icontracts $DEP_CFLAGS -DLST_VERSION=\"fuzz\" -DLST_LIBEXECDIR=\"/nonexistent\""
objs=
for c in lib/*.c contracts/*.c; do
	o=$out/obj/$(basename "$c" .c).o
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
		# shellcheck disable=SC2086
		clang $flags -c -o "$o" "$c"
	fi
	objs="$objs $o"
done
seed() { # seed DIR: raw tx bytes from the vectors
	v=${LST_VECTORS:-../shared/vectors}/ethereum-tests/TransactionTests
	i=0
	for f in "$v"/*/*.json; do
		jq -r '.[].txbytes' "$f" 2>/dev/null | sed 's/^0x//' | xxd -r -p > "$1/v$i" 2>/dev/null || true
		i=$((i + 1))
	done
}
for t in test/fuzz/fuzz-*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	clang $flags -fsanitize=fuzzer -o "$out/$name" "$t" $objs $DEP_LIBS -lm
	corpus=$out/corpus-$name
	if [ ! -d "$corpus" ]; then
		mkdir -p "$corpus"
		case $name in
		fuzz-tx-decode|fuzz-rlp) seed "$corpus" ;;
		fuzz-tx-json)
			echo '{"chain_id":161,"nonce":1,"to":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf","value":"1000","gas":21000,"gas_price":"0x1","data":"0x00"}' > "$corpus/legacy"
			echo '{"type":2,"chainId":"0xa1","nonce":"2","maxFeePerGas":"1","maxPriorityFeePerGas":1,"accessList":[{"address":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf","storageKeys":["0x0000000000000000000000000000000000000000000000000000000000000001"]}]}' > "$corpus/london" ;;
		fuzz-car)
			for f in "${LST_VECTORS:-../shared/vectors}"/ipld/*.car; do
				if [ -f "$f" ]; then cp "$f" "$corpus/"; fi
			done ;;
		fuzz-manifest)
			printf '%s' '{"files":[{"cid":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku","path":"a","segment_size":4096,"segments":[4137,945],"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":5000}],"version":1}' > "$corpus/one" ;;
		fuzz-terms)
			printf '%s' '{"chain_id":161,"market":"0x4c53540000000000000000000000000000000004","author":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf","title":"A Book","details":"{\\"title\\":\\"A Book\\"}","price":"2000000000000000000","root":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku","tree":"0x00000000000000000000000000000000000000000000000000000000000000aa","label":"v1"}' > "$corpus/terms" ;;
		fuzz-pages)
			printf '%s' '{"reader":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf","root":"bafybeic7mueiyosrnkyjv7dwyky2pcth4o4vyvabfmaxxsgbqxmwgq25xu","from":2,"to":4,"expires":1795579200,"signature":"0x'"$(printf '%0130d' 0)"'"}' > "$corpus/request" ;;
		fuzz-keystore)
			jq -c '.test1.json' "${LST_VECTORS:-../shared/vectors}/ethereum-tests/KeyStoreTests/basic_tests.json" |
				sed 's/"c":262144/"C":1/' > "$corpus/pbkdf2" ;;
		esac
	fi
	echo "fuzz: $name for ${secs}s"
	"$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" "$corpus" 2>&1 |
		grep -E 'stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY' || true
	[ -z "$(ls "$out"/crash-* 2>/dev/null)" ] || { echo "fuzz: crash in $name" >&2; exit 1; }
done
