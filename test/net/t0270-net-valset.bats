#!/usr/bin/env bats
# Validator set changes: the foundation (admin until governance exists)
# asks the validators contract for a new power; the chain applies it at
# H + 2, as Tendermint does, and the new powers decide what a quorum is.

load net-helper

VALIDATORS=0x4c53540000000000000000000000000000000002

# set_power FROM-KEY ADDRESS POWER NONCE: setValidator(address,uint256) as a
# signed transaction through node 1; prints the receipt's JSON.
set_power() {
	local a=${2#0x} data raw
	a=$(printf '%s' "$a" | tr 'A-F' 'a-f')
	data=0xabb9406b$(printf '%064s' "$a" | tr ' ' 0)$(printf '%064x' "$3")
	raw=$(printf '{"chain_id":161,"nonce":%d,"to":"%s","value":"0","gas":100000,"gas_price":"1","data":"%s"}' \
		"$4" "$VALIDATORS" "$data" | lst-sign --home "$CLIENT" sign --from "$1") || return 1
	echo "$raw" | lst-chain --rpc "${RPCS[1]}" send --wait
}

@test "validator set: the foundation's update applies at H+2; a non-foundation one reverts and changes nothing" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 3 30
	# Anyone else is refused by the contract: the set stays as genesis made it.
	run_split set_power "$DEV" "${ADDR[0]}" 4 0
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 0 ]
	run_split lst-chain --rpc "${RPCS[0]}" validators
	[ "$(echo "$output" | jq -s 'map(.power) | add')" = 4 ]
	# The foundation raises node 0 to power 4: 7 in all.
	run_split set_power "$FND" "${ADDR[0]}" 4 0
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 1 ]
	at=$(echo "$output" | jq -r .block)
	wait_all $((at + 3)) 30
	for k in 0 1 2 3; do
		run_split lst-chain --rpc "${RPCS[k]}" validators --height $((at + 1))
		[ "$(echo "$output" | jq -s 'map(.power) | add')" = 4 ]
		run_split lst-chain --rpc "${RPCS[k]}" validators --height $((at + 2))
		[ "$(echo "$output" | jq -s 'map(.power) | add')" = 7 ]
		[ "$(echo "$output" | jq -r "select(.address == \"${ADDR[0]}\") | .power")" = 4 ]
	done
	# The header of H+2 commits to the new set (its validators hash changed).
	req='{"jsonrpc":"2.0","id":1,"method":"lst_validators","params":["0x%x"]}'
	v1=$(rpc 0 "$(printf "$req" $((at + 1)))" | jq -r .result.hash)
	v2=$(rpc 0 "$(printf "$req" $((at + 2)))" | jq -r .result.hash)
	[ -n "$v1" ] && [ "$v1" != null ]
	[ "$v1" != "$v2" ]
	# Nodes 0 and 1 now hold 5 of 7 (> 2/3): two validators down, progress goes on.
	kill_node 2
	kill_node 3
	wait_progress 0 5 30
	wait_progress 1 5 30
	assert_same_chain 0 1
	# Block commits after the change carry power > 2/3 of 7 from two signers.
	h=$(height 0)
	run_split lst-chain --rpc "${RPCS[0]}" commit $((h - 1))
	assert_success
	[ "$(echo "$output" | jq '.precommits | length')" -ge 2 ]
	# The two come back and follow the same chain.
	start_node 2
	start_node 3
	wait_all $((h + 3)) 30
	assert_same_chain
}
