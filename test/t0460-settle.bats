#!/usr/bin/env bats
# lst-settle on a dev chain with 20-second periods: a member reads pages of
# two paged books of one author; settling a period before it ends is
# refused (exit 4, when it ends said) and pays nothing; after it ends the
# settlement pays the author exactly what the statement projected and the
# foundation the fee and the remainder; settling twice is refused; the
# statement after equals the one before; earnings list the direct sale and
# the payouts; a period with no page read pays the foundation the pool.

load helper

FEE=1000000000000000000 # the category's fee per period: 1 LST
SUBS=0x4c53540000000000000000000000000000000005

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/author"
	git_author
	lst-chain init --dev --subscription-period 20 > "$BATS_TEST_TMPDIR/init.json"
	start_daemon
	DEV=$(jq -r .developer "$BATS_TEST_TMPDIR/init.json")
	FND=$(jq -r .foundation "$BATS_TEST_TMPDIR/init.json")
}

teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/liar-*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null
	done
	lst-chain stop > /dev/null 2>&1 || true
}

# liar MODE: a node in front of ours that forges the subscription
# contract's Payout logs (MODE amount: one Photon more each; drop: none);
# prints its URL.
liar() {
	python3 -c '
import http.server, json, sys, urllib.request
up, mode, portfile = sys.argv[1:4]
SUBS = "0x4c53540000000000000000000000000000000005"
def forge(r):
	res = r.get("result") if isinstance(r, dict) else None
	if not isinstance(res, list):
		return r
	out = []
	for l in res:
		payout = (isinstance(l, dict) and l.get("address", "").lower() == SUBS
			and len(l.get("topics", [])) == 4 and len(l.get("data", "")) == 2 + 3 * 64)
		if payout and mode == "drop":
			continue
		if payout:
			l["data"] = l["data"][:130] + "%064x" % (int(l["data"][130:], 16) + 1)
		out.append(l)
	r["result"] = out
	return r
class H(http.server.BaseHTTPRequestHandler):
	def do_POST(self):
		body = self.rfile.read(int(self.headers["Content-Length"]))
		req = urllib.request.Request(up, data=body, headers={"Content-Type": "application/json"})
		resp = json.loads(urllib.request.urlopen(req).read())
		resp = [forge(r) for r in resp] if isinstance(resp, list) else forge(resp)
		data = json.dumps(resp).encode()
		self.send_response(200)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)
	def log_message(self, *a):
		pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
	f.write(str(s.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
' "$RPC" "$1" "$BATS_TEST_TMPDIR/liar-$1.port" > /dev/null 2>&1 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/liar-$1.pid"
	local i
	for i in $(seq 1 100); do
		[ -f "$BATS_TEST_TMPDIR/liar-$1.port" ] && break
		sleep 0.1
	done
	echo "http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/liar-$1.port")"
}

balance() {
	lst-chain balance "$1" | jq -r .balance
}

# book NAME PAGES: publish a paged book of about PAGES pages by the
# developer and enroll it in fiction; prints its id.
book() {
	local repo="$BATS_TEST_TMPDIR/$1"
	mkdir -p "$repo"
	head -c $(($2 * 2048 - 100)) /dev/urandom | base64 -w 76 | head -c $(($2 * 2048 - 100)) > "$repo/text.md"
	git -C "$repo" init -q
	git -C "$repo" add text.md
	git -C "$repo" commit -qm one
	git -C "$repo" tag v1
	lst publish --pages --repo "$repo" --ref v1 --title "$1" --price 1lst --yes --json | jq -r .book
}

