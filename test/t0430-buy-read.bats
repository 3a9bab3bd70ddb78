#!/usr/bin/env bats
# The reader's side of a direct sale: lst-buy pays the market (the author
# and the foundation paid in the same transaction), obtains the key and
# the blocks from any provider and provides them; lst read decrypts any
# version; lst library lists what was bought. Refusals change nothing.

load helper

PRICE=2000000000000000000 # 2 LST
FEE=100000000000000000    # 5% (the dev genesis' service fee)

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/author"
	start_chain
	# The book: a git repository, tag v1 with one file.
	REPO="$BATS_TEST_TMPDIR/repo"
	mkdir -p "$REPO"
	head -c $((2 * 1048576 + 4321)) /dev/urandom > "$REPO/book.md"
	git -C "$REPO" init -q
	git -C "$REPO" add book.md
	git -C "$REPO" -c user.name=author -c user.email=author@example.org commit -q -m v1
	git -C "$REPO" tag v1
	lst publish --repo "$REPO" --ref v1 --title "A Book" --price 2lst --yes --json > "$BATS_TEST_TMPDIR/publish.json"
	BOOK=$(jq -r .book "$BATS_TEST_TMPDIR/publish.json")
	ROOT=$(jq -r .root "$BATS_TEST_TMPDIR/publish.json")
	READER="$BATS_TEST_TMPDIR/reader"
	RADDR=$(new_reader "$READER" 10)
}

teardown() {
	for h in "$BATS_TEST_TMPDIR"/reader*; do
		[ -f "$h/swarm.pid" ] && LST_HOME="$h" lst-swarm stop > /dev/null 2>&1
	done
	lst-chain stop > /dev/null 2>&1 || true
}

# new_reader HOME LST: a reader's home using the author's node, with LST
# from the developer; prints its address.
new_reader() {
	local a
	a=$(LST_HOME="$1" plain_key reader) || return 1
	LST_HOME="$1" lst config rpc "$RPC" > /dev/null
	[ "$2" = 0 ] || lst send "$a" "$2" > /dev/null || return 1
	echo "$a"
}

# balance ADDRESS: Photons.
balance() {
	lst balance --json "$1" | jq -r .balance
}

# serve HOME: the home's gateway (announcing its pins to the node); prints its URL.
serve() {
	LST_HOME="$1" lst-swarm serve --listen 127.0.0.1:0 --detach 3>&- | jq -r .url
}

