#!/usr/bin/env bats
# Block sync: a fresh full node follows from genesis through more than
# 1,000 blocks; a node never applies blocks of another genesis.

load net-helper

@test "a fresh full node syncs 1,000+ blocks from genesis; hashes and app hash agree; not a validator" {
	make_net 4
	# A height every 5 ms: 1,000 blocks in about 20 s on two cores.
	for k in 0 1 2 3; do start_node $k LST_BLOCK_MS=5; done
	t0=$(date +%s)
	wait_height 0 1000 150
	echo "# 4 validators made 1,000 blocks in $(($(date +%s) - t0)) s" >&3
	assert_same_chain
	# Freeze: stop the four, then bring back two of them, which serve
	# blocks but cannot commit (2 of 4 is not 2/3+).
	for k in 0 1 2 3; do stop_node $k; done
	start_node 0
	start_node 1
	frozen=$(wait_stalled 0 1)
	top=${frozen%,*}
	[ "$frozen" = "$top,$top" ]
	[ "$top" -ge 1000 ]
	# The full node: its home from init --join, no validator key.
	full="$BATS_TEST_TMPDIR/full"
	run_split lst-chain --home "$full" init --join "${RPCS[0]}"
	assert_success
	cmp "$full/genesis.json" "${HOMES[0]}/genesis.json"
	[ "$(jq -r 'has("validator_key")' "$full/config.json")" = false ]
	start_home "$full" -- --rpc "127.0.0.1:$SPARE_PORT"
	frpc="http://127.0.0.1:$SPARE_PORT"
	[ "$(jq -r .rpc "$full.daemon.json")" = "$frpc" ]
	t0=$(date +%s)
	wait_height "$frpc" "$top" 120
	echo "# synced $top blocks in $(($(date +%s) - t0)) s" >&3
	# It applies nothing more (there is nothing more) and agrees on everything.
	[ "$(STALL_S=1 wait_stalled "$frpc")" = "$top" ]
	assert_same_chain 0 "$frpc" 1
	[ "$COMMON" = "$top" ]
	fs=$(lst-chain --rpc "$frpc" status)
	vs=$(lst-chain --home "${HOMES[0]}" status)
	[ "$(echo "$fs" | jq -r .height)" = "$top" ]
	[ "$(echo "$vs" | jq -r .height)" = "$top" ]
	[ "$(echo "$fs" | jq -r .latest_hash)" = "$(echo "$vs" | jq -r .latest_hash)" ]
	[ "$(echo "$fs" | jq -r .app_hash)" = "$(echo "$vs" | jq -r .app_hash)" ]
	[ "$(echo "$fs" | jq -r .app_hash)" = "$(lst-chain --home "${HOMES[1]}" status | jq -r .app_hash)" ]
	[ "$(echo "$fs" | jq -r .genesis_hash)" = "$(echo "$vs" | jq -r .genesis_hash)" ]
	[ "$(echo "$fs" | jq -r .validator)" = false ]
	[ "$(echo "$fs" | jq -r .validator_address)" = null ]
	[ "$(echo "$vs" | jq -r .validator)" = true ]
	# It verified commits: it serves them, the same as the validators'.
	for n in 1 500 "$top"; do
		[ "$(lst-chain --rpc "$frpc" commit "$n" | jq -r .block_hash)" = "$(lst-chain --home "${HOMES[0]}" block "$n" | jq -r .hash)" ]
	done
	# The full node's own transactions view: the developer's allocation is there.
	[ "$(lst-chain --rpc "$frpc" balance "$DEV" | jq -r .balance)" = "$(lst-chain --home "${HOMES[0]}" balance "$DEV" | jq -r .balance)" ]
}

@test "a full node whose peer serves another genesis applies none of its blocks" {
	make_net 1 "$BATS_TEST_TMPDIR/a"
	a_genesis="${HOMES[0]}/genesis.json"
	# Network b: same chain id, another genesis (other keys), running.
	make_net 1 "$BATS_TEST_TMPDIR/b"
	start_node 0
	wait_height 0 5 30
	[ "$(jq -r .chain_id "$a_genesis")" = "$(jq -r .chain_id "${HOMES[0]}/genesis.json")" ]
	run cmp -s "$a_genesis" "${HOMES[0]}/genesis.json"
	assert_failure
	# The full node: a's genesis, b's node as its peer.
	full="$BATS_TEST_TMPDIR/full"
	mkdir -m 700 "$full"
	cp "$a_genesis" "$full/genesis.json"
	echo "{\"peers\":\"${RPCS[0]}\"}" > "$full/config.json"
	port=$(free_ports 1)
	start_home "$full" -- --rpc "127.0.0.1:$port"
	frpc="http://127.0.0.1:$port"
	# Its first sync pass finds the peer on another chain: said once, in the log.
	for _ in $(seq 100); do
		grep -q -- "${RPCS[0]}" "$full/daemon.log" && break
		sleep 0.1
	done
	grep -- "${RPCS[0]}" "$full/daemon.log" | grep -q 'another chain'
	wait_progress 0 3
	[ "$(grep -c -- "${RPCS[0]}" "$full/daemon.log")" = 1 ]
	# It does not count the foreign peer's height as a peer's.
	[ "$(lst-chain --rpc "$frpc" peers | jq -r '.peers[0].height')" = null ]
	# Still genesis: height 0, a's genesis hash, no block 1.
	[ "$(height "$frpc")" = 0 ]
	s=$(lst-chain --rpc "$frpc" status)
	[ "$(echo "$s" | jq -r .height)" = 0 ]
	[ "$(echo "$s" | jq -r .genesis_hash)" = "$(jq -r .genesis_hash "$BATS_TEST_TMPDIR/a.json")" ]
	run lst-chain --rpc "$frpc" block 1
	assert_failure
	# b goes on, unaffected.
	wait_progress 0 3
}
