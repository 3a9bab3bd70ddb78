#!/usr/bin/env bats
# lst-sign cosign: the foundation's co-signature of a book's publishing
# terms (contracts/market.h), --check and --complete. No node needed.

load helper

# The terms of test/unit/t-book.c, whose book id, terms hash and
# signature by key 1 were computed with ethers v6.
ROOT=bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq # raw "hello"
TREE=0x2222222222222222222222222222222222222222222222222222222222222222
ETH_BOOK=0x1f04a723706dc8114529a89338974c611387e172f4fdf80d3d02254f74e17902
ETH_TERMS=0x0c327357fb4201b49b64a33c4d563de0aa977147c221e17b213af2ee0847d92f
ETH_SIG=0x1efc336a4de497f6b53acd38dbd937d13a190b04c5023316bcd3f81f7673609f70bb922c54fab411f903013b6d4f5e34afb0d44985b5766ce517867d68db78821b
KEY1=0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf

# The terms without book, terms_hash, chain_id and market, written with jq.
bare_terms() {
	jq -n --arg root "$ROOT" --arg tree "$TREE" '{
		author: "0x1111111111111111111111111111111111111111",
		title: "A Book \u00e9", details: "{\"blurb\":\"x\"}",
		price: "1500000000000000000", root: $root, tree: $tree, label: "v1.0"}'
}

# The foundation's key: private key 1 (address 0x7E5F...).
foundation_key() {
	printf '%064x\n' 1 | lst-sign import --name foundation --insecure-plaintext-key | jq -r .address
}

# complete FILE: the completed terms of FILE on chain 4242.
complete() {
	lst-sign cosign --complete --chain-id 4242 "$1"
}

# The terms with one field changed and book, terms_hash recomputed: FIELD JQ-VALUE.
changed_terms() {
	jq -c "del(.book, .terms_hash) | .$1 = $2" "$BATS_TEST_TMPDIR/terms.json" |
		lst-sign cosign --complete
}

@test "complete, co-sign, check: ethers' book id, terms hash and signature; the signer recovers" {
	fnd=$(foundation_key)
	[ "$fnd" = "$KEY1" ]
	bare_terms > "$BATS_TEST_TMPDIR/bare.json"
	run_split complete "$BATS_TEST_TMPDIR/bare.json"
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/terms.json"
	[ "$(jq -r .book <<< "$output")" = "$ETH_BOOK" ]
	[ "$(jq -r .terms_hash <<< "$output")" = "$ETH_TERMS" ]
	[ "$(jq -r .chain_id <<< "$output")" = 4242 ]
	[ "$(jq -r .market <<< "$output" | tr A-F a-f)" = 0x4c53540000000000000000000000000000000004 ]
	[ "$(jq -r .title <<< "$output")" = "A Book é" ]
	[ "$(jq -r .price <<< "$output")" = 1500000000000000000 ]

	# Completing complete terms changes nothing.
	run_split lst-sign cosign --complete "$BATS_TEST_TMPDIR/terms.json"
	assert_success
	[ "$(jq -cS . <<< "$output")" = "$(jq -cS . "$BATS_TEST_TMPDIR/terms.json")" ]

	run_split lst-sign cosign --from foundation --yes "$BATS_TEST_TMPDIR/terms.json"
	assert_success
	[ "$(jq -r .terms_hash <<< "$output")" = "$ETH_TERMS" ]
	[ "$(jq -r .signature <<< "$output")" = "$ETH_SIG" ]
	[ "$(jq -r .signer <<< "$output")" = "$fnd" ]
	[ "$(jq -r 'keys | join(",")' <<< "$output")" = "signature,signer,terms_hash" ]
	sig=$(jq -r .signature <<< "$output")

	# From stdin too, and the same signature (RFC 6979).
	run_split sh -c 'lst-sign cosign --yes < "$1"' _ "$BATS_TEST_TMPDIR/terms.json"
	assert_success
	[ "$(jq -r .signature <<< "$output")" = "$sig" ]

	run_split lst-sign cosign --check "$sig" --address "$fnd" "$BATS_TEST_TMPDIR/terms.json"
	assert_success
	[ "$(jq -r .valid <<< "$output")" = true ]
	[ "$(jq -r .recovered <<< "$output")" = "$fnd" ]
	run_split lst-sign cosign --check "$sig" "$BATS_TEST_TMPDIR/terms.json"
	assert_success

	# Independently: the EIP-191 signer of the 32 bytes of the terms hash.
	bytes=$(sed 's/^0x//; s/../\\x&/g' <<< "$ETH_TERMS")
	run_split bash -c 'printf "$1" | lst-sign recover --signature "$2"' _ "$bytes" "$sig"
	assert_success
	[ "$(jq -r .address <<< "$output")" = "$fnd" ]
}

