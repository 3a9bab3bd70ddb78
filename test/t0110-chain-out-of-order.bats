#!/usr/bin/env bats
# 1,000 transfers from one key, sent in shuffled nonce order over several
# connections at once: every one commits, none is lost (the original
# network answered BAD_NONCE to exactly this).

load helper

@test "a gap waits: nonces 2, 0, 1 all commit" {
	start_chain
	for n in 2 0 1; do transfer $n 1 | lst-chain send > /dev/null; done
	transfer 2 1 > /dev/null
	for i in $(seq 50); do
		[ "$(lst-chain nonce "$DEV" | jq -r .nonce)" = 3 ] && break
		sleep 0.1
	done
	[ "$(lst-chain nonce "$DEV" | jq -r .nonce)" = 3 ]
	[ "$(lst-chain balance "$FND" | jq -r .balance)" = 1000000000000000000000003 ]
}

@test "1,000 shuffled transfers over 4 connections: all commit" {
	start_chain
	seq 0 999 | awk -v to="$FND" '{ printf "{\"chain_id\":161,\"nonce\":%d,\"to\":\"%s\",\"value\":\"%d\",\"gas\":21000,\"gas_price\":\"1\"}\n", $1, to, $1 + 1 }' |
		lst-sign sign --batch --from developer > "$BATS_TEST_TMPDIR/signed"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/signed")" = 1000 ]
	shuf "$BATS_TEST_TMPDIR/signed" > "$BATS_TEST_TMPDIR/shuffled"
	split -n l/4 "$BATS_TEST_TMPDIR/shuffled" "$BATS_TEST_TMPDIR/part."
	pids=
	for p in "$BATS_TEST_TMPDIR"/part.*; do
		jq -cs 'to_entries | map({jsonrpc: "2.0", id: .key, method: "eth_sendRawTransaction", params: [.value.raw]})' "$p" > "$p.req"
		# in chunks of 50 so the four connections interleave
		( jq -c '_nwise(50)' "$p.req" | while read -r batch; do rpc "$batch" >> "$p.resp"; echo >> "$p.resp"; done ) &
		pids="$pids $!"
	done
	for pid in $pids; do wait "$pid"; done
	# every send was accepted
	[ "$(cat "$BATS_TEST_TMPDIR"/part.*.resp | jq -s '[.[][] | select(.error)] | length')" = 0 ]
	for i in $(seq 100); do
		[ "$(lst-chain nonce "$DEV" | jq -r .nonce)" = 1000 ] && break
		sleep 0.2
	done
	[ "$(lst-chain nonce "$DEV" | jq -r .nonce)" = 1000 ]
	# sum of 1..1000 = 500500 photons arrived
	[ "$(lst-chain balance "$FND" | jq -r .balance)" = 1000000000000000000500500 ]
	# and every one has a receipt with status 1
	jq -cs 'to_entries | map({jsonrpc: "2.0", id: .key, method: "eth_getTransactionReceipt", params: [.value.hash]})' "$BATS_TEST_TMPDIR/signed" > "$BATS_TEST_TMPDIR/rq"
	[ "$(rpc @"$BATS_TEST_TMPDIR/rq" | jq '[.[] | select(.result.status == "0x1")] | length')" = 1000 ]
}
