#!/usr/bin/env bats
# The author's view of a published book: lst price (author only), lst
# versions, lst show, and lst sales (each buyer, the price, the service
# fee of the dev genesis, 500 bps, and what the author earned).

load helper

TWO=2000000000000000000
THREE=3000000000000000000

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	git_author
	start_chain
	REPO="$BATS_TEST_TMPDIR/book"
	git init -q "$REPO"
	printf '# A book\n' > "$REPO/README.md"
	git -C "$REPO" add . && git -C "$REPO" commit -qm one && git -C "$REPO" tag v1
	lst publish --repo "$REPO" --ref v1 --title "The Book" --price 2 --yes --json > "$BATS_TEST_TMPDIR/v1.json"
	printf 'Chapter two.\n' > "$REPO/two.md"
	git -C "$REPO" add . && git -C "$REPO" commit -qm two && git -C "$REPO" tag v2
	lst release --repo "$REPO" --ref v2 --json "The Book" > "$BATS_TEST_TMPDIR/v2.json"
	BOOK=$(jq -r .book "$BATS_TEST_TMPDIR/v1.json")
	READER="$BATS_TEST_TMPDIR/reader"
	RADDR=$(LST_HOME="$READER" plain_key reader)
	LST_HOME="$READER" lst config rpc "$RPC"
	lst send --json "$RADDR" 10 > /dev/null
}

as_reader() {
	LST_HOME="$READER" "$@"
}

nonce() {
	lst-chain nonce "$1" | jq -r .nonce
}

price_of() {
	lst show --json "$BOOK" | jq -r .price
}

@test "price: the author changes it (PriceChanged); the same price sends nothing; others are refused" {
	run_split lst price --yes --json "The Book" 3
	assert_success
	[ "$(jq -r .book <<< "$output")" = "$BOOK" ]
	[ "$(jq -r .old_price <<< "$output")" = $TWO ]
	[ "$(jq -r .price <<< "$output")" = $THREE ]
	tx=$(jq -r .tx <<< "$output")
	[ "$(price_of)" = $THREE ]
	# The receipt carries PriceChanged(book, 2 LST, 3 LST).
	run lst-chain receipt "$tx"
	assert_success
	[ "$(jq -r '.logs | length' <<< "$output")" = 1 ]
	[ "$(jq -r '.logs[0].topics[1]' <<< "$output")" = "$BOOK" ]
	[ "$(jq -r '.logs[0].data' <<< "$output")" = "0x$(printf '%064x%064x' $TWO $THREE)" ]
	# The same price: nothing sent.
	n=$(nonce "$DEV")
	run_split lst price --yes --json "$BOOK" 3lst
	assert_success
	[ "$(jq -r .tx <<< "$output")" = null ]
	[ "$(nonce "$DEV")" = "$n" ]
	# No --yes and no terminal: exit 2, unchanged.
	run_split lst price --json "$BOOK" 5 < /dev/null
	assert_failure 2
	[[ $stderr == *"--yes"* ]]
	[ "$(price_of)" = $THREE ]
	[ "$(nonce "$DEV")" = "$n" ]
	# Someone else: the market refuses it in the dry run, nothing is sent.
	rn=$(nonce "$RADDR")
	run_split as_reader lst price --yes --json "$BOOK" 1
	assert_failure 4
	[[ $stderr == *"not the author"* ]]
	[ "$output" = "" ]
	[ "$(price_of)" = $THREE ]
	[ "$(nonce "$RADDR")" = "$rn" ]
	# The reader has no book of that title; a bad amount; an unknown id.
	run_split as_reader lst price --yes "The Book" 1
	assert_failure 3
	run_split lst price --yes "$BOOK" 2.5.1
	assert_failure 6
	run_split lst price --yes 0x$(printf '%064d' 5) 1
	assert_failure 3
	[ "$(price_of)" = $THREE ]
}

@test "versions: every version oldest first, with labels, roots and heights" {
	run_split lst versions --json "The Book"
	assert_success
	[ "$(wc -l <<< "$output")" = 2 ]
	first=$(sed -n 1p <<< "$output")
	second=$(sed -n 2p <<< "$output")
	[ "$(jq -r .index <<< "$first")" = 0 ]
	[ "$(jq -r .label <<< "$first")" = v1 ]
	[ "$(jq -r .root <<< "$first")" = "$(jq -r .root "$BATS_TEST_TMPDIR/v1.json")" ]
	[ "$(jq -r .tree <<< "$first")" = "$(jq -r .tree "$BATS_TEST_TMPDIR/v1.json")" ]
	[ "$(jq -r .index <<< "$second")" = 1 ]
	[ "$(jq -r .label <<< "$second")" = v2 ]
	[ "$(jq -r .root <<< "$second")" = "$(jq -r .root "$BATS_TEST_TMPDIR/v2.json")" ]
	[ "$(jq -r .height <<< "$first")" -lt "$(jq -r .height <<< "$second")" ]
	# By id, from another home: the same.
	run_split as_reader lst versions --json "$BOOK"
	assert_success
	[ "$(wc -l <<< "$output")" = 2 ]
	run_split lst versions --json "No such book"
	assert_failure 3
	run_split as_reader lst versions --json "The Book"
	assert_failure 3
}