# The world: category fiction (1 LST a period), books A and B enrolled, a
# funded reader (its home using the author's node) subscribed for four
# periods from K.
world() {
	lst category create fiction --fee 1lst --json > "$BATS_TEST_TMPDIR/cat.json"
	A=$(book Winter 4)
	B=$(book Summer 4)
	[[ $A =~ ^0x[0-9a-f]{64}$ && $B =~ ^0x[0-9a-f]{64}$ ]]
	lst enroll "$A" fiction --json > /dev/null
	lst enroll "$B" fiction --json > /dev/null
	READER="$BATS_TEST_TMPDIR/reader"
	RADDR=$(LST_HOME="$READER" plain_key reader)
	LST_HOME="$READER" lst config rpc "$RPC" > /dev/null
	lst send "$RADDR" 20 > /dev/null
	as_reader lst subscribe fiction --months 4 --yes --json > "$BATS_TEST_TMPDIR/sub.json"
	K=$(jq -r .from "$BATS_TEST_TMPDIR/sub.json")
	[ "$(jq -r .until "$BATS_TEST_TMPDIR/sub.json")" = $((K + 4)) ]
}

as_reader() {
	LST_HOME="$READER" "$@"
}

# statement PERIOD: the fiction statement of PERIOD, as JSON.
statement() {
	lst-settle statement fiction "$1"
}

# wait_ended PERIOD: until the chain's time is past PERIOD (bounded).
wait_ended() {
	local i
	for i in $(seq 1 300); do
		[ "$(statement "$1" | jq -r .ended)" = true ] && return 0
		sleep 0.2
	done
	echo "period $1 did not end" >&2
	return 1
}

# The period (K or K + 1) in which the reader's pages were counted.
read_period() {
	local k
	for k in $K $((K + 1)); do
		[ "$(statement "$k" | jq -r .pages)" != 0 ] && echo "$k" && return 0
	done
	return 1
}

