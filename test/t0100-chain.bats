#!/usr/bin/env bats
# lst-chain: genesis, the daemon, transfers and every plumbing verb.

load helper

SUPPLY=1000000000000000000000000000

@test "init --dev makes validator, foundation and developer keys and a genesis" {
	run lst-chain init --dev
	assert_success
	[ "$(echo "$output" | jq -r .chain_id)" = 161 ]
	[ "$(echo "$output" | jq -r .supply)" = "$SUPPLY" ]
	[ "$(jq -r '.validators | length' "$LST_HOME/genesis.json")" = 1 ]
	[ "$(jq -r '.alloc | length' "$LST_HOME/genesis.json")" = 2 ]
	[ "$(lst config key)" = "$(echo "$output" | jq -r .developer)" ]
	[ "$(lst config validator_key)" = "$(echo "$output" | jq -r .validator)" ]
	run lst-sign list
	[ "${#lines[@]}" = 3 ]
}

@test "a second init is refused and changes nothing" {
	lst-chain init --dev > /dev/null
	before=$(sha256sum "$LST_HOME/genesis.json")
	run lst-chain init --dev
	assert_failure 1
	assert_output --partial "already has a chain"
	[ "$(sha256sum "$LST_HOME/genesis.json")" = "$before" ]
}

@test "init with explicit parameters writes them; the hash is stable" {
	a=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
	run lst-chain init --chain-id 7 --foundation $a --validator $a=3 --alloc $a=100lst --alloc 0x2b5ad5c4795c026514f8317c7a215e218dccd6cf=1photon --start-time 1700000000
	assert_success
	h1=$(echo "$output" | jq -r .genesis_hash)
	[ "$(echo "$output" | jq -r .supply)" = 100000000000000000001 ]
	[ "$(jq -r '.validators[0].power' "$LST_HOME/genesis.json")" = 3 ]
	LST_HOME="$BATS_TEST_TMPDIR/h2" run lst-chain init --chain-id 7 --foundation $a --validator $a=3 --alloc $a=100lst --alloc 0x2b5ad5c4795c026514f8317c7a215e218dccd6cf=1photon --start-time 1700000000
	[ "$(echo "$output" | jq -r .genesis_hash)" = "$h1" ]
}

@test "init refuses bad parameters (exit 2 or 6) and writes nothing" {
	a=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
	run lst-chain init --chain-id 7 --foundation $a
	assert_failure 2
	run lst-chain init --chain-id 7 --foundation 0x12 --validator $a --alloc $a=1
	assert_failure 6
	run lst-chain init --chain-id 7 --foundation $a --validator $a --alloc $a=340282366920938463464lst
	assert_failure 6
	run lst-chain init --chain-id 7 --foundation $a --validator $a --alloc $a=1 --alloc $a=2
	assert_failure 6
	run lst-chain init --chain-id 0 --foundation $a --validator $a --alloc $a=1
	assert_failure 6
	run lst-chain init --chain-id 7 --foundation $a --validator $a=0 --alloc $a=1
	assert_failure 6
	run lst-chain init --chain-id 7 --foundation $a --validator $a --validator $a --alloc $a=1
	assert_failure 6
	[ ! -f "$LST_HOME/genesis.json" ]
}

@test "init --subscription-period: calendar months by default, seconds when given, with --dev too; bad values refused (exit 6)" {
	a=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
	explicit="--chain-id 7 --foundation $a --validator $a --alloc $a=1lst"
	lst-chain init --dev > /dev/null
	[ "$(jq -r .subscription_period "$LST_HOME/genesis.json")" = 0 ]
	LST_HOME="$BATS_TEST_TMPDIR/d20" run lst-chain init --dev --subscription-period 20
	assert_success
	[ "$(jq -r .subscription_period "$BATS_TEST_TMPDIR/d20/genesis.json")" = 20 ]
	LST_HOME="$BATS_TEST_TMPDIR/dm" run lst-chain init --dev --subscription-period month
	assert_success
	[ "$(jq -r .subscription_period "$BATS_TEST_TMPDIR/dm/genesis.json")" = 0 ]
	LST_HOME="$BATS_TEST_TMPDIR/e0" run lst-chain init $explicit
	assert_success
	[ "$(jq -r .subscription_period "$BATS_TEST_TMPDIR/e0/genesis.json")" = 0 ]
	LST_HOME="$BATS_TEST_TMPDIR/e1" run lst-chain init $explicit --subscription-period 86400
	assert_success
	[ "$(jq -r .subscription_period "$BATS_TEST_TMPDIR/e1/genesis.json")" = 86400 ]
	for bad in 0 -5 abc 1.5 months 20s "" 18446744073709551616; do
		LST_HOME="$BATS_TEST_TMPDIR/bad" run lst-chain init $explicit --subscription-period "$bad"
		assert_failure 6
		assert_output --partial "--subscription-period takes 'month' or a number of seconds"
		LST_HOME="$BATS_TEST_TMPDIR/bad" run lst-chain init --dev --subscription-period "$bad"
		assert_failure 6
	done
	[ ! -e "$BATS_TEST_TMPDIR/bad/genesis.json" ]
	[ ! -d "$BATS_TEST_TMPDIR/bad/keys" ] || [ -z "$(ls "$BATS_TEST_TMPDIR/bad/keys")" ]
	LST_HOME="$BATS_TEST_TMPDIR/j" run lst-chain init --join 127.0.0.1:1 --subscription-period 20
	assert_failure 2
}

