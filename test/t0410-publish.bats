#!/usr/bin/env bats
# lst publish and lst release: a git tag becomes an encrypted version in
# the author's store and a book (or a new version) on the market, with
# the foundation's co-signature; the working tree is never touched, and
# publishing the same tag again sends nothing.

load helper

ONE_LST=1000000000000000000

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	git_author
	start_chain
	REPO="$BATS_TEST_TMPDIR/book"
	git init -q "$REPO"
	printf '# A book\n\nThe first chapter follows.\n' > "$REPO/README.md"
	mkdir "$REPO/ch"
	head -c 1500000 /dev/urandom | base64 > "$REPO/ch/one.md"
	git -C "$REPO" add . && git -C "$REPO" commit -qm one && git -C "$REPO" tag v1
}

nonce() {
	lst-chain nonce "$1" | jq -r .nonce
}

balance() {
	lst balance --json "$1" | jq -r .balance
}

# A second author's home (no foundation key, no node of its own) funded with 10 LST.
author_home() {
	AUTHOR="$BATS_TEST_TMPDIR/author"
	AADDR=$(LST_HOME="$AUTHOR" plain_key author)
	LST_HOME="$AUTHOR" lst config rpc "$RPC"
	lst send --json "$AADDR" 10 > /dev/null
}

as_author() {
	LST_HOME="$AUTHOR" "$@"
}

@test "publish: an encrypted version from a tag, on chain; again is a no-op; another title another book" {
	before=$(balance "$DEV")
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --yes --json
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/p1.json"
	[ "$(jq -r .status <<< "$output")" = published ]
	[ "$(jq -r .title <<< "$output")" = book ]
	[ "$(jq -r .label <<< "$output")" = v1 ]
	[ "$(jq -r .version <<< "$output")" = 0 ]
	[ "$(jq -r .price <<< "$output")" = 2000000000000000000 ]
	[ "$(jq -r .files <<< "$output")" = 2 ]
	[[ $(jq -r .tx <<< "$output") == 0x* ]]
	tree=$(git -C "$REPO" rev-parse 'v1^{tree}')
	[ "$(jq -r .tree <<< "$output")" = "0x${tree}000000000000000000000000" ]
	ROOT=$(jq -r .root <<< "$output")
	BOOK=$(jq -r .book <<< "$output")
	[[ $ROOT == bafy* ]]
	[[ $BOOK =~ ^0x[0-9a-f]{64}$ ]]
	# In the store: encrypted, pinned, gated, its key kept; it decrypts to the tag's bytes.
	run lst-block stat "$ROOT"
	assert_success
	[ "$(jq -r .encrypted <<< "$output")" = true ]
	[ "$(jq -r .pinned <<< "$output")" = true ]
	[ -f "$LST_HOME/content-keys/$ROOT" ]
	lst-block cat "$ROOT/ch/one.md" | cmp - <(git -C "$REPO" show v1:ch/one.md)
	# Announced: the node lists this home's gateway as a provider.
	run curl -sf "$RPC/lst/v1/providers/$ROOT"
	assert_success
	[[ $output == *"$RPC"* ]]
	# The listing fee left the author, and nothing else did.
	[ "$(balance "$DEV")" = "$(bc <<< "$before - $ONE_LST")" ]
	# On chain: the book, with this root as version 0.
	run lst versions --json "$BOOK"
	assert_success
	[ "$(jq -r .root <<< "$output")" = "$ROOT" ]

	# The same tag again: unchanged, the same root, nothing sent.
	n=$(nonce "$DEV")
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --yes --json
	assert_success
	[ "$(jq -r .status <<< "$output")" = unchanged ]
	[ "$(jq -r .root <<< "$output")" = "$ROOT" ]
	[ "$(jq -r .book <<< "$output")" = "$BOOK" ]
	[ "$(jq -r .tx <<< "$output")" = null ]
	[ "$(nonce "$DEV")" = "$n" ]

	# Another title: another book, and another root (the key derives from the book).
	run_split lst publish --repo "$REPO" --ref v1 --title "Another" --price 1 --yes --json
	assert_success
	[ "$(jq -r .status <<< "$output")" = published ]
	[ "$(jq -r .book <<< "$output")" != "$BOOK" ]
	[ "$(jq -r .root <<< "$output")" != "$ROOT" ]
	[ "$(lst show --json Another | jq -r .title)" = Another ]
}

