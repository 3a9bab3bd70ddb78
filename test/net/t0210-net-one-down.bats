#!/usr/bin/env bats
# One validator of four down (kill -9): the other three go on; back up, it
# catches up and agrees on every block.

load net-helper

@test "kill -9 one of 4: the others keep committing; restarted, it catches up and agrees" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 5 30
	kill_node 2
	# Three of four are 2/3+: at least 5 more heights on each of them.
	h=$(max_height 0 1 3)
	wait_all $((h + 5)) 30 0 1 3
	[ "$(height 2)" = -1 ]
	assert_same_chain 0 1 3
	# Back up: it catches up with the others (their height when it restarted).
	start_node 2
	target=$(max_height 0 1 3)
	wait_height 2 "$target" 30
	# And it takes part again: the network goes on with it.
	wait_all $((target + 3)) 30
	assert_same_chain
	[ "$COMMON" -ge "$target" ]
}

@test "stop (SIGTERM) and restart one validator: it resumes from its height" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 5 30
	stop_node 1
	before=$(tail -n 1 "${HOMES[1]}/daemon.log")
	[[ $before == *"stopped at height"* ]]
	stopped=${before##* }
	wait_progress 0 5
	start_node 1
	# It starts from its own height, not from 0.
	grep -q "at height $stopped," "${HOMES[1]}/daemon.log"
	wait_height 1 "$(max_height 0 2 3)" 30
	wait_progress 1 3
	assert_same_chain
}