@test "buy: the author and the foundation are paid, the reader reads the plaintext, buying again pays nothing" {
	a0=$(balance "$DEV")
	f0=$(balance "$FND")
	r0=$(balance "$RADDR")
	run_split env LST_HOME="$READER" lst-buy --yes "$BOOK"
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/buy.json"
	[ "$(jq -r .book "$BATS_TEST_TMPDIR/buy.json")" = "$BOOK" ]
	[ "$(jq -r .title "$BATS_TEST_TMPDIR/buy.json")" = "A Book" ]
	[ "$(jq -r .paid "$BATS_TEST_TMPDIR/buy.json")" = "$PRICE" ]
	[[ $(jq -r .tx "$BATS_TEST_TMPDIR/buy.json") =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(jq -r .version "$BATS_TEST_TMPDIR/buy.json")" = 0 ]
	[ "$(jq -r .label "$BATS_TEST_TMPDIR/buy.json")" = v1 ]
	[ "$(jq -r .root "$BATS_TEST_TMPDIR/buy.json")" = "$ROOT" ]
	[ "$(jq -r .key_from "$BATS_TEST_TMPDIR/buy.json")" = "$RPC" ]
	[ "$(jq -r --arg u "$RPC" '.from[$u]' "$BATS_TEST_TMPDIR/buy.json")" -gt $((2 * 1048576)) ]
	# Paid in the same transaction: price - fee to the author, fee to the foundation.
	[ "$(echo "$(balance "$DEV") - $a0" | bc)" = "$(echo "$PRICE - $FEE" | bc)" ]
	[ "$(echo "$(balance "$FND") - $f0" | bc)" = "$FEE" ]
	[ "$(echo "$r0 - $(balance "$RADDR")" | bc)" = "$PRICE" ]
	# Kept: the key (0600), the blocks pinned.
	[ "$(stat -c %a "$READER/content-keys/$ROOT")" = 600 ]
	[ "$(LST_HOME="$READER" lst-block stat "$ROOT" | jq -r .pinned)" = true ]
	# The exact plaintext, to stdout and to a file.
	LST_HOME="$READER" lst read "$BOOK" > "$BATS_TEST_TMPDIR/out.md"
	git -C "$REPO" show v1:book.md | cmp - "$BATS_TEST_TMPDIR/out.md"
	run env LST_HOME="$READER" lst read --json -o "$BATS_TEST_TMPDIR/copy.md" "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .output)" = "$BATS_TEST_TMPDIR/copy.md" ]
	[ "$(echo "$output" | jq -r '.files[0].path')" = book.md ]
	[ "$(echo "$output" | jq -r '.files[0].size')" = $((2 * 1048576 + 4321)) ]
	cmp "$REPO/book.md" "$BATS_TEST_TMPDIR/copy.md"
	# Again: nothing paid, no transaction.
	r1=$(balance "$RADDR")
	run env LST_HOME="$READER" lst-buy --yes "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .paid)" = 0 ]
	[ "$(echo "$output" | jq -r .tx)" = null ]
	[ "$(balance "$RADDR")" = "$r1" ]
	# The library.
	run env LST_HOME="$READER" lst library
	assert_success
	[ "${#lines[@]}" = 1 ]
	[ "$(echo "$output" | jq -r .book)" = "$BOOK" ]
	[ "$(echo "$output" | jq -r .title)" = "A Book" ]
	[ "$(echo "$output" | jq -r .author)" = "$DEV" ]
	[ "$(echo "$output" | jq -r .price)" = "$PRICE" ]
	[ "$(echo "$output" | jq -r .tx)" = "$(jq -r .tx "$BATS_TEST_TMPDIR/buy.json")" ]
	[ "$(echo "$output" | jq -c .local)" = "[0]" ]
	# The author buys nothing: it may read its own book.
	d0=$(balance "$DEV")
	run lst-buy --yes "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .paid)" = 0 ]
	[ "$(balance "$DEV")" = "$d0" ]
}

@test "refusals: --max-price below the price, too little balance, no confirmation, unknown book: nothing paid" {
	POOR="$BATS_TEST_TMPDIR/reader-poor"
	PADDR=$(new_reader "$POOR" 1.5)
	a0=$(balance "$DEV")
	r0=$(balance "$RADDR")
	run_split env LST_HOME="$READER" lst-buy --max-price 1.5 "$BOOK"
	assert_failure 4
	[[ $stderr == *"price is 2 LST, above --max-price 1.5 LST"* ]]
	# Not on a terminal, without --yes or --max-price: never pays silently.
	run_split env LST_HOME="$READER" lst-buy "$BOOK" < /dev/null
	assert_failure 2
	[[ $stderr == *"--yes"* ]]
	# Too little balance.
	run_split env LST_HOME="$POOR" lst-buy --yes "$BOOK"
	assert_failure 4
	[[ $stderr == *"balance is 1.5 LST, below the price 2 LST"* ]]
	[ "$(balance "$PADDR")" = 1500000000000000000 ]
	# Unknown and malformed books.
	run_split env LST_HOME="$READER" lst-buy --yes 0x$(printf '%064d' 7)
	assert_failure 3
	[[ $stderr == *"no such book"* ]]
	run env LST_HOME="$READER" lst-buy --yes 0x1234
	assert_failure 6
	# Nothing changed: balances, no key, no blocks, no purchase.
	[ "$(balance "$RADDR")" = "$r0" ]
	[ "$(balance "$DEV")" = "$a0" ]
	[ ! -e "$READER/content-keys/$ROOT" ]
	[ ! -e "$POOR/content-keys/$ROOT" ]
	run env LST_HOME="$READER" lst-block has "$ROOT"
	assert_failure 3
	run env LST_HOME="$READER" lst library
	assert_success
	[ -z "$output" ]
	# --max-price at the price pays; --no-fetch pays only.
	run env LST_HOME="$READER" lst-buy --max-price 2 --no-fetch "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .paid)" = "$PRICE" ]
	[ "$(echo "$output" | jq -r .root)" = null ]
	[ ! -e "$READER/content-keys/$ROOT" ]
	[ "$(echo "$r0 - $(balance "$RADDR")" | bc)" = "$PRICE" ]
	# lst read then fetches it, without paying again.
	LST_HOME="$READER" lst read "$BOOK" | cmp - "$REPO/book.md"
	[ "$(echo "$r0 - $(balance "$RADDR")" | bc)" = "$PRICE" ]
}