@test "settle: refused before the end; after it the author gets the projection, the foundation the fee and the remainder; once" {
	world
	# A direct sale of A too, for earnings.
	as_reader lst-buy --yes --no-fetch "$A" > "$BATS_TEST_TMPDIR/buy.json"
	# Pages: 1 of A, 2 of B (the split leaves a remainder).
	as_reader lst read "$A" --page 1 --json > /dev/null
	as_reader lst read "$B" --page 1-2 --json > /dev/null
	P=$(read_period)
	run_split lst-settle statement fiction "$P"
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/before.json"
	jq -e --arg a "$A" --arg b "$B" --arg dev "$DEV" --argjson P "$P" '
		.settled == false and .height == 0 and .category_name == "fiction" and .label == ($P | tostring)
		and .pool == "1000000000000000000" and .service_fee_bps == 500
		and .fee == "50000000000000000" and .pages == 3
		and (.books | length) == 2
		and .books[0].book == $a and .books[0].pages == 1 and .books[0].share == "0.333333"
		and .books[0].payout == "316666666666666666" and .books[0].author == $dev and .books[0].title == "Winter"
		and .books[1].book == $b and .books[1].pages == 2 and .books[1].share == "0.666666"
		and .books[1].payout == "633333333333333333"
		and .remainder == "1" and .paid == "949999999999999999" and .foundation_receives == "50000000000000001"
		and (.authors | length) == 1 and .authors[0].author == $dev and .authors[0].books == 2
		and .authors[0].pages == 3 and .authors[0].total == "949999999999999999"' \
		"$BATS_TEST_TMPDIR/before.json"

	# Before its end, a later period (paid for, nothing read) is refused: nothing changes.
	a0=$(balance "$DEV")
	f0=$(balance "$FND")
	s0=$(balance "$SUBS")
	r0=$(balance "$RADDR")
	N=$((P + 2))
	run_split env LST_HOME="$READER" lst-settle period fiction "$N"
	assert_failure 4
	assert_output ''
	[[ $stderr == *"period $N has not ended (ends at "* ]]
	[[ $stderr == *"hint: period $N ends at "*" UTC, in "* ]]
	[ "$(balance "$DEV")" = "$a0" ]
	[ "$(balance "$FND")" = "$f0" ]
	[ "$(balance "$SUBS")" = "$s0" ]
	[ "$(balance "$RADDR")" = "$r0" ]
	[ "$(statement "$N" | jq -r .settled)" = false ]

	# After the end: anyone settles (the reader here); the split is paid.
	wait_ended "$P"
	run_split env LST_HOME="$READER" lst-settle period fiction "$P"
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/settled.json"
	[[ $(jq -r .tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(jq -r .settled <<< "$output")" = true ]
	[ "$(jq -r .height <<< "$output")" -gt 0 ]
	[ "$(echo "$(balance "$DEV") - $a0" | bc)" = 949999999999999999 ]
	[ "$(echo "$(balance "$FND") - $f0" | bc)" = 50000000000000001 ]
	[ "$(echo "$s0 - $(balance "$SUBS")" | bc)" = "$FEE" ]
	# What was paid is what was projected, key for key.
	diff <(jq -S 'del(.settled, .height, .ended)' "$BATS_TEST_TMPDIR/before.json") \
		<(jq -S 'del(.settled, .height, .ended, .tx)' "$BATS_TEST_TMPDIR/settled.json")

	# Twice: refused with the contract's reason; nothing moves.
	a1=$(balance "$DEV")
	f1=$(balance "$FND")
	run_split env LST_HOME="$READER" lst-settle period fiction "$P"
	assert_failure 4
	assert_output ''
	[[ $stderr == *"period $P is already settled"* ]]
	[ "$(balance "$DEV")" = "$a1" ]
	[ "$(balance "$FND")" = "$f1" ]

	# The statement after equals the one before, settled now.
	run_split lst-settle statement fiction "$P"
	assert_success
	diff <(jq -S 'del(.settled, .height, .ended)' "$BATS_TEST_TMPDIR/before.json") \
		<(jq -S 'del(.settled, .height, .ended)' <<< "$output")
	[ "$(jq -r .height <<< "$output")" = "$(jq -r .height "$BATS_TEST_TMPDIR/settled.json")" ]
	# A node that forges the Payouts is caught: an error, no statement.
	for mode in amount drop; do
		url=$(liar "$mode")
		run_split lst-settle --rpc "$url" statement fiction "$P"
		assert_failure 1
		assert_output ''
		[[ $stderr == *"the settlement of 'fiction' for period $P disagrees with its counts"* ]]
	done
	# (the same proxy passes everything else through: earnings of the reader, who has no Payouts)
	run lst-settle --rpc "$url" earnings "$RADDR"
	assert_success
	# and for people, a table.
	run_split lst-settle statement --human fiction "$P"
	assert_success
	assert_line --regexp '^status +settled at block [0-9]+$'
	assert_line --regexp "^${A:0:12} +Winter +$DEV +1 +33\.33% +0\.316666666666666666 LST$"
	assert_line --regexp "^$DEV +2 +3 +0\.949999999999999999 LST$"

	# Earnings: the direct sale (price less the fee) and the two payouts.
	run_split lst-settle earnings
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/earn.json"
	jq -e --arg a "$A" --arg b "$B" --arg dev "$DEV" --arg r "$RADDR" --argjson P "$P" '
		.address == $dev and .period_length == 20
		and .direct == "950000000000000000" and .subscription == "949999999999999999"
		and .total == "1899999999999999999"
		and (.sales | length) == 1 and .sales[0].book == $a and .sales[0].buyer == $r
		and .sales[0].price == "1000000000000000000" and .sales[0].earned == "950000000000000000"
		and (.payouts | length) == 2 and ([.payouts[].book] | sort) == ([$a, $b] | sort)
		and ([.payouts[] | .period] | unique) == [$P]
		and ([.payouts[].amount] | sort) == ["316666666666666666", "633333333333333333"]
		and ([.periods[].subscription] | map(tonumber) | add) > 0
		and (.periods | map(select(.period == $P)) | .[0].payouts) == 2' "$BATS_TEST_TMPDIR/earn.json"
	# The sale falls in the period of its block's time.
	sp=$(jq -r '.sales[0].period' "$BATS_TEST_TMPDIR/earn.json")
	[ "$sp" = "$(( $(jq -r '.sales[0].time' "$BATS_TEST_TMPDIR/earn.json") / 20 ))" ]
	# For people: a row per period and the totals; 'lst settle' is lst-settle.
	run_split lst settle earnings --human
	assert_success
	assert_line --regexp '^total +1 +0\.95 LST +3 +0\.949999999999999999 LST +1\.899999999999999999 LST$'
	assert_line --regexp "^$P +[01] +.* +3 +0\.949999999999999999 LST +.*LST$"
	assert_line --regexp '^[0-9]+ +Winter +'"$RADDR"' +0\.95 LST$'
	# The reader earned nothing; another address by name or address.
	run lst-settle earnings "$RADDR"
	assert_success
	jq -e '.total == "0" and .sales == [] and .payouts == [] and .periods == []' <<< "$output"
}

@test "a period with no page read pays the foundation the whole pool; statements of open periods project" {
	world
	a0=$(balance "$DEV")
	# Period K + 1: paid for, nothing read. Open: a projection with no books.
	run lst-settle statement fiction $((K + 1))
	assert_success
	jq -e '.settled == false and .pool == "1000000000000000000" and .books == [] and .pages == 0
		and .fee == "50000000000000000" and .remainder == "950000000000000000" and .paid == "0"
		and .foundation_receives == "1000000000000000000"' <<< "$output"
	wait_ended $((K + 1))
	f0=$(balance "$FND")
	s0=$(balance "$SUBS")
	run_split env LST_HOME="$READER" lst-settle period fiction $((K + 1))
	assert_success
	jq -e '.settled == true and .books == [] and .paid == "0" and .remainder == "950000000000000000"' <<< "$output"
	[ "$(echo "$(balance "$FND") - $f0" | bc)" = "$FEE" ]
	[ "$(echo "$s0 - $(balance "$SUBS")" | bc)" = "$FEE" ]
	[ "$(balance "$DEV")" = "$a0" ]
	# A period nobody paid for settles to nothing.
	run lst-settle statement fiction $((K + 5))
	jq -e '.pool == "0" and .fee == "0" and .remainder == "0"' <<< "$output"
	# The conveniences: current and last are periods of the chain's time.
	cur=$(lst-settle statement fiction current | jq -r .period)
	last=$(lst-settle statement fiction last | jq -r .period)
	[ "$cur" -ge $((K + 2)) ]
	[ "$last" -ge $((K + 1)) ]
	[ "$(lst-settle statement fiction last | jq -r .ended)" = true ]
}

@test "refusals: unknown category, malformed period, bad address, --json with --human, no verb" {
	lst category create fiction --fee 1lst --json > /dev/null
	run_split lst-settle statement poetry 3
	assert_failure 3
	[[ $stderr == *"poetry"* ]]
	run_split lst-settle statement 99 3
	assert_failure 3
	# Month labels are for month networks; here a period is an index.
	run_split lst-settle statement fiction 2026-11
	assert_failure 6
	[[ $stderr == *"'2026-11' is not a period"* ]]
	[[ $stderr == *"hint: "*"index"* ]]
	run_split lst-settle statement fiction -- -1
	assert_failure 6
	run_split lst-settle statement fiction
	assert_failure 2
	run_split lst-settle statement --json --human fiction 1
	assert_failure 2
	run_split lst-settle earnings 0x1234
	assert_failure 6
	run_split lst-settle earnings 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD
	assert_failure 6 # wrong checksum
	run_split lst-settle earnings nobody
	assert_failure 3
	run_split lst-settle
	assert_failure 2
	run_split lst-settle nope
	assert_failure 2
	run_split lst-settle period --from nobody fiction 1
	assert_failure 3
	# Settling a period nobody paid for, before its end: refused, nothing sent.
	n0=$(lst-chain nonce "$DEV" | jq -r .nonce)
	cur=$(lst-settle statement fiction current | jq -r .period)
	run_split lst-settle period fiction $((cur + 2))
	assert_failure 4
	[[ $stderr == *"has not ended"* ]]
	[ "$(lst-chain nonce "$DEV" | jq -r .nonce)" = "$n0" ]
	# An unreachable node.
	run_split lst-settle --rpc http://127.0.0.1:1 statement fiction 1
	assert_failure 5
}
