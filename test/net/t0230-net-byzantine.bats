#!/usr/bin/env bats
# A byzantine validator (LST_BYZANTINE=1, fault build): it double-signs
# prevotes and sends different proposals to different peers. The chain goes
# on, never forks, and its double signs end up on chain as evidence.

load net-helper

DAEMON_BIN=$FAULTS

@test "one byzantine validator of 4: progress, one chain, evidence against it and no one else" {
	make_net 4
	for k in 0 1 2; do start_node $k; done
	start_node 3 LST_BYZANTINE=1
	wait_all 5 60
	# Evidence against node3 is recorded on chain (by an honest reporter).
	ev="$BATS_TEST_TMPDIR/evidence"
	for _ in $(seq 300); do
		lst-chain --home "${HOMES[0]}" evidence --validator "${ADDR[3]}" > "$ev"
		[ -s "$ev" ] && break
		sleep 0.1
	done
	if [ ! -s "$ev" ]; then
		echo "no evidence against node3 (${ADDR[3]}) after 30 s at height $(height 0)" >&2
		return 1
	fi
	wait_progress 0 10 60
	# The whole record, from every honest node: the same, all against node3.
	wait_all "$(max_height)" 30
	lst-chain --home "${HOMES[0]}" evidence > "$ev.all"
	[ "$(jq -r .validator "$ev.all" | sort -u)" = "${ADDR[3]}" ]
	jq -e --arg v "${ADDR[3]}" 'select(.validator == $v and .height >= 1 and .block_number >= 1 and
		(.tx_hash | test("^0x[0-9a-f]{64}$")) and (.type | tostring | length > 0))' "$ev.all" > /dev/null
	# One record per double sign.
	[ -z "$(jq -r '"\(.validator) \(.height) \(.round) \(.type)"' "$ev.all" | sort | uniq -d)" ]
	# Reporters are validators; node3 does not report itself.
	for r in $(jq -r .reporter "$ev.all" | sort -u); do
		[[ " ${ADDR[*]} " == *" $r "* ]]
		[ "$r" != "${ADDR[3]}" ]
	done
	for k in 0 1 2; do
		[ -z "$(lst-chain --home "${HOMES[0]}" evidence --validator "${ADDR[k]}")" ]
	done
	# The evidence transaction is in the block it names.
	blk=$(head -n 1 "$ev.all" | jq -r .block_number)
	tx=$(head -n 1 "$ev.all" | jq -r .tx_hash)
	[ "$(lst-chain --home "${HOMES[1]}" receipt "$tx" | jq -r .block)" = "$blk" ]
	[ "$(lst-chain --home "${HOMES[1]}" receipt "$tx" | jq -r .status)" = 1 ]
	# No fork: the honest three and node3 itself agree on every height.
	assert_same_chain 0 1 2
	assert_same_chain
	# Every honest node holds the same evidence.
	for k in 1 2; do
		lst-chain --home "${HOMES[k]}" evidence --from-block 0 > "$ev.$k"
		head -n "$(wc -l < "$ev.all")" "$ev.$k" | cmp - "$ev.all"
	done
}
