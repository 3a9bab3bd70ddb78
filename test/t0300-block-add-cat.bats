#!/usr/bin/env bats
# lst-block add and cat: public UnixFS and encrypted objects, every size
# that matters to the chunker, keys, segments, and bad input.

load helper

CHUNK=1048576

# mkfile NAME SIZE: SIZE random bytes in $BATS_TEST_TMPDIR/NAME.
mkfile() {
	head -c "$2" /dev/urandom > "$BATS_TEST_TMPDIR/$1"
}

@test "public add/cat round trip: empty, 1 byte, chunk-1, chunk, chunk+1, 3 chunks+5" {
	for size in 0 1 $((CHUNK - 1)) $CHUNK $((CHUNK + 1)) $((3 * CHUNK + 5)); do
		mkfile f$size $size
		run_split lst-block add --public "$BATS_TEST_TMPDIR/f$size"
		assert_success
		root=$(echo "$output" | jq -r .root)
		[ "$(echo "$output" | jq -r .encrypted)" = false ]
		[ "$(echo "$output" | jq -r '.files[0].size')" = "$size" ]
		[ "$(echo "$output" | jq -r '.files[0].path')" = "f$size" ]
		[ "$(echo "$output" | jq -r '.files[0].cid')" = "$root" ]
		lst-block cat "$root" > "$BATS_TEST_TMPDIR/out"
		cmp "$BATS_TEST_TMPDIR/f$size" "$BATS_TEST_TMPDIR/out"
	done
}

@test "a file of one chunk or less is a raw leaf; more is a dag-pb root with one link per chunk" {
	mkfile small 1000
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/small" | jq -r .root)
	[[ $root == bafkrei* ]]
	run lst-block stat "$root"
	assert_success
	[ "$(echo "$output" | jq -r .codec)" = raw ]
	[ "$(echo "$output" | jq -r .size)" = 1000 ]
	mkfile big $((2 * CHUNK + 1))
	run lst-block add --public "$BATS_TEST_TMPDIR/big"
	[ "$(echo "$output" | jq -r .blocks)" = 4 ]
	root=$(echo "$output" | jq -r .root)
	[[ $root == bafybei* ]]
	run lst-block stat "$root"
	[ "$(echo "$output" | jq -r .codec)" = dag-pb ]
	[ "$(echo "$output" | jq -r .type)" = file ]
	[ "$(echo "$output" | jq -r .links)" = 3 ]
	[ "$(echo "$output" | jq -r .size)" = $((2 * CHUNK + 1)) ]
}

@test "the same bytes give the same root in another home; the empty file's known CID" {
	: > "$BATS_TEST_TMPDIR/empty"
	run lst-block add --public "$BATS_TEST_TMPDIR/empty"
	[ "$(echo "$output" | jq -r .root)" = bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku ]
	mkfile r $((CHUNK + 7))
	a=$(lst-block add --public "$BATS_TEST_TMPDIR/r" | jq -r .root)
	b=$(LST_HOME="$BATS_TEST_TMPDIR/other" lst-block add --public - < "$BATS_TEST_TMPDIR/r" | jq -r .root)
	[ "$a" = "$b" ]
}

@test "public directories: ls, cat by path, get writes the tree" {
	mkdir -p "$BATS_TEST_TMPDIR/book/img"
	echo "chapter one" > "$BATS_TEST_TMPDIR/book/ch1.md"
	echo "chapter two" > "$BATS_TEST_TMPDIR/book/ch2.md"
	mkfile book/img/cover.png 70000
	run lst-block add --public "$BATS_TEST_TMPDIR/book"
	assert_success
	root=$(echo "$output" | jq -r .root)
	[ "$(echo "$output" | jq -r '[.files[].path] | join(",")')" = "ch1.md,ch2.md,img/cover.png" ]
	run lst-block ls "$root"
	assert_success
	[ "$(echo "$output" | jq -rs 'map(.name) | join(",")')" = "ch1.md,ch2.md,img" ]
	[ "$(echo "$output" | jq -rs 'map(.type) | join(",")')" = "file,file,directory" ]
	[ "$(lst-block cat "$root/ch2.md")" = "chapter two" ]
	lst-block cat "$root/img/cover.png" | cmp - "$BATS_TEST_TMPDIR/book/img/cover.png"
	run lst-block cat "$root/nope.md"
	assert_failure 3
	lst-block get "$root" -o "$BATS_TEST_TMPDIR/out" > /dev/null
	diff -r "$BATS_TEST_TMPDIR/book" "$BATS_TEST_TMPDIR/out"
}

