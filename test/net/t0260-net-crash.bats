#!/usr/bin/env bats
# kill -9 a validator at random moments, again and again: it never signs
# twice (no evidence), never loses a committed block, and the network
# stays one chain.

load net-helper

# latest NODE: "HEIGHT HASH" of its latest block.
latest() {
	local n hash
	read -r n hash < <(rpc "$1" '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}' |
		jq -r '.result | "\(.number) \(.hash)"')
	echo "$((n)) $hash"
}

@test "kill -9 node3 at random moments 20 times: no double sign, nothing committed lost, one chain" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 3 30
	seen="$BATS_TEST_TMPDIR/seen"
	: > "$seen"
	for i in $(seq 20); do
		ms=$((50 + RANDOM % 1451))
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		# What node3 has committed just before the kill.
		read -r h hash <<< "$(latest 3)"
		[[ $hash == 0x* ]]
		echo "$h $hash" >> "$seen"
		kill_node 3
		start_node 3
		# It restarts from its store: at least the height it had.
		restarted=$(grep 'at height' "${HOMES[3]}/daemon.log" | tail -n 1 | sed 's/.*at height \([0-9]*\),.*/\1/')
		if [ "$restarted" -lt "$h" ]; then
			echo "kill $i: node3 had block $h, restarted at height $restarted" >&2
			return 1
		fi
	done
	# Node3 catches up and takes part; the others went on all along.
	top=$(max_height 0 1 2)
	wait_height 3 "$top" 30
	wait_all $((top + 3)) 30
	assert_same_chain
	# Every block node3 had before a kill is still the block at that height,
	# on node3 and on the others.
	last=$(sort -n "$seen" | tail -n 1 | cut -d' ' -f1)
	for k in 0 1 2 3; do
		hashes $k 1 "$last" > "$BATS_TEST_TMPDIR/now.$k"
		lost=$(grep -v -x -F -f "$BATS_TEST_TMPDIR/now.$k" "$seen" || true)
		if [ -n "$lost" ]; then
			echo "blocks node3 had before a kill (height hash) that node $k no longer has:" >&2
			echo "$lost" >&2
			return 1
		fi
	done
	# No validator signed twice: no evidence on chain, on any node.
	for k in 0 1 2 3; do
		run_split lst-chain --home "${HOMES[k]}" evidence
		assert_success
		[ -z "$output" ]
	done
	run grep -h double-signed "${HOMES[@]/%//daemon.log}"
	assert_failure 1
	# The guard is on disk, private.
	[ -f "${HOMES[3]}/chain/privval.json" ]
	[ "$(stat -c %a "${HOMES[3]}/chain/privval.json")" = 600 ]
	[ "$(jq -r .height "${HOMES[3]}/chain/privval.json")" -ge "$top" ]
}
