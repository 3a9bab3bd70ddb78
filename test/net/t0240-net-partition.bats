#!/usr/bin/env bats
# Partitions through HOME/p2p-drop (fault build): a side without 2/3+
# stops, nothing forks, and healing brings back progress and one chain.

load net-helper

DAEMON_BIN=$FAULTS

# drop K URL...: node K drops those peers (both directions) until heal K.
drop() {
	local k=$1
	shift
	printf '%s\n' "$@" > "${HOMES[k]}/p2p-drop.tmp"
	mv "${HOMES[k]}/p2p-drop.tmp" "${HOMES[k]}/p2p-drop"
}
heal() {
	rm -f "${HOMES[$1]}/p2p-drop"
}

@test "2|2 partition: every height stops, no fork; healed: progress and one chain" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 5 30
	drop 0 "${RPCS[2]}" "${RPCS[3]}"
	drop 1 "${RPCS[2]}" "${RPCS[3]}"
	drop 2 "${RPCS[0]}" "${RPCS[1]}"
	drop 3 "${RPCS[0]}" "${RPCS[1]}"
	frozen=$(wait_stalled 0 1 2 3)
	for h in ${frozen//,/ }; do
		[ "$h" -ge 5 ]
	done
	# Within a side the two agree on the height; across, at most one apart.
	IFS=, read -r a b c d <<< "$frozen"
	[ "$a" = "$b" ]
	[ "$c" = "$d" ]
	[ $((a - c)) -le 1 ]
	[ $((c - a)) -le 1 ]
	assert_same_chain
	# A node still answers and reports its peers' last heights.
	run_split lst-chain --home "${HOMES[0]}" peers
	assert_success
	[ "$(echo "$output" | jq -r '.peers | length')" = 3 ]
	# Heal: all four go on together.
	for k in 0 1 2 3; do heal $k; done
	top=$(max_height)
	wait_all $((top + 5)) 60
	assert_same_chain
	[ "$COMMON" -ge $((top + 5)) ]
}

@test "3|1 partition: the three go on, the one stops; healed, it catches up" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 3 30
	drop 3 "${RPCS[0]}" "${RPCS[1]}" "${RPCS[2]}"
	lone=$(wait_stalled 3)
	h=$(max_height 0 1 2)
	wait_all $((h + 5)) 30 0 1 2
	[ "$(height 3)" = "$lone" ]
	assert_same_chain
	heal 3
	wait_height 3 $((h + 5)) 30
	wait_all $((h + 8)) 30
	assert_same_chain
}
