#!/usr/bin/env bats
# Two validators of four down: no 2/3+, so no block and no fork; one back
# and the network goes on.

load net-helper

@test "kill -9 two of 4: no progress and no fork; one back: progress resumes, one chain" {
	make_net 4
	for k in 0 1 2 3; do start_node $k; done
	wait_all 5 30
	kill_node 1
	kill_node 3
	# The two left may finish the height in hand, then nothing: the heights
	# stay the same for 3 s.
	frozen=$(wait_stalled 0 2)
	h0=${frozen%,*} h2=${frozen#*,}
	[ "$h0" -ge 5 ]
	[ "$h2" -ge 5 ]
	# A node that missed the last commit syncs it from the other: one height.
	[ "$h0" = "$h2" ]
	assert_same_chain 0 2
	[ "$(heights_of 0 2 | paste -sd,)" = "$frozen" ]
	# One back: 3 of 4 again.
	start_node 3
	top=$((h0 > h2 ? h0 : h2))
	wait_all $((top + 5)) 30 0 2 3
	assert_same_chain 0 2 3
	# The one still down, restarted, joins the same chain.
	start_node 1
	wait_all $((top + 8)) 30
	assert_same_chain
}