@test "show: the book's fields, and access for the home's key" {
	run_split lst show --json "The Book"
	assert_success
	[ "$(jq -r .book <<< "$output")" = "$BOOK" ]
	[ "$(jq -r .author <<< "$output")" = "$DEV" ]
	[ "$(jq -r .title <<< "$output")" = "The Book" ]
	[ "$(jq -c .details <<< "$output")" = '{"title":"The Book"}' ]
	[ "$(jq -r .price <<< "$output")" = $TWO ]
	[ "$(jq -r .versions <<< "$output")" = 2 ]
	[ "$(jq -r .sales <<< "$output")" = 0 ]
	[ "$(jq -r .published <<< "$output")" = "$(lst versions --json "$BOOK" | head -1 | jq -r .height)" ]
	[ "$(jq -r .latest.index <<< "$output")" = 1 ]
	[ "$(jq -r .latest.label <<< "$output")" = v2 ]
	[ "$(jq -r .latest.root <<< "$output")" = "$(jq -r .root "$BATS_TEST_TMPDIR/v2.json")" ]
	[ "$(jq -r .access <<< "$output")" = true ]
	# A reader who has not bought: no access; after buying: access, one sale.
	[ "$(as_reader lst show --json "$BOOK" | jq -r .access)" = false ]
	as_reader lst-buy --yes --no-fetch --json "$BOOK" > /dev/null
	run_split as_reader lst show --json "$BOOK"
	assert_success
	[ "$(jq -r .access <<< "$output")" = true ]
	[ "$(jq -r .sales <<< "$output")" = 1 ]
	run_split lst show --json "No such book"
	assert_failure 3
	[[ $stderr == *"no such book"* ]]
	run_split lst show --json 0x$(printf '%064d' 9)
	assert_failure 3
}

@test "sales: each buyer, the price, the fee (500 bps) and what the author earned; --follow prints new ones" {
	run_split lst sales --json
	assert_success
	[ "$output" = "" ]
	before=$(lst balance --json | jq -r .balance)
	buy=$(as_reader lst-buy --yes --no-fetch --json "$BOOK")
	tx=$(jq -r .tx <<< "$buy")
	run_split lst sales --json
	assert_success
	[ "$(wc -l <<< "$output")" = 1 ]
	[ "$(jq -r .book <<< "$output")" = "$BOOK" ]
	[ "$(jq -r .title <<< "$output")" = "The Book" ]
	[ "$(jq -r .buyer <<< "$output")" = "$RADDR" ]
	[ "$(jq -r .price <<< "$output")" = $TWO ]
	[ "$(jq -r .fee <<< "$output")" = 100000000000000000 ]
	[ "$(jq -r .earned <<< "$output")" = 1900000000000000000 ]
	[ "$(jq -r .tx <<< "$output")" = "$tx" ]
	height=$(jq -r .height <<< "$output")
	[ "$(lst-chain receipt "$tx" | jq -r .block)" = "$height" ]
	[ "$(jq -r .time <<< "$output")" = "$(lst-chain block "$height" | jq -r .time)" ]
	# The author was paid exactly what sales says.
	after=$(lst balance --json | jq -r .balance)
	[ "$(bc <<< "$after - $before")" = 1900000000000000000 ]
	# By book; another book of ours has none; the reader sold nothing.
	[ "$(lst sales --json "The Book" | wc -l)" = 1 ]
	lst publish --repo "$REPO" --ref v1 --title "Other" --price 1 --yes --json > /dev/null
	run_split lst sales --json Other
	assert_success
	[ "$output" = "" ]
	run_split as_reader lst sales --json
	assert_success
	[ "$output" = "" ]
	run_split lst sales --json "No such book"
	assert_failure 3

	# --follow: the sale so far, then a new one as it happens.
	R2="$BATS_TEST_TMPDIR/reader2"
	R2ADDR=$(LST_HOME="$R2" plain_key reader2)
	LST_HOME="$R2" lst config rpc "$RPC"
	lst send --json "$R2ADDR" 10 > /dev/null
	lst sales --follow --json > "$BATS_TEST_TMPDIR/follow" 2> "$BATS_TEST_TMPDIR/follow.err" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/follow" ] && break; sleep 0.1; done
	LST_HOME="$R2" lst-buy --yes --no-fetch --json "$(lst show --json Other | jq -r .book)" > /dev/null
	for _ in $(seq 100); do [ "$(wc -l < "$BATS_TEST_TMPDIR/follow")" -ge 2 ] && break; sleep 0.1; done
	kill "$pid"
	wait "$pid" || true
	[ "$(wc -l < "$BATS_TEST_TMPDIR/follow")" = 2 ]
	[ "$(sed -n 1p "$BATS_TEST_TMPDIR/follow" | jq -r .buyer)" = "$RADDR" ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/follow" | jq -r .buyer)" = "$R2ADDR" ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/follow" | jq -r .title)" = Other ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/follow" | jq -r .fee)" = 50000000000000000 ]
}