@test "read without buying: 403 from every provider, exit 4, nothing written" {
	run_split env LST_HOME="$READER" lst read -o "$BATS_TEST_TMPDIR/out.md" "$BOOK"
	assert_failure 4
	[[ $stderr == *"not purchased"* ]]
	[[ $stderr == *"lst-buy $BOOK"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out.md" ]
	[ ! -e "$READER/content-keys/$ROOT" ]
	run env LST_HOME="$READER" lst-block has "$ROOT"
	assert_failure 3
	# To stdout: nothing either.
	run_split env LST_HOME="$READER" lst read "$BOOK"
	assert_failure 4
	[ -z "$output" ]
	# An unknown book is not found; a version that does not exist neither.
	run env LST_HOME="$READER" lst read 0x$(printf '%064d' 7)
	assert_failure 3
	run_split lst read --version 5 "$BOOK"
	assert_failure 3
	[[ $stderr == *"no version '5'"* ]]
}

@test "a forged key request (a proof for the buyer's address signed by another key) is refused 403" {
	LST_HOME="$READER" lst-buy --yes --no-fetch "$BOOK" > /dev/null
	OTHER="$BATS_TEST_TMPDIR/other"
	LST_HOME="$OTHER" plain_key other > /dev/null
	exp=$(($(date +%s) + 600))
	# The proof's text ends in a newline: signed from stdin ($(...) would cut it).
	proof_text() {
		printf 'lst-access-v1\naddress: %s\nroot: %s\nexpires: %s\n' "${RADDR,,}" "$ROOT" "$exp"
	}
	sig=$(proof_text | LST_HOME="$OTHER" lst-sign sign-message --from other | jq -r .signature)
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "X-Lst-Access: ${RADDR,,}.$ROOT.$exp.${sig#0x}" "$RPC/lst/v1/key/$ROOT")
	[ "$code" = 403 ]
	[[ $(jq -r .reason "$BATS_TEST_TMPDIR/body") == "bad access proof"* ]]
	[ "$(jq -r .envelope "$BATS_TEST_TMPDIR/body")" = null ]
	# The same proof signed by the buyer is answered with an envelope.
	sig=$(proof_text | LST_HOME="$READER" lst-sign sign-message --from reader | jq -r .signature)
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H "X-Lst-Access: ${RADDR,,}.$ROOT.$exp.${sig#0x}" "$RPC/lst/v1/key/$ROOT")
	[ "$code" = 200 ]
	[[ $(jq -r .envelope "$BATS_TEST_TMPDIR/body") =~ ^0x[0-9a-f]+$ ]]
}