@test "check: changed price, label, root or author, or another signer, exit 4" {
	fnd=$(foundation_key)
	other=$(plain_key other)
	bare_terms | lst-sign cosign --complete --chain-id 4242 > "$BATS_TEST_TMPDIR/terms.json"
	sig=$(lst-sign cosign --from foundation --yes "$BATS_TEST_TMPDIR/terms.json" | jq -r .signature)
	for change in 'price "1500000000000000001"' 'label "v1.1"' \
		'root "bafkreih525mf4cge4kx5ohokxw2gg3ej2vl2h5bnxhraidelxulqrksm44"' \
		'author "0x1111111111111111111111111111111111111112"' 'details ""' 'chain_id 4243'; do
		set -- $change
		changed_terms "$1" "$2" > "$BATS_TEST_TMPDIR/changed.json"
		[ "$(jq -r .terms_hash "$BATS_TEST_TMPDIR/changed.json")" != "$ETH_TERMS" ]
		run_split lst-sign cosign --check "$sig" --address "$fnd" "$BATS_TEST_TMPDIR/changed.json"
		assert_failure 4
		[ "$(jq -r .valid <<< "$output")" = false ]
		[ "$(jq -r .recovered <<< "$output")" != "$fnd" ]
		[[ "$stderr" == *"bad co-signature"* ]]
	done
	# The right terms, the wrong signer.
	run_split lst-sign cosign --check "$sig" --from other "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 4
	[ "$(jq -r .signer <<< "$output")" = "$other" ]
	[ "$(jq -r .recovered <<< "$output")" = "$fnd" ]
	# Another key's co-signature is not the foundation's.
	osig=$(lst-sign cosign --from other --yes "$BATS_TEST_TMPDIR/terms.json" | jq -r .signature)
	run lst-sign cosign --check "$osig" --address "$fnd" "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 4
	# A bad v does not verify; a signature that is not 65 bytes is invalid input.
	badv=${sig%??}1d
	run lst-sign cosign --check "$badv" --address "$fnd" "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 4
	run lst-sign cosign --check 0x1234 --address "$fnd" "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 6
}

@test "cosign refuses altered book or terms_hash, naming the field, printing nothing" {
	foundation_key > /dev/null
	bare_terms | lst-sign cosign --complete --chain-id 4242 > "$BATS_TEST_TMPDIR/terms.json"
	T="$BATS_TEST_TMPDIR/terms.json"
	# The price raised under the old hash: what the foundation was shown is not what it would sign.
	jq '.price = "1"' "$T" > "$BATS_TEST_TMPDIR/a.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/a.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"'terms_hash'"* ]]
	jq '.terms_hash = "0x0c327357fb4201b49b64a33c4d563de0aa977147c221e17b213af2ee0847d92e"' "$T" > "$BATS_TEST_TMPDIR/h.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/h.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"'terms_hash'"* ]]
	jq '.book = "0x1f04a723706dc8114529a89338974c611387e172f4fdf80d3d02254f74e17903"' "$T" > "$BATS_TEST_TMPDIR/b.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/b.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"'book'"* ]]
	# A changed title under the old book id is caught at the book id.
	jq '.title = "Another"' "$T" > "$BATS_TEST_TMPDIR/t.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/t.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"'book'"* ]]
	# --check refuses them the same way, before looking at the signature.
	run_split lst-sign cosign --check "$ETH_SIG" --address "$KEY1" "$BATS_TEST_TMPDIR/b.json"
	assert_failure 6
	[ -z "$output" ]
	# Incomplete terms are not signed.
	jq 'del(.terms_hash)' "$T" > "$BATS_TEST_TMPDIR/n.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/n.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"'terms_hash' is missing"* ]]
	[[ "$stderr" == *"--complete"* ]]
}

