#!/usr/bin/env bats
# lst-block keeping the store: has, stat, verify, pin, rm, gc, and CARv1
# export and import (with the IPLD CAR vector).

load helper

CHUNK=1048576

mkfile() {
	head -c "$2" /dev/urandom > "$BATS_TEST_TMPDIR/$1"
}

@test "has: present blocks exit 0, any absent exits 3; one JSON line each" {
	mkfile a 100
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/a" | jq -r .root)
	run lst-block has "$root"
	assert_success
	[ "$(echo "$output" | jq -r .has)" = true ]
	run lst-block has "$root" bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
	assert_failure 3
	[ "${#lines[@]}" = 2 ]
	[ "$(echo "${lines[1]}" | jq -r .has)" = false ]
}

@test "verify finds a corrupted block; cat refuses to return its bytes" {
	mkfile f $((2 * CHUNK + 10))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	run lst-block verify
	assert_success
	[ "$(echo "$output" | jq -r .checked)" = 4 ]
	# A raw leaf: its file is named by its CID.
	leaf=$(find "$LST_HOME/blocks" -type f -name 'bafkrei*' | head -1)
	printf 'X' | dd of="$leaf" bs=1 seek=100 conv=notrunc status=none
	run_split lst-block verify
	assert_failure 1
	[ "$(echo "$output" | jq -r '.corrupt | length')" = 1 ]
	[ "$(echo "$output" | jq -r '.corrupt[0]')" = "$(basename "$leaf")" ]
	[[ $stderr == *"1 corrupt block"* ]]
	run lst-block verify "$root"
	assert_failure 1
	run_split lst-block cat "$root"
	assert_failure
	[[ $stderr == *corrupt* ]]
}

@test "pin, unpin, gc: gc keeps what pins reach and removes the rest" {
	mkfile keep $((CHUNK + 1))
	mkfile drop $((CHUNK + 1))
	keep=$(lst-block add --public "$BATS_TEST_TMPDIR/keep" | jq -r .root)
	drop=$(lst-block add --public "$BATS_TEST_TMPDIR/drop" | jq -r .root)
	[ "$(lst-block stat "$keep" | jq -r .pinned)" = true ]
	run lst-block gc
	assert_success
	[ "$(echo "$output" | jq -r .removed)" = 0 ]
	run lst-block unpin "$drop"
	assert_success
	[ "$(echo "$output" | jq -r .changed)" = true ]
	run lst-block gc
	assert_success
	[ "$(echo "$output" | jq -r .removed)" = 3 ]
	[ "$(echo "$output" | jq -r .freed_bytes)" -gt $CHUNK ]
	run lst-block has "$drop"
	assert_failure 3
	lst-block cat "$keep" | cmp - "$BATS_TEST_TMPDIR/keep"
	run lst-block pin bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
	assert_failure 3
}

@test "rm refuses a pinned root unless forced" {
	mkfile a 10
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/a" | jq -r .root)
	run lst-block rm "$root"
	assert_failure 4
	lst-block has "$root" > /dev/null
	run lst-block rm --force "$root"
	assert_success
	[ "$(echo "$output" | jq -r .removed)" = true ]
	run lst-block has "$root"
	assert_failure 3
}

@test "export/import: a CAR carries a DAG to another home, byte for byte" {
	mkdir "$BATS_TEST_TMPDIR/d"
	mkfile d/a $((3 * CHUNK + 1))
	mkfile d/b 10
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/d" | jq -r .root)
	lst-block export "$root" > "$BATS_TEST_TMPDIR/x.car"
	LST_HOME="$BATS_TEST_TMPDIR/h2" run lst-block import < "$BATS_TEST_TMPDIR/x.car"
	assert_success
	[ "$(echo "$output" | jq -r '.roots[0]')" = "$root" ]
	[ "$(echo "$output" | jq -r .blocks)" = 7 ]
	LST_HOME="$BATS_TEST_TMPDIR/h2" lst-block cat "$root/a" | cmp - "$BATS_TEST_TMPDIR/d/a"
	LST_HOME="$BATS_TEST_TMPDIR/h2" run lst-block stat "$root"
	[ "$(echo "$output" | jq -r .pinned)" = true ]
	# An encrypted object travels the same way, and still needs its key.
	enc=$(lst-block add "$BATS_TEST_TMPDIR/d" | jq -r .root)
	lst-block export "$enc" | LST_HOME="$BATS_TEST_TMPDIR/h3" lst-block import > /dev/null
	LST_HOME="$BATS_TEST_TMPDIR/h3" run lst-block cat "$enc/b"
	assert_failure 4
	LST_HOME="$BATS_TEST_TMPDIR/h3" lst-block cat --key-file "$LST_HOME/content-keys/$enc" "$enc/b" | cmp - "$BATS_TEST_TMPDIR/d/b"
	run lst-block export "$root"
	assert_success
}

