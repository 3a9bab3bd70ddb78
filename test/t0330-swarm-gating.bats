#!/usr/bin/env bats
# Paid roots: the daemon's gateway serves their blocks and key only to
# an address the market says bought the book the root is a version of
# (403 with a JSON reason otherwise); public roots go to anyone.

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
	# The book: a git repository with one file, tag v1.
	REPO="$BATS_TEST_TMPDIR/repo"
	mkdir -p "$REPO"
	head -c $((3 * 1048576 + 17)) /dev/urandom > "$REPO/book.md"
	git -C "$REPO" init -q
	git -C "$REPO" add book.md
	git -C "$REPO" -c user.name=author -c user.email=author@example.org commit -q -m v1
	git -C "$REPO" tag v1
	# The developer publishes it at 1 LST (the dev home co-signs with its
	# foundation key); the root is the book's first version.
	lst publish --repo "$REPO" --ref v1 --price 1lst --yes --json > "$BATS_TEST_TMPDIR/publish.json"
	BOOK=$(jq -r .book "$BATS_TEST_TMPDIR/publish.json")
	ROOT=$(jq -r .root "$BATS_TEST_TMPDIR/publish.json")
	[[ $BOOK =~ ^0x[0-9a-f]{64}$ ]]
	[[ $ROOT == bafy* ]]
}

teardown() {
	lst-chain stop > /dev/null 2>&1 || true
	[ -f "$BATS_TEST_TMPDIR/relay/swarm.pid" ] && LST_HOME="$BATS_TEST_TMPDIR/relay" lst-swarm stop > /dev/null 2>&1 || true
}

# proof HOME KEY ADDRESS ROOT: an X-Lst-Access value naming ADDRESS and
# ROOT for 10 minutes, signed by KEY of HOME (lib/access.h).
proof() {
	local exp sig a
	exp=$(($(date +%s) + 600))
	a=$(echo "$3" | tr A-F a-f)
	sig=$(printf 'lst-access-v1\naddress: %s\nroot: %s\nexpires: %s\n' "$a" "$4" "$exp" |
		LST_HOME="$1" lst-sign sign-message --from "$2" | jq -r .signature)
	echo "$a.$4.$exp.${sig#0x}"
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
	# A forged proof: the reader signs a proof that names the developer
	# (the author, who may read), so the signature is not the address's.
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "X-Lst-Access: $(proof "$READER" reader "$DEV" "$ROOT")" "$RPC/ipfs/$ROOT?format=raw")
	[ "$code" = 403 ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/body")" = "bad access proof: the access proof is not signed by its address" ]
	# The same proof made honestly by the reader is well formed, and refused
	# only because the reader did not buy.
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "X-Lst-Access: $(proof "$READER" reader "$RADDR" "$ROOT")" "$RPC/ipfs/$ROOT?format=raw")
	[ "$code" = 403 ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/body")" = "not purchased" ]
	run lst-swarm stats --url "$RPC"
	[ "$(echo "$output" | jq -r .denied)" -ge 7 ]
}

@test "after the purchase: the blocks, the key, and the plaintext" {
	# buy(bytes32 book) with exactly the price.
	LST_HOME="$READER" market_tx reader 0 1000000000000000000 "0x9c9a1061${BOOK#0x}"
	status=$(jq -r .status "$BATS_TEST_TMPDIR/receipt.json")
	[ "$status" = 0x1 ] || [ "$status" = 1 ]
	run_split as_reader lst-swarm fetch --no-announce --peer "$RPC" "$ROOT"
	assert_success
	[ "$(echo "$output" | jq -r .blocks)" -ge 5 ]
	run_split as_reader lst-swarm key --peer "$RPC" "$ROOT"
	assert_success
	[ "$(stat -c %a "$READER/content-keys/$ROOT")" = 600 ]
	as_reader lst-block cat "$ROOT/book.md" | cmp - "$REPO/book.md"
	# The buyer's own proof, made by hand, opens the root block.
	curl -s -f -o "$BATS_TEST_TMPDIR/block" -H "X-Lst-Access: $(proof "$READER" reader "$RADDR" "$ROOT")" "$RPC/ipfs/$ROOT?format=raw"
	# (its bytes hash to the digest in the CID)
	python3 -c 'import base64, hashlib, sys
c = sys.argv[1][1:].upper(); d = base64.b32decode(c + "=" * (-len(c) % 8))
assert d[-32:] == hashlib.sha256(open(sys.argv[2], "rb").read()).digest()' "$ROOT" "$BATS_TEST_TMPDIR/block"
	# Another reader who did not buy is still refused, and cannot pass
	# for the buyer with a proof of their own signing.
	OTHER="$BATS_TEST_TMPDIR/other"
	LST_HOME="$OTHER" plain_key other > /dev/null
	run env LST_HOME="$OTHER" lst-swarm key --peer "$RPC" "$ROOT"
	assert_failure 4
	[ ! -e "$OTHER/content-keys/$ROOT" ]
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "X-Lst-Access: $(proof "$OTHER" other "$RADDR" "$ROOT")" "$RPC/ipfs/$ROOT?format=raw")
	[ "$code" = 403 ]
	[[ $(jq -r .reason "$BATS_TEST_TMPDIR/body") == "bad access proof"* ]]
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