@test "malformed documents and fields exit 6 and name what is wrong" {
	foundation_key > /dev/null
	printf '{"title": "x",' > "$BATS_TEST_TMPDIR/bad.json"
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 6
	[ -z "$output" ]
	[[ "$stderr" == *"invalid JSON"* ]]
	run_split sh -c 'printf "" | lst-sign cosign --yes'
	assert_failure 6
	run_split sh -c 'echo "[1,2]" | lst-sign cosign --yes'
	assert_failure 6
	[[ "$stderr" == *"not a JSON object"* ]]

	bare_terms > "$BATS_TEST_TMPDIR/bare.json"
	B="$BATS_TEST_TMPDIR/bare.json"
	long=$(printf 'x%.0s' $(seq 201))
	for c in ".price = \"1.5\"|price" ".price = \"340282366920938463463374607431768211456\"|price" \
		".root = \"bafy-nope\"|root" ".tree = \"0x22\"|tree" ".author = \"0x12\"|author" \
		".title = \"\"|title" ".title = \"$long\"|title" "del(.label)|label" ".extra = 1|extra" \
		".market = \"0x4c53540000000000000000000000000000000005\"|market"; do
		filter=${c%|*} field=${c##*|}
		jq "$filter" "$B" > "$BATS_TEST_TMPDIR/m.json"
		run_split lst-sign cosign --complete --chain-id 4242 "$BATS_TEST_TMPDIR/m.json"
		assert_failure 6
		[ -z "$output" ]
		[[ "$stderr" == *"'$field'"* ]] || { echo "$c: $stderr"; false; }
	done
	run_split lst-sign cosign --yes "$BATS_TEST_TMPDIR/no-such-file.json"
	assert_failure 3
}

@test "complete: chain id from --chain-id when the terms lack it; never two different ones" {
	bare_terms > "$BATS_TEST_TMPDIR/bare.json"
	run_split lst-sign cosign --complete "$BATS_TEST_TMPDIR/bare.json"
	assert_failure 2
	[ -z "$output" ]
	[[ "$stderr" == *"--chain-id"* ]]
	jq '.chain_id = 4242' "$BATS_TEST_TMPDIR/bare.json" > "$BATS_TEST_TMPDIR/c.json"
	run_split lst-sign cosign --complete "$BATS_TEST_TMPDIR/c.json"
	assert_success
	[ "$(jq -r .terms_hash <<< "$output")" = "$ETH_TERMS" ]
	run_split lst-sign cosign --complete --chain-id 7 "$BATS_TEST_TMPDIR/c.json"
	assert_failure 6
	[ -z "$output" ]
	run lst-sign cosign --complete --chain-id zero "$BATS_TEST_TMPDIR/bare.json"
	assert_failure 2
	# --chain-id only goes with --complete; --complete signs nothing.
	run lst-sign cosign --chain-id 4242 "$BATS_TEST_TMPDIR/c.json"
	assert_failure 2
	run lst-sign cosign --complete --yes "$BATS_TEST_TMPDIR/c.json"
	assert_failure 2
}

@test "an unknown --from key exits 3; without a terminal and --yes nothing is signed (exit 2)" {
	foundation_key > /dev/null
	bare_terms | lst-sign cosign --complete --chain-id 4242 > "$BATS_TEST_TMPDIR/terms.json"
	run_split lst-sign cosign --from nobody --yes "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 3
	[ -z "$output" ]
	run_split lst-sign cosign --check "$ETH_SIG" --from nobody "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 3
	[ -z "$output" ]
	# No terminal (stdin a file, stderr captured) and no --yes: refused, with a hint.
	run_split sh -c 'lst-sign cosign --from foundation < "$1"' _ "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 2
	[ -z "$output" ]
	[[ "$stderr" == *"without a confirmation"* ]]
	[[ "$stderr" == *"--yes"* ]]
	run_split setsid -w lst-sign cosign --from foundation "$BATS_TEST_TMPDIR/terms.json"
	assert_failure 2
	[ -z "$output" ]
}