@test "import of the IPLD CAR vector: its roots and every block it lists" {
	car="$VECTORS/ipld/carv1-basic.car"
	run lst-block import < "$car"
	assert_success
	want_roots=$(jq -r '.header.roots | map(."/") | join(",")' "$VECTORS/ipld/carv1-basic.json")
	[ "$(echo "$output" | jq -r '.roots | join(",")')" = "$want_roots" ]
	n=$(jq -r '.blocks | length' "$VECTORS/ipld/carv1-basic.json")
	[ "$(echo "$output" | jq -r .blocks)" = "$n" ]
	for c in $(jq -r '.blocks[].cid."/"' "$VECTORS/ipld/carv1-basic.json"); do
		lst-block has "$c" > /dev/null
	done
	run lst-block verify
	assert_success
}

@test "import refuses a block over 2 MiB, a corrupt block and a truncated CAR, and adds nothing" {
	# A CAR of one 3 MiB raw block, built by hand: header, varint length, CID, data.
	head -c $((3 * CHUNK)) /dev/urandom > "$BATS_TEST_TMPDIR/big"
	cid=01551220$(sha256sum "$BATS_TEST_TMPDIR/big" | cut -c1-64)
	# varint(n) as hex, LEB128
	uv() { local n=$1 o=; while [ "$n" -ge 128 ]; do o=$o$(printf %02x $(((n & 127) | 128))); n=$((n >> 7)); done; echo "$o$(printf %02x "$n")"; }
	hdr=a265726f6f747381d82a582500${cid}6776657273696f6e01
	{
		echo "$(uv $((${#hdr} / 2)))$hdr$(uv $((36 + 3 * CHUNK)))$cid" | xxd -r -p
		cat "$BATS_TEST_TMPDIR/big"
	} > "$BATS_TEST_TMPDIR/big.car"
	run_split lst-block import < "$BATS_TEST_TMPDIR/big.car"
	assert_failure 6
	[[ $stderr == *"2 MiB"* ]]
	# A good CAR with one byte flipped inside a block.
	mkfile f $((CHUNK + 5))
	root=$(LST_HOME="$BATS_TEST_TMPDIR/src" lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	LST_HOME="$BATS_TEST_TMPDIR/src" lst-block export "$root" > "$BATS_TEST_TMPDIR/good.car"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/good.car")
	cp "$BATS_TEST_TMPDIR/good.car" "$BATS_TEST_TMPDIR/bad.car"
	printf '\xff' | dd of="$BATS_TEST_TMPDIR/bad.car" bs=1 seek=$((size - 10)) conv=notrunc status=none
	run lst-block import < "$BATS_TEST_TMPDIR/bad.car"
	assert_failure 6
	head -c $((size - 100)) "$BATS_TEST_TMPDIR/good.car" > "$BATS_TEST_TMPDIR/short.car"
	run lst-block import < "$BATS_TEST_TMPDIR/short.car"
	assert_failure 6
	echo "not a car" > "$BATS_TEST_TMPDIR/junk.car"
	run lst-block import < "$BATS_TEST_TMPDIR/junk.car"
	assert_failure 6
	[ -z "$(find "$LST_HOME/blocks" -type f -not -path '*/pins/*' | head -1)" ]
	[ -z "$(ls "$LST_HOME/blocks/pins")" ]
	run lst-block import < "$BATS_TEST_TMPDIR/good.car"
	assert_success
}

@test "export needs a ROOT that is here" {
	run lst-block export bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
	assert_failure 3
	run lst-block export
	assert_failure 2
}