@test "daemon: start, status, a block every interval, stop" {
	start_chain
	run lst-chain status
	assert_success
	[ "$(echo "$output" | jq -r .chain_id)" = 161 ]
	[ "$(echo "$output" | jq -r .rpc)" = "$RPC" ]
	[ "$(echo "$output" | jq -r .validator_address)" = "$VAL" ]
	h1=$(echo "$output" | jq -r .height)
	sleep 1
	h2=$(lst-chain status | jq -r .height)
	[ "$h2" -gt "$h1" ]
	t1=$(lst-chain block 1 | jq -r .time)
	t2=$(lst-chain block 2 | jq -r .time)
	[ "$t2" -gt "$t1" ]
	run lst-chain stop
	assert_success
	[ "$(echo "$output" | jq -r .stopped)" = true ]
	run lst-chain status
	assert_failure 5
}

@test "lst-chain --rpc ADDR daemon listens there, like daemon --rpc ADDR" {
	lst-chain init --dev > /dev/null
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run lst-chain --rpc 127.0.0.1:$port daemon --detach
	assert_success
	[ "$(echo "$output" | jq -r .rpc)" = "http://127.0.0.1:$port" ]
}

@test "init --dev wants a home of its own: one with keys is refused" {
	plain_key mine > /dev/null
	run lst-chain init --dev
	assert_failure 1
	assert_output --partial "already has keys"
	[ ! -f "$LST_HOME/genesis.json" ]
	[ "$(ls "$LST_HOME/keys" | wc -l)" = 1 ]
}

@test "a second daemon on the same home is refused (exit 4), detached or not" {
	start_chain
	run lst-chain daemon --rpc 127.0.0.1:0
	assert_failure 4
	assert_output --partial "already running"
	run lst-chain daemon --detach --rpc 127.0.0.1:0
	assert_failure 4
	assert_output --partial "already running"
	run lst-chain status
	assert_success
}

@test "the daemon refuses to start without a genesis (exit 3)" {
	run lst-chain daemon --rpc 127.0.0.1:0
	assert_failure 3
	assert_output --partial "genesis"
}

@test "send and wait: a transfer moves exactly its value" {
	start_chain
	raw=$(transfer 0 1000)
	run sh -c "echo $raw | lst-chain send"
	assert_success
	hash=$(echo "$output" | jq -r .hash)
	run lst-chain wait --timeout 10 "$hash"
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 1 ]
	[ "$(echo "$output" | jq -r .from)" = "$DEV" ]
	run lst-chain balance "$FND"
	[ "$(echo "$output" | jq -r .balance)" = 1000000000000000000001000 ]
	run lst-chain balance "$DEV"
	[ "$(echo "$output" | jq -r .balance)" = 998999999999999999999999000 ]
	run lst-chain nonce "$DEV"
	[ "$(echo "$output" | jq -r .nonce)" = 1 ]
}

