#!/usr/bin/env bats
# Paid roots: the daemon's gateway serves their blocks and key only to
# an address the market says bought them (403 with a JSON reason
# otherwise); public roots go to anyone.

load helper

MARKET=0x4c53540000000000000000000000000000000004

# market_tx FROM-KEY NONCE VALUE DATA: sign and send a call to the market, wait for it.
market_tx() {
	local raw
	raw=$(printf '{"chain_id":161,"nonce":%d,"to":"%s","value":"%s","gas":200000,"gas_price":"1","data":"%s"}' \
		"$2" "$MARKET" "$3" "$4" | lst-sign sign --from "$1" | jq -r .raw) || return 1
	echo "$raw" | lst-chain send --wait > "$BATS_TEST_TMPDIR/receipt.json"
}

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/author"
	start_chain
	READER="$BATS_TEST_TMPDIR/reader"
	RADDR=$(LST_HOME="$READER" plain_key reader)
	LST_HOME="$READER" lst config rpc "$RPC" > /dev/null
	# The reader gets 10 LST from the developer.
	transfer 0 10000000000000000000 "$RADDR" | lst-chain send --wait > /dev/null
	head -c $((3 * 1048576 + 17)) /dev/urandom > "$BATS_TEST_TMPDIR/book.md"
	ROOT=$(lst-block add "$BATS_TEST_TMPDIR/book.md" | jq -r .root)
	ID=$(lst-block stat "$ROOT" | jq -r .root_id)
	# The developer lists it at 1 LST: list(bytes32 root, uint256 price).
	market_tx developer 1 0 "0x345c550f${ID#0x}$(printf '%064x' 1000000000000000000)"
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/receipt.json")" = 0x1 ] || [ "$(jq -r .status "$BATS_TEST_TMPDIR/receipt.json")" = 1 ]
}

teardown() {
	lst-chain stop > /dev/null 2>&1 || true
	[ -f "$BATS_TEST_TMPDIR/relay/swarm.pid" ] && LST_HOME="$BATS_TEST_TMPDIR/relay" lst-swarm stop > /dev/null 2>&1 || true
}

# as_reader CMD...: run as the reader.
as_reader() {
	LST_HOME="$READER" "$@"
}

@test "without a purchase: 403 with a JSON reason, no blocks, no key" {
	# No proof at all.
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$RPC/ipfs/$ROOT?format=raw")
	[ "$code" = 403 ]
	[ "$(jq -r .error "$BATS_TEST_TMPDIR/body")" = "access denied" ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/body")" = "access proof required" ]
	[ "$(jq -r .root "$BATS_TEST_TMPDIR/body")" = "$ROOT" ]
	code=$(curl -s -o /dev/null -w '%{http_code}' "$RPC/ipfs/$ROOT?format=car")
	[ "$code" = 403 ]
	# A signed proof from an address that did not buy.
	run_split as_reader lst-swarm fetch --no-announce --peer "$RPC" "$ROOT"
	assert_failure 4
	[[ $stderr == *"not purchased"* ]]
	run as_reader lst-block has "$ROOT"
	assert_failure 3
	run_split as_reader lst-swarm key --peer "$RPC" "$ROOT"
	assert_failure 4
	[[ $stderr == *"not purchased"* ]]
	[ ! -e "$READER/content-keys/$ROOT" ]
	# A garbage proof.
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H 'X-Lst-Access: nonsense' "$RPC/ipfs/$ROOT?format=raw")
	[ "$code" = 403 ]
	[[ $(jq -r .reason "$BATS_TEST_TMPDIR/body") == "bad access proof"* ]]
	run lst-swarm stats --url "$RPC"
	[ "$(echo "$output" | jq -r .denied)" -ge 4 ]
}

@test "after the purchase: the blocks, the key, and the plaintext" {
	# buy(bytes32 root) with exactly the price.
	LST_HOME="$READER" market_tx reader 0 1000000000000000000 "0x9c9a1061${ID#0x}"
	status=$(jq -r .status "$BATS_TEST_TMPDIR/receipt.json")
	[ "$status" = 0x1 ] || [ "$status" = 1 ]
	run_split as_reader lst-swarm fetch --no-announce --peer "$RPC" "$ROOT"
	assert_success
	[ "$(echo "$output" | jq -r .blocks)" -ge 5 ]
	run_split as_reader lst-swarm key --peer "$RPC" "$ROOT"
	assert_success
	[ "$(stat -c %a "$READER/content-keys/$ROOT")" = 600 ]
	as_reader lst-block cat "$ROOT" | cmp - "$BATS_TEST_TMPDIR/book.md"
	# Another reader who did not buy is still refused.
	OTHER="$BATS_TEST_TMPDIR/other"
	LST_HOME="$OTHER" plain_key other > /dev/null
	run env LST_HOME="$OTHER" lst-swarm key --peer "$RPC" "$ROOT"
	assert_failure 4
	# A proof made by the buyer but naming another root does not open this one.
	run_split as_reader lst-swarm fetch --no-announce --peer "$RPC" bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
	assert_failure 3
}

@test "public roots go to anyone, with no proof" {
	echo "a free sample chapter" > "$BATS_TEST_TMPDIR/sample.md"
	pub=$(lst-block add --public "$BATS_TEST_TMPDIR/sample.md" | jq -r .root)
	[ "$(curl -s "$RPC/ipfs/$pub?format=raw")" = "a free sample chapter" ]
	run as_reader lst-swarm fetch --no-announce --peer "$RPC" "$pub"
	assert_success
	[ "$(as_reader lst-block cat "$pub")" = "a free sample chapter" ]
}

@test "a paid book carried by CAR to another node's gateway is gated there too" {
	lst-block export "$ROOT" > "$BATS_TEST_TMPDIR/book.car"
	RELAY="$BATS_TEST_TMPDIR/relay"
	LST_HOME="$RELAY" lst-block import < "$BATS_TEST_TMPDIR/book.car" > /dev/null
	[ -n "$(ls "$RELAY/blocks/gated")" ]
	url=$(LST_HOME="$RELAY" lst-swarm serve --listen 127.0.0.1:0 --rpc "$RPC" --detach 3>&- | jq -r .url)
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$url/ipfs/$ROOT?format=raw")
	LST_HOME="$RELAY" lst-swarm stop > /dev/null
	[ "$code" = 403 ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/body")" = "access proof required" ]
}
