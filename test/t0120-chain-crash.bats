#!/usr/bin/env bats
# kill -9 the daemon under load, 20 times, at random moments: every
# transaction that had a receipt is still there after the restart, heights
# continue, and the balances still add up to the genesis supply.

load helper

teardown() {
	[ -f "$BATS_TEST_TMPDIR/loader.pid" ] && kill "$(cat "$BATS_TEST_TMPDIR/loader.pid")" 2> /dev/null
	lst-chain stop > /dev/null 2>&1 || true
}

SUPPLY=1000000000000000000000000000

# Sends the pre-signed transfers from the committed nonce on, forever.
loader() {
	set +e
	while :; do
		url=$(lst config rpc 2> /dev/null)
		n=$(curl -s -m 2 -X POST -H 'Content-Type: application/json' \
			--data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionCount\",\"params\":[\"$DEV\",\"latest\"]}" "$url" |
			jq -r '.result // empty' 2> /dev/null)
		if [ -n "$n" ]; then
			start=$((n))
			sed -n "$((start + 1)),$((start + 40))p" "$BATS_TEST_TMPDIR/signed" |
				jq -cs 'to_entries | map({jsonrpc: "2.0", id: .key, method: "eth_sendRawTransaction", params: [.value.raw]})' |
				curl -s -m 2 -X POST -H 'Content-Type: application/json' --data @- "$url" > /dev/null 2>&1
		fi
		sleep 0.05
	done
}

sum_balances() {
	local total=0 b
	for a in "$DEV" "$FND" "$VAL" $RECIPIENTS; do
		b=$(lst-chain balance "$a" | jq -r .balance)
		total=$(echo "$total + $b" | bc)
	done
	echo "$total"
}

@test "kill -9 under load 20 times: nothing committed is lost" {
	start_chain
	RECIPIENTS="0x1111111111111111111111111111111111111111 0x2222222222222222222222222222222222222222 0x3333333333333333333333333333333333333333"
	set -- $RECIPIENTS
	seq 0 2999 | awk -v a="$1" -v b="$2" -v c="$3" '{ to = ($1 % 3 == 0) ? a : ($1 % 3 == 1) ? b : c;
		printf "{\"chain_id\":161,\"nonce\":%d,\"to\":\"%s\",\"value\":\"%d\",\"gas\":21000,\"gas_price\":\"1\"}\n", $1, to, 1000 + $1 }' |
		lst-sign sign --batch --from developer > "$BATS_TEST_TMPDIR/signed"
	loader 3>&- &
	LOADER=$!
	echo "$LOADER" > "$BATS_TEST_TMPDIR/loader.pid"
	last_height=0
	for round in $(seq 20); do
		sleep "0.$((RANDOM % 8 + 2))"
		seen=$(lst-chain nonce "$DEV" | jq -r .nonce)
		height=$(lst-chain status | jq -r .height)
		kill -9 "$(jq -r .pid "$BATS_TEST_TMPDIR/daemon.json")"
		sleep 0.1
		start_daemon
		# every transfer that had a receipt (nonce below what we saw) still has one
		if [ "$seen" -gt 0 ]; then
			head -n "$seen" "$BATS_TEST_TMPDIR/signed" |
				jq -cs 'to_entries | map({jsonrpc: "2.0", id: .key, method: "eth_getTransactionReceipt", params: [.value.hash]})' > "$BATS_TEST_TMPDIR/rq"
			got=$(rpc @"$BATS_TEST_TMPDIR/rq" | jq '[.[] | select(.result.status == "0x1")] | length')
			[ "$got" = "$seen" ] || { echo "round $round: $got of $seen receipts survived"; false; }
		fi
		now=$(lst-chain status | jq -r .height)
		[ "$now" -ge "$height" ] || { echo "round $round: height went from $height to $now"; false; }
		[ "$height" -ge "$last_height" ]
		last_height=$height
		# balances are read one by one: pause the load and let the pool drain first
		kill -STOP "$LOADER"
		for i in $(seq 50); do [ "$(lst-chain status | jq -r .mempool)" = 0 ] && break; sleep 0.1; done
		sleep 0.5
		total=$(sum_balances)
		kill -CONT "$LOADER"
		[ "$total" = "$SUPPLY" ] || { echo "round $round: balances add up to $total"; false; }
	done
	kill "$LOADER"
	final=$(lst-chain nonce "$DEV" | jq -r .nonce)
	echo "# committed $final transfers across 20 crashes" >&3
	[ "$final" -gt 0 ]
}