@test "tx, receipt, block and commit agree about a transaction" {
	start_chain
	out=$(transfer 0 5 | lst-chain send --wait)
	hash=$(echo "$out" | jq -r .hash)
	height=$(echo "$out" | jq -r .block)
	run lst-chain tx "$hash"
	assert_success
	[ "$(echo "$output" | jq -r .value)" = 5 ]
	[ "$(echo "$output" | jq -r .pending)" = false ]
	[ "$(echo "$output" | jq -r .block)" = "$height" ]
	run lst-chain receipt "$hash"
	[ "$(echo "$output" | jq -r .block_hash)" = "$(lst-chain block "$height" | jq -r .hash)" ]
	run lst-chain block "$height"
	[ "$(echo "$output" | jq -r '.transactions[0]')" = "$hash" ]
	bh=$(echo "$output" | jq -r .hash)
	run lst-chain block "$bh"
	[ "$(echo "$output" | jq -r .height)" = "$height" ]
	run lst-chain commit "$height"
	assert_success
	[ "$(echo "$output" | jq -r .block_hash)" = "$bh" ]
	[ "$(echo "$output" | jq -r '.precommits[0].validator')" = "$VAL" ]
	run lst-chain validators
	[ "$(echo "$output" | jq -r .address)" = "$VAL" ]
	[ "$(echo "$output" | jq -r .power)" = 1 ]
	run lst-chain validators --height "$height"
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$VAL" ]
	run lst-chain validators --height nope
	assert_failure 6
}

@test "unknown transactions and blocks exit 3; bad hashes exit 6" {
	start_chain
	h=0x1111111111111111111111111111111111111111111111111111111111111111
	run lst-chain tx $h
	assert_failure 3
	run lst-chain receipt $h
	assert_failure 3
	run lst-chain wait --timeout 0.5 $h
	assert_failure 3
	run lst-chain block 999999
	assert_failure 3
	run lst-chain tx 0x12
	assert_failure 6
	run lst-chain block nonsense
	assert_failure 6
	run lst-chain balance 0x12
	assert_failure 6
}

@test "refused transactions exit 4 with the Ethereum message and change nothing" {
	start_chain
	transfer 0 1 | lst-chain send --wait > /dev/null
	run sh -c "echo $(transfer 0 1) | lst-chain send"
	assert_failure 4
	assert_output --partial "nonce too low"
	run sh -c "echo $(transfer 1 1000000000000000000000000000) | lst-chain send"
	assert_failure 4
	assert_output --partial "insufficient funds"
	run sh -c "echo $(transfer 1 1 "$FND" 162) | lst-chain send"
	assert_failure 4
	assert_output --partial "invalid chain id"
	create=$(echo '{"chain_id":161,"nonce":1,"value":"0","data":"0x6000","gas":60000,"gas_price":"1"}' | lst-sign sign --from developer | jq -r .raw)
	run sh -c "echo $create | lst-chain send"
	assert_failure 4
	assert_output --partial "contract creation is not permitted: only Lightstreams contract templates run on this chain"
	big=$(transfer 1 340282366920938463463374607431768211456)
	run sh -c "echo $big | lst-chain send"
	assert_failure 4
	# a flipped signature byte: another sender (without funds) or no sender at all
	raw=$(transfer 1 1)
	bad="${raw:0:${#raw}-4}$(printf '%04x' $(( (0x${raw: -4} + 1) % 65536 )))"
	run sh -c "echo $bad | lst-chain send"
	assert_failure 4
	run lst-chain nonce "$DEV"
	[ "$(echo "$output" | jq -r .nonce)" = 1 ]
	[ "$(echo "$output" | jq -r .pending)" = 1 ]
}

@test "send refuses input that is not a raw transaction (exit 6)" {
	start_chain
	run sh -c "echo zz | lst-chain send"
	assert_failure 6
	run sh -c "echo '{\"hash\":1}' | lst-chain send"
	assert_failure 6
	run sh -c "echo 0x1234 | lst-chain send"
	assert_failure 6
	assert_output --partial "invalid transaction"
}

@test "send accepts lst-sign's JSON directly" {
	start_chain
	run sh -c "echo '{\"chain_id\":161,\"nonce\":0,\"to\":\"$FND\",\"value\":\"7\",\"gas\":21000,\"gas_price\":\"1\"}' | lst-sign sign --from developer | lst-chain send --wait"
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 1 ]
}

@test "JSON-RPC: error codes for malformed requests" {
	start_chain
	[ "$(rpc '{"jsonrpc":"2.0","id":1,' | jq -r .error.code)" = -32700 ]
	[ "$(rpc '[]' | jq -r .error.code)" = -32600 ]
	[ "$(rpc '{"jsonrpc":"2.0","id":1}' | jq -r .error.code)" = -32600 ]
	[ "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_nothing","params":[]}' | jq -r .error.code)" = -32601 ]
	[ "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_nothing","params":[]}' | jq -r .error.message)" = "the method eth_nothing does not exist/is not available" ]
	[ "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12","latest"]}' | jq -r .error.code)" = -32602 ]
	[ "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[]}' | jq -r .error.code)" = -32602 ]
	[ "$(rpc '{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}' | jq -r .result)" = 0xa1 ]
}

