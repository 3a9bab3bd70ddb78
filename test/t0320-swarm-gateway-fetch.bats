#!/usr/bin/env bats
# lst-swarm: the trustless gateway (statuses and headers as the IPFS spec
# says), announce and providers, and fetch from one or several peers,
# with a corrupt peer, a dead peer and a resumed fetch.

load helper

CHUNK=1048576

mkfile() {
	head -c "$2" /dev/urandom > "$BATS_TEST_TMPDIR/$1"
}

# serve HOME: a detached gateway for HOME on a free port; sets URL.
serve() {
	URL=$(LST_HOME="$1" lst-swarm serve --listen 127.0.0.1:0 --detach 3>&- | jq -r .url)
	[ -n "$URL" ] && [ "$URL" != null ]
}

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/seed"
	SEEDS=()
}

teardown() {
	for h in "$BATS_TEST_TMPDIR"/*/; do
		[ -f "$h/swarm.pid" ] && LST_HOME="$h" lst-swarm stop > /dev/null 2>&1 || true
	done
}

# hdr NAME: the value of header NAME in $BATS_TEST_TMPDIR/h (curl -D).
hdr() {
	grep -i "^$1:" "$BATS_TEST_TMPDIR/h" | head -1 | cut -d' ' -f2- | tr -d '\r'
}

@test "gateway: raw blocks with the spec's headers, by ?format and by Accept" {
	echo "hello gateway" > "$BATS_TEST_TMPDIR/small"
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/small" | jq -r .root)
	serve "$LST_HOME"
	code=$(curl -s -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$URL/ipfs/$root?format=raw")
	[ "$code" = 200 ]
	cmp "$BATS_TEST_TMPDIR/body" "$BATS_TEST_TMPDIR/small"
	[ "$(hdr Content-Type)" = application/vnd.ipld.raw ]
	[ "$(hdr X-Content-Type-Options)" = nosniff ]
	[ "$(hdr Etag)" = "\"$root.raw\"" ]
	[[ $(hdr Cache-Control) == *immutable* ]]
	[ "$(hdr Content-Length)" = 14 ]
	[ "$(hdr X-Ipfs-Path)" = "/ipfs/$root" ]
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body2" -w '%{http_code}' -H 'Accept: application/vnd.ipld.raw' "$URL/ipfs/$root")
	[ "$code" = 200 ]
	cmp "$BATS_TEST_TMPDIR/body2" "$BATS_TEST_TMPDIR/small"
	# HEAD: the same headers, no body.
	code=$(curl -s -I -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/body3" -w '%{http_code}' "$URL/ipfs/$root?format=raw")
	[ "$code" = 200 ]
	[ "$(hdr Content-Length)" = 14 ]
	[ "$(hdr Content-Type)" = application/vnd.ipld.raw ]
	# The identity probe.
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/bafkqaaa?format=raw")" = 200 ]
}

@test "gateway: 400 bad CID, 404 missing, 406 no format, 405 other methods" {
	mkfile a 10
	lst-block add --public "$BATS_TEST_TMPDIR/a" > /dev/null
	serve "$LST_HOME"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/not-a-cid?format=raw")" = 400 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku?format=raw")" = 404 ]
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/a" | jq -r .root)
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/$root")" = 406 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "$URL/ipfs/$root")" = 406 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/$root?format=tar")" = 406 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/ipfs/$root?format=raw")" = 405 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/ipfs/$root?format=raw")" = 405 ]
}

@test "gateway: a CAR of a whole DAG that lst-block import takes back" {
	mkfile f $((3 * CHUNK + 11))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	serve "$LST_HOME"
	code=$(curl -s -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/x.car" -w '%{http_code}' "$URL/ipfs/$root?format=car")
	[ "$code" = 200 ]
	[[ $(hdr Content-Type) == application/vnd.ipld.car* ]]
	run env LST_HOME="$BATS_TEST_TMPDIR/r" lst-block import < "$BATS_TEST_TMPDIR/x.car"
	assert_success
	[ "$(echo "$output" | jq -r .blocks)" = 5 ]
	LST_HOME="$BATS_TEST_TMPDIR/r" lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/f"
	run lst-swarm stats
	assert_success
	[ "$(echo "$output" | jq -r .uploaded_bytes)" -gt $((3 * CHUNK)) ]
	[ "$(echo "$output" | jq -r .url)" = "$URL" ]
}

@test "serve: a second gateway on one home is refused; stop; a gateway killed with -9 restarts" {
	serve "$LST_HOME"
	run lst-swarm serve --listen 127.0.0.1:0 --detach
	assert_failure 4
	[[ $output == *"already running"* ]]
	kill -9 "$(cat "$LST_HOME/swarm.pid")"
	sleep 0.2
	serve "$LST_HOME"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ipfs/bafkqaaa?format=raw")" = 200 ]
	run lst-swarm stop
	assert_success
	[ "$(echo "$output" | jq -r .stopped)" = true ]
	run lst-swarm serve --listen nonsense --detach
	assert_failure
}

@test "fetch from one peer: identical bytes, JSON progress, and the peer's share" {
	mkfile f $((5 * CHUNK + 3))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	serve "$LST_HOME"
	seed=$URL
	export LST_HOME="$BATS_TEST_TMPDIR/reader"
	run_split lst-swarm fetch --json --peer "$seed" "$root"
	assert_success
	last=$(echo "$output" | tail -1)
	[ "$(echo "$last" | jq -r .event)" = done ]
	[ "$(echo "$last" | jq -r .blocks)" = 7 ]
	[ "$(echo "$last" | jq -r .blocks_fetched)" = 7 ]
	[ "$(echo "$last" | jq -r --arg s "$seed" '.from[$s]')" -gt $((5 * CHUNK)) ]
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/f"
	[ "$(lst-block stat "$root" | jq -r .pinned)" = true ]
	# Again: nothing left to fetch.
	run lst-swarm fetch --peer "$seed" "$root"
	assert_success
	[ "$(echo "$output" | jq -r .blocks_fetched)" = 0 ]
}

@test "fetch resumes: blocks already here are not fetched again" {
	mkfile f $((6 * CHUNK))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	serve "$LST_HOME"
	seed=$URL
	# Give the reader the first three chunks (as a partial earlier fetch would have).
	head -c $((3 * CHUNK)) "$BATS_TEST_TMPDIR/f" > "$BATS_TEST_TMPDIR/part"
	for i in 0 1 2; do
		dd if="$BATS_TEST_TMPDIR/f" bs=$CHUNK skip=$i count=1 status=none > "$BATS_TEST_TMPDIR/c$i"
		LST_HOME="$BATS_TEST_TMPDIR/reader" lst-block add --public "$BATS_TEST_TMPDIR/c$i" > /dev/null
	done
	export LST_HOME="$BATS_TEST_TMPDIR/reader"
	run lst-swarm fetch --peer "$seed" "$root"
	assert_success
	[ "$(echo "$output" | jq -r .blocks_fetched)" = 4 ]
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/f"
}

@test "fetch drops a peer that serves a corrupt block and completes from a good one" {
	# More leaves than one peer may have in flight, so both peers are asked.
	mkfile f $((12 * CHUNK + 1))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	# A second seed with the same blocks, one of them corrupted on disk.
	LST_HOME="$BATS_TEST_TMPDIR/bad" lst-block add --public "$BATS_TEST_TMPDIR/f" > /dev/null
	for leaf in $(find "$BATS_TEST_TMPDIR/bad/blocks" -type f -name 'bafkrei*'); do
		printf 'X' | dd of="$leaf" bs=1 seek=7 conv=notrunc status=none
	done
	serve "$LST_HOME"
	good=$URL
	serve "$BATS_TEST_TMPDIR/bad"
	bad=$URL
	# From the bad peer alone: the fetch fails and stores nothing wrong.
	export LST_HOME="$BATS_TEST_TMPDIR/reader"
	run_split lst-swarm fetch --peer "$bad" "$root"
	assert_failure
	run lst-block verify
	assert_success
	run_split lst-swarm fetch --json --peer "$bad" --peer "$good" "$root"
	assert_success
	echo "$output" | jq -se --arg b "$bad" 'map(select(.event == "peer-dropped" and .peer == $b)) | length == 1' > /dev/null
	[ "$(echo "$output" | tail -1 | jq -r --arg b "$bad" '.from[$b]')" = null ]
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/f"
	run lst-block verify "$root"
	assert_success
}

@test "fetch from an unreachable peer exits 5; an unknown root exits 3" {

	export LST_HOME="$BATS_TEST_TMPDIR/reader"
	run lst-swarm fetch --peer "http://127.0.0.1:1" bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku
	assert_failure 5
	LST_HOME="$BATS_TEST_TMPDIR/seed" serve "$BATS_TEST_TMPDIR/seed"
	run lst-swarm fetch --peer "$URL" bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
	assert_failure 3
	run lst-swarm fetch --peer "$URL" not-a-cid
	assert_failure 6
	run lst-swarm fetch
	assert_failure 2
}

@test "announce and providers: a signed record at the node; fetch finds the seed through it; the reader provides after" {
	mkfile f $((2 * CHUNK + 5))
	plain_key seed > /dev/null
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	serve "$BATS_TEST_TMPDIR/tracker"
	tracker=$URL
	serve "$LST_HOME"
	seed=$URL
	run lst-swarm announce --node "$tracker" "$root"
	assert_success
	[ "$(echo "$output" | jq -r .complete)" = true ]
	run lst-swarm providers --node "$tracker" "$root"
	assert_success
	[ "${#lines[@]}" = 1 ]
	[ "$(echo "$output" | jq -r .url)" = "$seed" ]
	[ "$(echo "$output" | jq -r .complete)" = true ]
	[ "$(echo "$output" | jq -r .address | tr A-F a-f)" = "$(lst-sign address seed | jq -r .address | tr A-F a-f)" ]
	# A forged record (signature of another key) is refused by the node.
	rec=$(echo "$output" | jq -c '.url = "http://127.0.0.1:1"')
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "$rec" "$tracker/lst/v1/providers")
	[ "$code" = 400 ] || [ "$code" = 403 ]
	# A reader with its own gateway fetches through the node alone, then is a provider too.
	export LST_HOME="$BATS_TEST_TMPDIR/reader"
	plain_key reader > /dev/null
	serve "$LST_HOME"
	run lst-swarm fetch --node "$tracker" "$root"
	assert_success
	lst-block cat "$root" | cmp - "$BATS_TEST_TMPDIR/f"
	run lst-swarm providers --node "$tracker" "$root"
	[ "${#lines[@]}" = 2 ]
	echo "$output" | jq -e --arg u "$URL" 'select(.url == $u and .complete == true)' > /dev/null
	# Announcing a root that is not here is refused.
	run lst-swarm announce --node "$tracker" bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
	assert_failure 3
}

@test "serve announces the whole pinned roots of its store to the node, and again every --announce-every" {
	plain_key seed > /dev/null
	mkfile f $((CHUNK + 9))
	root=$(lst-block add --public "$BATS_TEST_TMPDIR/f" | jq -r .root)
	serve "$BATS_TEST_TMPDIR/tracker"
	tracker=$URL
	URL=$(lst-swarm serve --listen 127.0.0.1:0 --node "$tracker" --announce-every 10 --detach 3>&- | jq -r .url)
	for ((i = 0; i < 50; i++)); do
		[ -n "$(lst-swarm providers --node "$tracker" "$root")" ] && break
		sleep 0.1
	done
	run lst-swarm providers --node "$tracker" "$root"
	assert_success
	[ "$(echo "$output" | jq -r .url)" = "$URL" ]
	[ "$(echo "$output" | jq -r .complete)" = true ]
	exp1=$(echo "$output" | jq -r .expires)
	[ "$exp1" -gt "$(date +%s)" ] && [ "$exp1" -le $(($(date +%s) + 20)) ]
	# A second round renews the record.
	sleep 11
	[ "$(lst-swarm providers --node "$tracker" "$root" | jq -r .expires)" -gt "$exp1" ]
	grep -q "announced 1 root" "$LST_HOME/swarm.log"
	run lst-swarm serve --announce-every 5 --listen 127.0.0.1:0
	assert_failure 2
}
