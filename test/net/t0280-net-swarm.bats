#!/usr/bin/env bats
# The swarm on loopback: one seed and ten readers fetch a 64 MiB file at
# the same time through a node's provider registry. The seed stops as soon
# as the first reader has everything; the others finish from each other.

load net-helper

MIB=1048576

# swarm_serve HOME: a detached gateway for HOME on a free port; prints its URL.
swarm_serve() {
	LST_HOME="$1" lst-swarm serve --listen 127.0.0.1:0 --detach 3>&- | jq -r .url
}

teardown() {
	local f pid
	for f in "$BATS_TEST_TMPDIR"/*/swarm.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2> /dev/null) || continue
		[ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q lst-swarm &&
			kill -9 "$pid" 2> /dev/null || true
	done
	for f in "$BATS_TEST_TMPDIR"/r*/fetch.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2> /dev/null || true
	done
}

@test "one seed, ten readers at once: identical bytes; the seed stops after the first; the rest finish from each other" {
	T="$BATS_TEST_TMPDIR"
	head -c $((64 * MIB)) /dev/urandom > "$T/book.bin"
	tracker=$(swarm_serve "$T/tracker")
	export LST_HOME="$T/seed"
	lst-sign keygen --name seed --insecure-plaintext-key > /dev/null
	root=$(lst-block add --public "$T/book.bin" | jq -r .root)
	seed=$(swarm_serve "$T/seed")
	lst-swarm announce --node "$tracker" "$root" > /dev/null
	unset LST_HOME
	for i in $(seq 1 10); do
		LST_HOME="$T/r$i" lst-sign keygen --name "r$i" --insecure-plaintext-key > /dev/null
		swarm_serve "$T/r$i" > "$T/r$i.url"
	done
	# fetch I: reader I's fetch in the background.
	fetch() {
		(LST_HOME="$T/r$1" exec lst-swarm fetch --json --node "$tracker" "$root" > "$T/r$1/out.json" 2> "$T/r$1/err") 3>&- &
		echo $! > "$T/r$1/fetch.pid"
	}
	# Reader 1 starts first; the nine others join when it has a quarter,
	# so all ten fetch at once and reader 1 is the first to finish.
	fetch 1
	for ((w = 0; w < 1200; w++)); do
		[ "$(tail -n 1 "$T/r1/out.json" 2> /dev/null | jq -r '.bytes // 0' 2> /dev/null || echo 0)" -ge $((16 * MIB)) ] && break
		sleep 0.05
	done
	for i in $(seq 2 10); do
		fetch "$i"
	done
	wait "$(cat "$T/r1/fetch.pid")" || { cat "$T/r1/err" >&2; false; }
	# The first reader is done: the seed goes away.
	uploaded=$(LST_HOME="$T/seed" lst-swarm stats | jq -r .uploaded_bytes)
	LST_HOME="$T/seed" lst-swarm stop > /dev/null
	running=0
	for i in $(seq 2 10); do
		kill -0 "$(cat "$T/r$i/fetch.pid")" 2> /dev/null && running=$((running + 1))
	done
	[ "$running" -ge 1 ]
	for i in $(seq 2 10); do
		wait "$(cat "$T/r$i/fetch.pid")" || { cat "$T/r$i/err" >&2; false; }
	done
	want=$(sha256sum < "$T/book.bin")
	for i in $(seq 1 10); do
		[ "$(LST_HOME="$T/r$i" lst-block cat "$root" | sha256sum)" = "$want" ]
	done
	# Every byte had to leave the seed at least once.
	[ "$uploaded" -ge $((64 * MIB)) ]
	# Readers served each other: bytes that did not come from the seed.
	from_readers=$(cat "$T"/r*/out.json | jq -s --arg s "$seed" '[.[] | select(.event == "done" and .root != null) | .from | to_entries[] | select(.key != $s) | .value] | add // 0')
	[ "$from_readers" -gt 0 ]
	echo "# seed uploaded $uploaded bytes ($(awk "BEGIN { printf \"%.2f\", $uploaded / (64 * $MIB) }") x the file) before it stopped; $running of 9 readers were still fetching then; readers served each other $from_readers bytes" >&3
	# Each reader now provides the root, completely.
	[ "$(lst-swarm providers --node "$tracker" "$root" | jq -s '[.[] | select(.complete)] | length')" -ge 10 ]
}
