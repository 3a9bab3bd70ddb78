#!/usr/bin/env bats
# Four validators: progress, transactions through every node, one chain,
# commits signed by 2/3+ of the validators.

load net-helper

@test "4 validators make progress and agree on every block" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 10 30
	wait_progress 0 10
	assert_same_chain
	[ "$COMMON" -ge 10 ]
	# Every node serves the others' status: peers lists 3 peers with heights.
	for k in 0 1 2 3; do
		run_split lst-chain --home "${HOMES[k]}" status
		assert_success
		[ "$(echo "$output" | jq -r .peers)" = 3 ]
		[ "$(echo "$output" | jq -r .validator)" = true ]
		[ "$(echo "$output" | jq -r .validator_address)" = "${ADDR[k]}" ]
		run_split lst-chain --home "${HOMES[k]}" peers
		assert_success
		[ "$(echo "$output" | jq -r .self)" = "${RPCS[k]}" ]
		[ "$(echo "$output" | jq -r '.peers | length')" = 3 ]
		[ "$(echo "$output" | jq -r '[.peers[].url] | sort | join(",")')" = "$(for i in 0 1 2 3; do [ $i = $k ] || echo "${RPCS[i]}"; done | paste -sd,)" ]
		# Each peer has been heard from and is past height 0.
		[ "$(echo "$output" | jq -r '[.peers[] | select(.height > 0 and .last_seen != null)] | length')" = 3 ]
	done
}

@test "a transaction sent to each node commits; another node sees the balance" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 2 30
	rcpt=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
	for k in 0 1 2 3; do
		run_split env LST_HOME="$CLIENT" lst send --rpc "${RPCS[k]}" --timeout 30 --json "$rcpt" $((k + 1))lst
		assert_success
		[ "$(echo "$output" | jq -r .status)" = 1 ]
		blk=$(echo "$output" | jq -r .block)
		[ "$blk" -ge 1 ]
		# Read on the next node: once it has the block, the balance is there.
		o=$(((k + 1) % 4))
		wait_height $o "$blk" 20
		want=$(((k + 1) * (k + 2) / 2))000000000000000000
		[ "$(lst-chain --rpc "${RPCS[o]}" balance "$rcpt" | jq -r .balance)" = "$want" ]
		# The block holds the transaction on every node.
		tx=$(echo "$output" | jq -r .hash)
		for i in 0 1 2 3; do
			wait_height $i "$blk" 20
			r=$(lst-chain --rpc "${RPCS[i]}" receipt "$tx")
			[ "$(echo "$r" | jq -r .block)" = "$blk" ]
			[ "$(echo "$r" | jq -r .block_hash)" = "$(lst-chain --rpc "${RPCS[0]}" block "$blk" | jq -r .hash)" ]
		done
	done
	[ "$(lst-chain --rpc "${RPCS[2]}" nonce "$DEV" | jq -r .nonce)" = 4 ]
	assert_same_chain
}

@test "commits carry precommits from at least 3 of the 4 validators, for the block's hash" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 12 30
	vals=$(printf '%s\n' "${ADDR[@]}" | sort | paste -sd,)
	[ "$(lst-chain --home "${HOMES[0]}" validators | jq -r .address | sort | paste -sd,)" = "$vals" ]
	for n in 1 2 5 10; do
		for k in 0 3; do
			c=$(lst-chain --home "${HOMES[k]}" commit $n)
			hash=$(lst-chain --home "${HOMES[k]}" block $n | jq -r .hash)
			[ "$(echo "$c" | jq -r .height)" = $n ]
			[ "$(echo "$c" | jq -r .block_hash)" = "$hash" ]
			signers=$(echo "$c" | jq -r '[.precommits[].validator] | unique | length')
			[ "$signers" -ge 3 ]
			# Every signer is one of the validators, each once.
			[ "$(echo "$c" | jq -r '.precommits | length')" = "$signers" ]
			for v in $(echo "$c" | jq -r '.precommits[].validator'); do
				[[ ",$vals," == *",$v,"* ]]
			done
		done
	done
	run lst-chain --home "${HOMES[0]}" commit 1000000
	assert_failure
}

@test "a validator given an unreachable extra peer still starts and commits" {
	make_net 4
	dead=$(free_ports 1)
	for k in 0 1 2; do start_node $k; done
	start_node 3 -- --peer "127.0.0.1:$dead"
	wait_all 5 30
	run_split lst-chain --home "${HOMES[3]}" peers
	assert_success
	[ "$(echo "$output" | jq -r '.peers | length')" = 4 ]
	[ "$(echo "$output" | jq -r --arg u "http://127.0.0.1:$dead" '.peers[] | select(.url == $u) | .last_seen')" = null ]
	assert_same_chain
}

@test "a node that is alone cannot commit: one validator of 4 stays at height 0" {
	make_net 4
	start_node 1
	wait_height 1 0 10
	heights=$(STALL_S=2 wait_stalled 1)
	[ "$heights" = 0 ]
	[ "$(lst-chain --home "${HOMES[1]}" status | jq -r .peers)" = 3 ]
}