@test "publish: label, title and details rules; paths; refusals of bad input send nothing" {
	n=$(nonce "$DEV")
	# Details must be a JSON object.
	echo '[1,2]' > "$BATS_TEST_TMPDIR/bad.json"
	run_split lst publish --repo "$REPO" --details "$BATS_TEST_TMPDIR/bad.json" --price 1 --yes
	assert_failure 6
	[[ $stderr == *"must be a JSON object"* ]]
	echo '{"title": "broken' > "$BATS_TEST_TMPDIR/bad.json"
	run_split lst publish --repo "$REPO" --details "$BATS_TEST_TMPDIR/bad.json" --price 1 --yes
	assert_failure 6
	# A new book needs a price.
	run_split lst publish --repo "$REPO" --yes
	assert_failure 2
	[[ $stderr == *"--price"* ]]
	# A ref that does not exist.
	run_split lst publish --repo "$REPO" --ref v9 --price 1 --yes
	assert_failure 3
	[ "$(nonce "$DEV")" = "$n" ]

	# HEAD: the label is the short commit id; the title comes from the details, stored sorted and compact.
	printf '{"year": 2026, "title": "From Details", "tags": ["a"]}' > "$BATS_TEST_TMPDIR/d.json"
	run_split lst publish --repo "$REPO" --details "$BATS_TEST_TMPDIR/d.json" --price 1 --yes --json
	assert_success
	[ "$(jq -r .label <<< "$output")" = "$(git -C "$REPO" rev-parse --short=7 HEAD)" ]
	[ "$(jq -r .title <<< "$output")" = "From Details" ]
	run lst show --json "From Details"
	assert_success
	[ "$(jq -c .details <<< "$output")" = '{"tags":["a"],"title":"From Details","year":2026}' ]
	# --title wins over the details' title, and is what the details say.
	run_split lst publish --repo "$REPO" --title "Given" --label first --details "$BATS_TEST_TMPDIR/d.json" --price 1 --yes --json
	assert_success
	[ "$(jq -r .label <<< "$output")" = first ]
	[ "$(lst show --json Given | jq -r .details.title)" = Given ]
	# PATH... restricts the files.
	run_split lst publish --repo "$REPO" --title "Chapter one" --price 1 --yes --json ch/
	assert_success
	[ "$(jq -r .files <<< "$output")" = 1 ]
	root=$(jq -r .root <<< "$output")
	lst-block cat "$root/ch/one.md" | cmp - "$REPO/ch/one.md"
	run lst-block cat "$root/README.md"
	assert_failure 3
}

@test "publish never touches the working tree" {
	printf 'draft, not committed\n' >> "$REPO/README.md"
	echo notes > "$REPO/notes.txt"
	touch -d '2001-01-01 00:00' "$REPO/README.md" "$REPO/ch/one.md"
	status_before=$(git -C "$REPO" status --porcelain)
	sum_before=$(cat "$REPO/README.md" "$REPO/ch/one.md" | sha256sum)
	index_before=$(sha256sum < "$REPO/.git/index")
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --yes --json
	assert_success
	root=$(jq -r .root <<< "$output")
	# What was published is the tag, not the draft.
	lst-block cat "$root/README.md" | cmp - <(git -C "$REPO" show v1:README.md)
	[ "$(git -C "$REPO" status --porcelain)" = "$status_before" ]
	[ "$(cat "$REPO/README.md" "$REPO/ch/one.md" | sha256sum)" = "$sum_before" ]
	[ "$(sha256sum < "$REPO/.git/index")" = "$index_before" ]
	[ "$(stat -c %Y "$REPO/README.md")" = "$(date -d '2001-01-01 00:00' +%s)" ]
	[ "$(stat -c %Y "$REPO/ch/one.md")" = "$(date -d '2001-01-01 00:00' +%s)" ]
	[ "$(git -C "$REPO" stash list)" = "" ]
}

@test "publish without --yes and no terminal: exit 2, nothing sent" {
	n=$(nonce "$DEV")
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --json < /dev/null
	assert_failure 2
	[[ $stderr == *"--yes"* ]]
	[ "$output" = "" ]
	[ "$(nonce "$DEV")" = "$n" ]
	run lst show book
	assert_failure 3
	# Refused before adding: no pin, no content key.
	[ -z "$(ls -A "$LST_HOME/blocks/pins" 2> /dev/null)" ]
	[ -z "$(ls -A "$LST_HOME/content-keys" 2> /dev/null)" ]
}