@test "JSON-RPC: batches answer each request in order" {
	start_chain
	out=$(rpc '[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"},{"jsonrpc":"2.0","id":3,"method":"net_version"}]')
	[ "$(echo "$out" | jq -r '.[0].result')" = 0xa1 ]
	[ "$(echo "$out" | jq -r '.[1].error.code')" = -32601 ]
	[ "$(echo "$out" | jq -r '.[2].result')" = 161 ]
}

@test "JSON-RPC: blocks carry a non-zero base fee; pending and latest nonces" {
	start_chain
	b=$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}')
	[ "$(echo "$b" | jq -r .result.baseFeePerGas)" != 0x0 ]
	[ "$(echo "$b" | jq -r '.result.transactions | type')" = array ]
	# a future nonce waits: latest stays, pending does not count the gap
	raw=$(transfer 1 1)
	echo "$raw" | lst-chain send > /dev/null
	run lst-chain nonce "$DEV"
	[ "$(echo "$output" | jq -r .nonce)" = 0 ]
	[ "$(echo "$output" | jq -r .pending)" = 0 ]
	transfer 0 1 | lst-chain send --wait > /dev/null
	sleep 0.5
	run lst-chain nonce "$DEV"
	[ "$(echo "$output" | jq -r .nonce)" = 2 ]
}

@test "call and logs: an account has no code, no logs yet" {
	start_chain
	run lst-chain call --to "$FND" --data 0x
	assert_success
	[ "$(echo "$output" | jq -r .result)" = 0x ]
	run lst-chain logs
	assert_success
	assert_output ""
	run lst-chain call --to "$FND" --data 0xzz
	assert_failure 6
}

@test "a restart resumes from disk: heights continue, balances stay" {
	start_chain
	transfer 0 1234 | lst-chain send --wait > /dev/null
	h1=$(lst-chain status | jq -r .height)
	lst-chain stop > /dev/null
	start_daemon
	run lst-chain balance "$FND"
	[ "$(echo "$output" | jq -r .balance)" = 1000000000000000000001234 ]
	sleep 0.5
	h2=$(lst-chain status | jq -r .height)
	[ "$h2" -gt "$h1" ]
}

@test "a validator whose privval.json is corrupt refuses to start and signs nothing" {
	start_chain
	sleep 0.5
	lst-chain stop > /dev/null
	pv="$LST_HOME/chain/privval.json"
	[ "$(stat -c %a "$pv")" = 600 ]
	[ "$(jq -r .height "$pv")" -ge 1 ]
	printf '{"height":' > "$pv"
	run_split lst-chain daemon --detach --rpc 127.0.0.1:0
	assert_failure 1
	[[ $stderr == *"privval.json' is corrupt"* ]]
	[[ $stderr == *"hint: restore it from a backup"* ]]
	[ ! -s "$LST_HOME/daemon.pid" ] || ! kill -0 "$(cat "$LST_HOME/daemon.pid")" 2>/dev/null
	# The file is left for the operator to restore: nothing rewrote it.
	[ "$(cat "$pv")" = '{"height":' ]
}

@test "the node down: queries exit 5 with a hint" {
	lst-chain init --dev > /dev/null
	run lst-chain --rpc http://127.0.0.1:9 status
	assert_failure 5
	assert_output --partial "cannot reach the node"
	assert_output --partial "hint:"
}

@test "porcelain: lst balance, lst send, lst node" {
	lst init --dev > /dev/null
	run lst node start --rpc 127.0.0.1:0
	assert_success
	run lst balance
	[ "$(echo "$output" | jq -r .balance)" = 999000000000000000000000000 ]
	run lst send foundation 12.5lst
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 1 ]
	run lst balance foundation
	[ "$(echo "$output" | jq -r .balance)" = 1000012500000000000000000 ]
	run lst send foundation 1000000000lst
	assert_failure 4
	assert_output --partial "insufficient funds"
	run lst send foundation 1.5photon
	assert_failure 6
	run lst send foundation 0
	assert_failure 6
	run lst send --timeout abc foundation 1
	assert_failure 2
	run lst help node
	assert_success
	assert_output --partial "usage: lst node"
	run lst node status
	assert_success
	run lst node stop
	assert_success
	run lst node status
	assert_failure 5
}