@test "encrypted add/cat round trip at every chunk edge; blocks hold no plaintext" {
	for size in 0 1 $((CHUNK - 1)) $CHUNK $((CHUNK + 1)) $((3 * CHUNK + 5)); do
		mkfile e$size $size
		run_split lst-block add "$BATS_TEST_TMPDIR/e$size"
		assert_success
		root=$(echo "$output" | jq -r .root)
		[ "$(echo "$output" | jq -r .encrypted)" = true ]
		[ "$(stat -c %a "$LST_HOME/content-keys/$root")" = 600 ]
		lst-block cat "$root" > "$BATS_TEST_TMPDIR/out"
		cmp "$BATS_TEST_TMPDIR/e$size" "$BATS_TEST_TMPDIR/out"
	done
	printf 'a very plain secret sentence that should never appear in a block\n' > "$BATS_TEST_TMPDIR/secret.txt"
	lst-block add "$BATS_TEST_TMPDIR/secret.txt" > /dev/null
	! grep -rq "plain secret sentence" "$LST_HOME/blocks"
}

@test "100 MiB random file: public and encrypted round trips" {
	mkfile huge $((100 * CHUNK))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/huge" | jq -r .root)
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/huge"
	run lst-block verify "$root"
	assert_success
	[ "$(echo "$output" | jq -r .checked)" = 101 ]
	root=$(lst-block add "$BATS_TEST_TMPDIR/huge" | jq -r .root)
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/huge"
}

@test "a wrong key is refused with exit 4 and no plaintext is written" {
	mkfile p 5000
	root=$(lst-block add "$BATS_TEST_TMPDIR/p" | jq -r .root)
	head -c 32 /dev/urandom | xxd -p -c 64 > "$BATS_TEST_TMPDIR/wrong.key"
	run_split lst-block cat --key-file "$BATS_TEST_TMPDIR/wrong.key" "$root"
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == *"wrong key"* ]]
	# Without any key kept: refused, with the hint.
	rm "$LST_HOME/content-keys/$root"
	run_split lst-block cat "$root"
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == *"no content key"* ]]
	echo "not a key" > "$BATS_TEST_TMPDIR/junk.key"
	run lst-block cat --key-file "$BATS_TEST_TMPDIR/junk.key" "$root"
	assert_failure 6
}