@test "publish with a balance below the listing fee: exit 4, nothing sent, no pin" {
	AUTHOR="$BATS_TEST_TMPDIR/poor"
	AADDR=$(LST_HOME="$AUTHOR" plain_key poor)
	LST_HOME="$AUTHOR" lst config rpc "$RPC"
	lst send --json "$AADDR" 0.5 > /dev/null
	as_author lst publish --repo "$REPO" --ref v1 --price 2 --terms > "$BATS_TEST_TMPDIR/terms.json"
	sig=$(lst-sign cosign --from foundation --yes "$BATS_TEST_TMPDIR/terms.json" | jq -r .signature)
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 2 --yes --json --foundation-sig "$sig"
	assert_failure 4
	[[ $stderr == *"listing fee"* ]]
	[ "$output" = "" ]
	[ "$(nonce "$AADDR")" = 0 ]
	[ "$(balance "$AADDR")" = 500000000000000000 ]
	[ -z "$(ls -A "$AUTHOR/blocks/pins" 2> /dev/null)" ]
	[ -z "$(ls -A "$AUTHOR/content-keys" 2> /dev/null)" ]
}

@test "--terms prints the terms to co-sign and sends nothing" {
	n=$(nonce "$DEV")
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --terms
	assert_success
	[ "$(jq -r .title <<< "$output")" = book ]
	[ "$(jq -r .price <<< "$output")" = 2000000000000000000 ]
	[ "$(jq -r .label <<< "$output")" = v1 ]
	[ "$(jq -r .author <<< "$output" | tr A-F a-f)" = "$(tr A-F a-f <<< "$DEV")" ]
	[ "$(jq -r .chain_id <<< "$output")" = 161 ]
	[[ $(jq -r .terms_hash <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[[ $(jq -r .root <<< "$output") == bafy* ]]
	[ "$(nonce "$DEV")" = "$n" ]
	run lst show book
	assert_failure 3
}

@test "an author without the foundation's key: refused, forged signatures refused, the foundation's accepted" {
	author_home
	n=$(nonce "$AADDR")
	# No signature and no foundation key here: exit 4, nothing sent.
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 2 --yes --json
	assert_failure 4
	[[ $stderr == *"foundation's co-signature"* ]]
	[[ $stderr == *"--terms"* ]]
	[ "$output" = "" ]
	[ "$(nonce "$AADDR")" = "$n" ]
	[ "$(balance "$AADDR")" = 10000000000000000000 ]

	as_author lst publish --repo "$REPO" --ref v1 --price 2 --terms > "$BATS_TEST_TMPDIR/terms.json"
	# Signed by the author (not the foundation): exit 4.
	forged=$(as_author lst-sign cosign --from author --yes "$BATS_TEST_TMPDIR/terms.json" | jq -r .signature)
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 2 --yes --foundation-sig "$forged"
	assert_failure 4
	[[ $stderr == *"not the foundation's"* ]]
	# The foundation's signature of other terms (another price): exit 4.
	good=$(lst-sign cosign --from foundation --yes "$BATS_TEST_TMPDIR/terms.json" | jq -r .signature)
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 3 --yes --foundation-sig "$good"
	assert_failure 4
	# Not a signature at all.
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 2 --yes --foundation-sig 0x1234
	assert_failure 6
	[ "$(nonce "$AADDR")" = "$n" ]
	[ "$(balance "$AADDR")" = 10000000000000000000 ]
	run as_author lst show book
	assert_failure 3
	[ -z "$(ls -A "$AUTHOR/blocks/pins" 2> /dev/null)" ]
	[ -z "$(ls -A "$AUTHOR/content-keys" 2> /dev/null)" ]

	# The foundation's signature of these terms: published, the listing fee paid.
	run_split as_author lst publish --repo "$REPO" --ref v1 --price 2 --yes --json --foundation-sig "$good"
	assert_success
	[ "$(jq -r .status <<< "$output")" = published ]
	[ "$(jq -r .root <<< "$output")" = "$(jq -r .root "$BATS_TEST_TMPDIR/terms.json")" ]
	[ "$(jq -r .book <<< "$output")" = "$(jq -r .book "$BATS_TEST_TMPDIR/terms.json")" ]
	[[ $stderr == *"serves no gateway"* ]]
	[ "$(balance "$AADDR")" = 9000000000000000000 ]
	[ "$(lst show --json "$(jq -r .book <<< "$output")" | jq -r .author | tr A-F a-f)" = "$(tr A-F a-f <<< "$AADDR")" ]
}

@test "release: a new tag is a new version; again a no-op; unknown book 3; another author's book 4" {
	run_split lst publish --repo "$REPO" --ref v1 --price 2 --yes --json
	assert_success
	BOOK=$(jq -r .book <<< "$output")
	v1=$(jq -r .root <<< "$output")
	printf 'The second chapter.\n' > "$REPO/ch/two.md"
	git -C "$REPO" add . && git -C "$REPO" commit -qm two && git -C "$REPO" tag v2
	run_split lst release --repo "$REPO" --ref v2 --json
	assert_success
	[ "$(jq -r .status <<< "$output")" = released ]
	[ "$(jq -r .version <<< "$output")" = 1 ]
	[ "$(jq -r .label <<< "$output")" = v2 ]
	[ "$(jq -r .book <<< "$output")" = "$BOOK" ]
	[ "$(jq -r .files <<< "$output")" = 3 ]
	[[ $(jq -r .tx <<< "$output") == 0x* ]]
	v2=$(jq -r .root <<< "$output")
	[ "$v2" != "$v1" ]
	lst-block cat "$v2/ch/two.md" | cmp - "$REPO/ch/two.md"
	# Again, by title or by id: unchanged, nothing sent.
	n=$(nonce "$DEV")
	run_split lst release --repo "$REPO" --ref v2 --json
	assert_success
	[ "$(jq -r .status <<< "$output")" = unchanged ]
	[ "$(jq -r .root <<< "$output")" = "$v2" ]
	[ "$(jq -r .version <<< "$output")" = 1 ]
	run_split lst release --repo "$REPO" --ref v2 --json "$BOOK"
	assert_success
	[ "$(jq -r .status <<< "$output")" = unchanged ]
	run_split lst release --repo "$REPO" --ref v2 --json --title book
	assert_success
	[ "$(jq -r .status <<< "$output")" = unchanged ]
	run_split lst release --repo "$REPO" --ref v2 --title book "$BOOK"
	assert_failure 2
	run_split lst release --repo "$REPO" --ref v2 --terms
	assert_failure 2
	# publish of the old tag: it is version 0 already.
	run_split lst publish --repo "$REPO" --ref v1 --json
	assert_success
	[ "$(jq -r .status <<< "$output")" = unchanged ]
	[ "$(jq -r .version <<< "$output")" = 0 ]
	# --terms of a published book: there are none to sign.
	run_split lst publish --repo "$REPO" --ref v2 --terms
	assert_failure 2
	[ "$output" = "" ]
	[ "$(nonce "$DEV")" = "$n" ]
	[ "$(lst versions --json "$BOOK" | wc -l)" = 2 ]
	# A book that does not exist.
	run_split lst release --repo "$REPO" --ref v2 "No such book"
	assert_failure 3
	[[ $stderr == *"no such book"* ]]
	[[ $stderr == *"lst publish"* ]]
	run_split lst release --repo "$REPO" --ref v2 0x$(printf '%064d' 7)
	assert_failure 3
	# Someone else's book, by id.
	author_home
	n=$(nonce "$AADDR")
	run_split as_author lst release --repo "$REPO" --ref v2 "$BOOK"
	assert_failure 4
	[[ $stderr == *"not the author"* ]]
	[ "$(nonce "$AADDR")" = "$n" ]
	[ "$(lst versions --json "$BOOK" | wc -l)" = 2 ]
}

@test "on a terminal: asks before paying the listing fee, prints for humans" {
	# Answered no: nothing sent.
	n=$(nonce "$DEV")
	run bash -c "echo n | script -qec 'lst publish --repo $REPO --ref v1 --price 2' /dev/null"
	assert_failure 4
	[[ $output == *"publish 'book' at 2 LST, paying the listing fee of 1 LST? [y/N]"* ]]
	[ "$(nonce "$DEV")" = "$n" ]
	run lst show book
	assert_failure 3
	# Answered yes: published, told in words.
	run bash -c "echo y | script -qec 'lst publish --repo $REPO --ref v1 --price 2' /dev/null"
	assert_success
	[[ $output == *"Published 'book'"* ]]
	[[ $output == *"version  0 (v1)"* ]]
	[[ $output == *"price    2 LST"* ]]
	[ "$(lst show --json book | jq -r .versions)" = 1 ]
}