@test "versions: a buyer reads v2 once released, and still v1; several files go under -o DIR" {
	LST_HOME="$READER" lst-buy --yes "$BOOK" > /dev/null
	# v2: the book changed and a second file.
	echo "a second edition" >> "$REPO/book.md"
	mkdir -p "$REPO/notes"
	echo "notes on the text" > "$REPO/notes/extra.md"
	git -C "$REPO" add book.md notes/extra.md
	git -C "$REPO" -c user.name=author -c user.email=author@example.org commit -q -m v2
	git -C "$REPO" tag v2
	lst release --repo "$REPO" --ref v2 --json "$BOOK" > "$BATS_TEST_TMPDIR/v2.json"
	ROOT2=$(jq -r .root "$BATS_TEST_TMPDIR/v2.json")
	[ "$ROOT2" != "$ROOT" ]
	# Several files and no -o: listed, exit 2, nothing on stdout.
	run_split env LST_HOME="$READER" lst read "$BOOK"
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"notes/extra.md"* ]]
	# The whole tree under -o DIR.
	run env LST_HOME="$READER" lst read -o "$BATS_TEST_TMPDIR/v2" "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .version)" = 1 ]
	[ "$(echo "$output" | jq -r .label)" = v2 ]
	[ "$(echo "$output" | jq -r .root)" = "$ROOT2" ]
	[ "$(echo "$output" | jq -c '[.files[].path]')" = '["book.md","notes/extra.md"]' ]
	git -C "$REPO" show v2:book.md | cmp - "$BATS_TEST_TMPDIR/v2/book.md"
	git -C "$REPO" show v2:notes/extra.md | cmp - "$BATS_TEST_TMPDIR/v2/notes/extra.md"
	[ "$(ls "$BATS_TEST_TMPDIR/v2" | wc -l)" = 2 ]
	# One file of it; a file it does not have.
	[ "$(LST_HOME="$READER" lst read --file notes/extra.md "$BOOK")" = "notes on the text" ]
	run env LST_HOME="$READER" lst read --file nope.md "$BOOK"
	assert_failure 3
	# v1, by index and by label.
	LST_HOME="$READER" lst read --version 0 "$BOOK" | cmp - <(git -C "$REPO" show v1:book.md)
	LST_HOME="$READER" lst read --version v1 "$BOOK" | cmp - <(git -C "$REPO" show v1:book.md)
	run env LST_HOME="$READER" lst library
	[ "$(echo "$output" | jq -r .versions)" = 2 ]
	[ "$(echo "$output" | jq -c .local)" = "[0,1]" ]
	# Someone who did not buy is refused v2 as well.
	OTHER="$BATS_TEST_TMPDIR/reader-other"
	new_reader "$OTHER" 0 > /dev/null
	run_split env LST_HOME="$OTHER" lst read --version v2 --file book.md "$BOOK"
	assert_failure 4
	[[ $stderr == *"not purchased"* ]]
}

@test "the key from another reader when the author's node no longer holds the book" {
	R1="$BATS_TEST_TMPDIR/reader1"
	new_reader "$R1" 10 > /dev/null
	URL1=$(serve "$R1")
	run env LST_HOME="$R1" lst-buy --yes "$BOOK"
	assert_success
	# The author's node keeps the chain and the registry but no longer the
	# book (blocks and key moved away): what a stopped author gateway is to readers.
	mv "$LST_HOME/blocks" "$LST_HOME/blocks.away"
	mv "$LST_HOME/content-keys" "$LST_HOME/content-keys.away"
	a0=$(balance "$DEV")
	run env LST_HOME="$READER" lst-buy --yes "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .key_from)" = "$URL1" ]
	[ "$(echo "$output" | jq -r --arg u "$URL1" '.from[$u]')" -gt $((2 * 1048576)) ]
	[ "$(echo "$output" | jq -r --arg u "$RPC" '.from[$u] // 0')" = 0 ]
	LST_HOME="$READER" lst read "$BOOK" | cmp - "$REPO/book.md"
	# The author was paid all the same.
	[ "$(echo "$(balance "$DEV") - $a0" | bc)" = "$(echo "$PRICE - $FEE" | bc)" ]
}

@test "a provider whose key does not open the book is skipped: the key comes from the next" {
	R1="$BATS_TEST_TMPDIR/reader1"
	new_reader "$R1" 10 > /dev/null
	LST_HOME="$R1" lst-buy --yes "$BOOK" > /dev/null
	# Reader 1 lies: its gateway seals another key.
	good=$(cat "$R1/content-keys/$ROOT")
	printf '%064x\n' 12345 > "$R1/content-keys/$ROOT"
	URL1=$(serve "$R1")
	run env LST_HOME="$READER" lst-buy --yes --peer "$URL1" "$BOOK"
	assert_success
	[ "$(echo "$output" | jq -r .key_from)" = "$RPC" ]
	[ "$(cat "$READER/content-keys/$ROOT")" = "$good" ]
	LST_HOME="$READER" lst read "$BOOK" | cmp - "$REPO/book.md"
	# Asked of the liar alone, with the blocks here: refused, no key kept.
	rm "$READER/content-keys/$ROOT"
	run_split env LST_HOME="$READER" lst-swarm key --peer "$URL1" "$ROOT"
	assert_failure 4
	[[ $stderr == *"does not open"* ]]
	[ ! -e "$READER/content-keys/$ROOT" ]
}