@test "--key-file and --derive-key: the same tree and key give the same root" {
	mkdir "$BATS_TEST_TMPDIR/b"
	mkfile b/a.md 3000
	mkfile b/b.md $((CHUNK + 3))
	head -c 32 /dev/urandom | xxd -p -c 64 > "$BATS_TEST_TMPDIR/k"
	r1=$(lst-block add --key-file "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	r2=$(LST_HOME="$BATS_TEST_TMPDIR/h2" lst-block add --key-file "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	[ "$r1" = "$r2" ]
	lst-block cat --key-file "$BATS_TEST_TMPDIR/k" "$r1/b.md" | cmp - "$BATS_TEST_TMPDIR/b/b.md"
	# get writes the decrypted tree; a wrong key writes nothing.
	lst-block get "$r1" -o "$BATS_TEST_TMPDIR/out" > /dev/null
	diff -r "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/out"
	head -c 32 /dev/urandom | xxd -p -c 64 > "$BATS_TEST_TMPDIR/wrong"
	run lst-block get --key-file "$BATS_TEST_TMPDIR/wrong" "$r1" -o "$BATS_TEST_TMPDIR/out2"
	assert_failure 4
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/out2" 2> /dev/null)" ]
	plain_key author > /dev/null
	d1=$(lst-block add --derive-key "My Book" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	d2=$(lst-block add --derive-key "My Book" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	d3=$(lst-block add --derive-key "Other Book" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	[ "$d1" = "$d2" ]
	[ "$d1" != "$d3" ]
	[ "$d1" != "$r1" ]
	echo changed >> "$BATS_TEST_TMPDIR/b/a.md"
	d4=$(lst-block add --derive-key "My Book" "$BATS_TEST_TMPDIR/b" | jq -r .root)
	[ "$d4" != "$d1" ]
	run lst-block ls "$d1"
	assert_success
	[ "$(echo "$output" | jq -rs 'map(.path) | join(",")')" = "a.md,b.md" ]
}

@test "--segment reads one segment alone; pages of 4 KiB" {
	mkfile pages $((10 * 4096 + 100))
	root=$(lst-block add --segment-size 4096 "$BATS_TEST_TMPDIR/pages" | jq -r .root)
	lst-block cat --segment 3 "$root" > "$BATS_TEST_TMPDIR/seg3"
	dd if="$BATS_TEST_TMPDIR/pages" bs=4096 skip=3 count=1 status=none | cmp - "$BATS_TEST_TMPDIR/seg3"
	lst-block cat --segment 10 "$root" | cmp - <(tail -c 100 "$BATS_TEST_TMPDIR/pages")
	run lst-block cat --segment 11 "$root"
	assert_failure 6
	run lst-block ls "$root"
	[ "$(echo "$output" | jq -r .segments)" = 11 ]
	run lst-block add --segment-size 100 "$BATS_TEST_TMPDIR/pages"
	assert_failure 2
}

@test "bad input: usage errors exit 2, bad CIDs exit 6, missing paths exit 3; nothing is added" {
	run lst-block add
	assert_failure 2
	run lst-block add --public --key-file x "$BATS_TEST_TMPDIR"
	assert_failure 2
	run lst-block add --key-file a --derive-key b x
	assert_failure 2
	run_split lst-block add --public "$BATS_TEST_TMPDIR/nonexistent"
	assert_failure 3
	[[ $stderr == "lst-block: error: "*"nonexistent"* ]]
	run lst-block cat not-a-cid
	assert_failure 6
	run lst-block cat bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
	assert_failure 3
	run lst-block add --public /dev/null
	assert_failure 6
	if [ -d "$LST_HOME/blocks" ]; then
		[ -z "$(find "$LST_HOME/blocks" -type f -not -path '*/pins/*' | head -1)" ]
	fi
}

@test "an interrupted add leaves no half block: every block in the store verifies" {
	mkfifo "$BATS_TEST_TMPDIR/pipe"
	lst-block add --public - < "$BATS_TEST_TMPDIR/pipe" > /dev/null 3>&- &
	pid=$!
	exec 4> "$BATS_TEST_TMPDIR/pipe"
	head -c $((5 * CHUNK + 1000)) /dev/urandom >&4
	sleep 0.5
	kill -9 $pid
	exec 4>&-
	wait $pid || true
	run lst-block verify
	assert_success
	[ "$(echo "$output" | jq -r .checked)" -ge 1 ]
	[ "$(echo "$output" | jq -r '.corrupt | length')" = 0 ]
}

@test "memory stays flat: adding and reading 512 MiB (public and encrypted) peak under 64 MiB" {
	head -c $((512 * CHUNK)) /dev/urandom > "$BATS_TEST_TMPDIR/big"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" lst-block add --public "$BATS_TEST_TMPDIR/big" > "$BATS_TEST_TMPDIR/add.json"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 65536 ]
	root=$(jq -r .root "$BATS_TEST_TMPDIR/add.json")
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" lst-block cat "$root" > /dev/null
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 65536 ]
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" lst-block add "$BATS_TEST_TMPDIR/big" > "$BATS_TEST_TMPDIR/add.json"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 65536 ]
	root=$(jq -r .root "$BATS_TEST_TMPDIR/add.json")
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" lst-block cat "$root" > /dev/null
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 65536 ]
	rm -f "$BATS_TEST_TMPDIR/big"
}
