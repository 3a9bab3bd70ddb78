#!/usr/bin/env bats
# Subscription sales on loopback (issue 7): 4 validators whose genesis has
# a short subscription period; three authors and four readers, each a home
# of its own joined to the network with its own key and node. The
# foundation creates two categories; each author publishes a paged book
# (lst publish --pages; one of more than 2 MiB of text, over 1,000 pages)
# and enrolls it. Within one period k the readers subscribe and read pages
# from their own nodes (lst read BOOK --page N-M), one of them past the
# 1,000-page cap of one book in ranges of at most 1,000; one reader
# cancels and still reads until the period ends, and is refused after.
# Settlement before the end is refused; after it, lst-settle settles each
# category and every author's balance grows by exactly what this file's
# own model of the split says (awk over the pages each reader read, bc
# for the Photons: the fee in basis points, the per-reader cap, floors,
# the remainder to the foundation).

load net-helper

SUBSCRIPTION=0x4c53540000000000000000000000000000000005
PAGE=2048
CAP=1000
# The genesis period (seconds) and what the readers' part needs of it: the
# readers start only when at least NEED seconds of a period are left (a
# protocol's wait for a fresh period, not a timing under test). Seconds of
# the chain: a block's time is whole seconds, strictly after its parent's,
# so at the helper's pace (a block every 100 ms) the chain's clock runs
# up to 10 times the wall clock's, and a period of 480 lasts 48 s or more.
PERIOD=${T0300_PERIOD:-480}
NEED=${T0300_NEED:-360}

# The helper's setup_file copies the programs of every net test; this one
# also runs lst-settle.
eval "net_$(declare -f setup_file)"
setup_file() {
	local i
	net_setup_file || return 1
	for ((i = 0; i < 150; i++)); do
		[ -x "$BUILD_BIN/lst-settle" ] && cp "$BUILD_BIN/lst-settle" "$BIN/lst-settle" &&
			"$BIN/lst-settle" --help > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "setup_file: cannot run $BUILD_BIN/lst-settle (make)" >&2
	return 1
}

# participant NAME K: a home joined to the network through validator K, its
# own plaintext key and node (lst node start, serving on
# 127.0.0.1:PORT_OF[NAME], pid recorded for teardown), 100 LST from the
# developer. Sets ADDRS[NAME], URLS[NAME].
declare -gA ADDRS URLS PORT_OF BOOKS FILES
participant() {
	local name=$1 k=$2 h="$T/$1"
	lst --home "$h" init --join "${RPCS[k]}" --listen "127.0.0.1:${PORT_OF[$name]}" --json > /dev/null
	ADDRS[$name]=$(lst --home "$h" init --name "$name" --insecure-plaintext-key --json | jq -r .address)
	env LST_BLOCK_MS="$NET_BLOCK_MS" LST_TIMEOUT_MS="$NET_TIMEOUT_MS" lst --home "$h" node start > "$h.node.json" 3>&- || {
		tail -n 20 "$h/daemon.log" >&2 2> /dev/null
		return 1
	}
	jq -r .pid "$h.node.json" >> "$PIDS"
	URLS[$name]=$(jq -r .rpc "$h.node.json")
	lst --home "$CLIENT" send "${ADDRS[$name]}" 100lst --json > /dev/null
}

# as NAME CMD...: run CMD with NAME's home.
as() {
	local name=$1
	shift
	LST_HOME="$T/$name" "$@"
}

# balance NAME|ADDRESS: Photons, through validator 0.
balance() {
	local a=${ADDRS[$1]:-$1}
	lst-chain --rpc "${RPCS[0]}" balance "$a" | jq -r .balance
}

# view DATA [NODE-URL]: eth_call of the subscription contract through
# NODE-URL (default validator 0); the result's 32-byte words, one decimal
# per line (each must fit 63 bits: counts, periods, times). Bash alone
# decodes them: a process less is a few blocks less of a short period.
view() {
	local r hex w
	r=$(lst-chain --rpc "${2:-${RPCS[0]}}" call --to "$SUBSCRIPTION" --data "$1") || return 1
	[[ $r =~ \"result\":\"0x([0-9a-f]*)\" ]] || {
		echo "view $1: $r" >&2
		return 1
	}
	hex=${BASH_REMATCH[1]}
	while [ -n "$hex" ]; do
		w=${hex:0:64}
		[[ ${w:0:49} =~ ^0+$ ]] || {
			echo "view $1: a word over 63 bits: $w" >&2
			return 1
		}
		echo $((16#${w:49}))
		hex=${hex:64}
	done
}
word() { printf '%064x' "$1"; }
addr_word() { printf '%024d%s' 0 "$(echo "${1#0x}" | tr A-F a-f)"; }
# The chain's period(): "current start end length".
period_now() { view 0xef78d4fd | paste -sd' '; }
# The chain's time: its latest block's, through validator 0.
chain_time() {
	local t
	t=$(rpc 0 '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}' | jq -r .result.timestamp)
	echo $((t))
}
# readerPages(reader, book, period): "counted recorded", through the reader's own node.
reader_pages() { view "0xf54803bb$(addr_word "${ADDRS[$1]}")${BOOKS[$2]#0x}$(word "$3")" "${URLS[$1]}" | paste -sd' '; }

# manuscript NAME BYTES: generated text, BYTES long, in a git repository
# tagged v1; FILES[NAME] is the text.
manuscript() {
	local name=$1 bytes=$2 r="$T/repo-$1"
	mkdir -p "$r"
	awk -v n="$name" 'BEGIN { for (i = 1; ; i++) printf "%s, line %07d: the quick brown fox jumps over the lazy dog.\n", n, i }' |
		head -c "$bytes" > "$r/book.md"
	git -C "$r" init -q
	git -C "$r" add book.md
	git -C "$r" -c user.name="$name" -c user.email="$name@example.org" commit -q -m v1
	git -C "$r" tag v1
	FILES[$name]=$r/book.md
}

# publish_paged AUTHOR BOOK: the author's terms, co-signed by the
# foundation's home, published with --pages; BOOKS[BOOK] is its id.
publish_paged() {
	local a=$1 b=$2 r="$T/repo-$2" sig
	as "$a" lst publish --repo "$r" --ref v1 --price 1lst --pages --terms > "$T/$b.terms.json"
	sig=$(lst-sign --home "$CLIENT" cosign --from foundation --yes < "$T/$b.terms.json" | jq -r .signature)
	as "$a" lst publish --repo "$r" --ref v1 --price 1lst --pages --foundation-sig "$sig" --yes --json > "$T/$b.publish.json"
	BOOKS[$b]=$(jq -r .book "$T/$b.publish.json")
	[[ ${BOOKS[$b]} =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(jq -r .pages "$T/$b.publish.json")" = "$(((($(stat -c %s "${FILES[$b]}") + PAGE - 1) / PAGE)))" ]
}

# The model. Every page a reader read is a line "READER BOOK PAGE-FROM
# PAGE-TO" in $T/reads; counted pages of (reader, book) are the distinct
# pages read, capped at CAP; a book's count is the sum over its readers.
counted_of() { # READER BOOK: the model's count of the pair
	awk -v r="$1" -v b="$2" -v cap=$CAP '$1 == r && $2 == b { for (p = $3; p <= $4; p++) seen[p] = 1 }
		END { n = 0; for (p in seen) n++; print n < cap ? n : cap }' "$T/reads"
}
book_counted() { # BOOK: the sum over readers
	awk -v b="$1" -v cap=$CAP '$2 == b { for (p = $3; p <= $4; p++) if (!seen[$1, p]++) n[$1]++ }
		END { t = 0; for (r in n) t += n[r] < cap ? n[r] : cap; print t }' "$T/reads"
}

# read_pages READER BOOK FROM TO: `lst read BOOK --page FROM-TO` from the
# reader's own node; the bytes are exactly those pages of the manuscript,
# the read is recorded in period K, and counts what the model says it adds.
# (Untraced: bats' trace of each command would cost the period's seconds.)
read_pages() (
	untraced _read_pages "$@"
)
_read_pages() {
	local r=$1 b=$2 from=$3 to=$4 out="$T/$1.$2.$3-$4" before after got
	before=$(counted_of "$r" "$b")
	as "$r" lst read "${BOOKS[$b]}" --page "$from-$to" -o "$out" --json > "$out.json" || {
		echo "$r: lst read $b --page $from-$to failed" >&2
		return 1
	}
	echo "$r $b $from $to" >> "$T/reads"
	after=$(counted_of "$r" "$b")
	tail -c +$(((from - 1) * PAGE + 1)) "${FILES[$b]}" | head -c $(((to - from + 1) * PAGE)) | cmp - "$out" || {
		echo "$r: pages $from-$to of $b are not the manuscript's" >&2
		return 1
	}
	got=$(jq -r '"\(.period) \(.counted)"' "$out.json")
	[ "$got" = "$K $((after - before))" ] || {
		echo "$r: $b $from-$to: period and counted $got, the model says $K $((after - before))" >&2
		return 1
	}
	got=$(reader_pages "$r" "$b" "$K")
	[ "${got%% *}" = "$after" ] || {
		echo "$r: readerPages of $b in $K is $got, the model counts $after" >&2
		return 1
	}
}

@test "two categories, three authors, four readers: pages read in a period, a cancelled reader, settlement to the Photon" {
	T="$BATS_TEST_TMPDIR"
	: > "$T/reads"
	make_net 4 "$NET" --subscription-period "$PERIOD"
	for h in "${HOMES[@]}"; do
		[ "$(jq -r .subscription_period "$h/genesis.json")" = "$PERIOD" ]
	done
	for k in 0 1 2 3; do start_node "$k"; done
	wait_all 2 60
	bps=$(jq -r .service_fee_bps "${HOMES[0]}/genesis.json")
	[ "$(period_now | cut -d' ' -f4)" = "$PERIOD" ]
	P=$(free_ports 7)
	PORT_OF=([a1]=$P [a2]=$((P + 1)) [a3]=$((P + 2)) [r1]=$((P + 3)) [r2]=$((P + 4)) [r3]=$((P + 5)) [r4]=$((P + 6)))
	participant a1 0
	participant a2 1
	participant a3 2
	participant r1 3
	participant r2 0
	participant r3 1
	participant r4 2

	# Two categories, by the foundation; odd fees, so the split rounds.
	FEE_F=3000000000000000007
	FEE_S=2000000000000000011
	lst --home "$CLIENT" category create Fiction --fee "${FEE_F}photon" --from foundation --json > "$T/cat-f.json"
	lst --home "$CLIENT" category create Science --fee "${FEE_S}photon" --from foundation --json > "$T/cat-s.json"
	run_split as r1 lst category create Poetry --fee 1lst --json
	assert_failure 4
	[[ $stderr == *"not the foundation"* ]]
	[ "$(as r4 lst categories --json | jq -s -c 'map(.name)')" = '["Fiction","Science"]' ]

	# Three paged books: the long one (> 2 MiB of text, 1,200 pages, the last partial) and two short.
	manuscript long $((1199 * PAGE + 1000))
	manuscript short 61000
	manuscript science 40500
	publish_paged a1 long
	publish_paged a2 short
	publish_paged a3 science
	[ "$(jq -r .pages "$T/long.publish.json")" = 1200 ]
	# Enrolment: the author only.
	run_split as a2 lst enroll "${BOOKS[long]}" Fiction --json
	assert_failure 4
	[ "$(view "0xc895c2ab${BOOKS[long]#0x}")" = 0 ] # categoryOf: not enrolled
	as a1 lst enroll "${BOOKS[long]}" Fiction --json > /dev/null
	as a2 lst enroll "${BOOKS[short]}" Fiction --json > /dev/null
	as a3 lst enroll "${BOOKS[science]}" Science --json > /dev/null
	[ "$(view "0xc895c2ab${BOOKS[long]#0x}")" = "$(jq -r .id "$T/cat-f.json")" ]
	[ "$(view "0xc895c2ab${BOOKS[science]#0x}")" = "$(jq -r .id "$T/cat-s.json")" ]

	# The readers' part runs in one period K: wait for a fresh one when less than NEED seconds are left.
	read -r K _ end _ < <(period_now)
	if [ $((end - $(chain_time))) -lt "$NEED" ]; then
		while [ "$(period_now | cut -d' ' -f1)" -le "$K" ]; do sleep 0.2; done
		read -r K _ end _ < <(period_now)
	fi
	echo "# period $K ends at $end, the chain's time is $(chain_time)" >&3
	for n in a1 a2 a3; do eval "${n}_0=$(balance "$n")"; done
	fnd0=$(balance "$FND")

	# Subscriptions: r1 Fiction for 2 periods, r2 Fiction for 3 (cancelled
	# below), r3 Science for 1, r4 both for 1. Each pays fee * months.
	sub() { # READER CATEGORY MONTHS FEE
		local b0
		b0=$(balance "$1")
		as "$1" lst subscribe "$2" --months "$3" --yes --json > "$T/$1.$2.sub.json"
		[ "$(jq -r '"\(.from) \(.until) \(.paid)"' "$T/$1.$2.sub.json")" = "$K $((K + $3)) $(bc <<< "$4 * $3")" ]
		[ "$(bc <<< "$b0 - $(balance "$1")")" = "$(bc <<< "$4 * $3")" ]
	}
	sub r1 Fiction 2 "$FEE_F"
	sub r2 Fiction 3 "$FEE_F"
	sub r3 Science 1 "$FEE_S"
	sub r4 Fiction 1 "$FEE_F"
	sub r4 Science 1 "$FEE_S"

	# A reader of Science only is refused Fiction's pages, and nothing is recorded.
	run_split as r3 lst read "${BOOKS[long]}" --page 1-3 -o "$T/r3.refused" --json
	assert_failure 4
	[[ $stderr == *"not a member"* ]]
	[ ! -s "$T/r3.refused" ]
	[ "$(reader_pages r3 long "$K")" = "0 0" ]

	# Reading. r1 reads the long book to its end in two ranges: the first
	# 1,000 pages count, the 200 after them are recorded and not counted.
	read_pages r1 long 1 1000
	read_pages r1 long 1001 1200
	[ "$(reader_pages r1 long "$K")" = "1000 1200" ]
	read_pages r1 short 1 5
	read_pages r2 long 10 19
	read_pages r2 short 3 12
	read_pages r3 science 1 7
	read_pages r3 science 5 9 # pages 5-7 again count once
	read_pages r4 short 1 20
	read_pages r4 science 2 4
	read_pages r4 long 1195 1200
	# A repeat counts nothing.
	read_pages r4 short 1 20

	# r2 cancels: the two periods after this one come back; r2 still reads in this one.
	b0=$(balance r2)
	as r2 lst unsubscribe Fiction --json > "$T/r2.cancel.json"
	[ "$(jq -r '"\(.until) \(.refund)"' "$T/r2.cancel.json")" = "$((K + 1)) $(bc <<< "2 * $FEE_F")" ]
	[ "$(bc <<< "$(balance r2) - $b0")" = "$(bc <<< "2 * $FEE_F")" ]
	read_pages r2 short 13 15

	# Settlement before the period has ended is refused and pays nothing.
	run_split lst-settle --home "$CLIENT" period Fiction "$K" --json
	assert_failure 4
	[ "$(balance a1)" = "$a1_0" ]
	[ "$(balance "$FND")" = "$fnd0" ]
	[ "$(period_now | cut -d' ' -f1)" = "$K" ] || {
		echo "# the readers' part took past the period's end: raise T0300_PERIOD/T0300_NEED" >&3
		false
	}
	echo "# the readers' part ended at the chain's time $(chain_time)" >&3

	# The period ends (on the chain: its latest block's time).
	while [ "$(period_now | cut -d' ' -f1)" -le "$K" ]; do sleep 0.2; done
	# A provider remembers a membership for PAGES_CACHE_SECONDS (5) of its
	# clock, and its node may be a block behind: past both, the cancelled
	# reader is refused, and nothing is recorded.
	sleep 6
	run_split as r2 lst read "${BOOKS[short]}" --page 16-16 -o "$T/r2.after" --json
	assert_failure 4
	[[ $stderr == *"not a member"* ]]
	[ ! -s "$T/r2.after" ]
	[ "$(reader_pages r2 short $((K + 1)))" = "0 0" ]
	# r1 paid for this period too, and reads on (pages of period K + 1, not settled here).
	as r1 lst read "${BOOKS[short]}" --page 6-6 -o "$T/r1.next" --json > "$T/r1.next.json"
	[ "$(jq -r .period "$T/r1.next.json")" = $((K + 1)) ]

	# The model of period K's settlement, per category: the pool is the
	# fees of its members in K; fee = floor(pool * bps / 10000); each book
	# floor((pool - fee) * count / total); the remainder to the foundation.
	pool_f=$(bc <<< "3 * $FEE_F") # r1, r2 (its period K is not refunded), r4
	pool_s=$(bc <<< "2 * $FEE_S") # r3, r4
	c_long=$(book_counted long)
	c_short=$(book_counted short)
	c_sci=$(book_counted science)
	[ "$c_long" = 1016 ] # 1000 of r1's 1,200, r2's 10, r4's 6
	rest_f=$(bc <<< "$pool_f - $pool_f * $bps / 10000")
	rest_s=$(bc <<< "$pool_s - $pool_s * $bps / 10000")
	pay_long=$(bc <<< "$rest_f * $c_long / ($c_long + $c_short)")
	pay_short=$(bc <<< "$rest_f * $c_short / ($c_long + $c_short)")
	pay_sci=$(bc <<< "$rest_s * $c_sci / $c_sci")
	to_fnd=$(bc <<< "$pool_f - $pay_long - $pay_short + $pool_s - $pay_sci")

	echo "# Fiction: pool $pool_f, pages long $c_long short $c_short, pays $pay_long and $pay_short; Science: pool $pool_s, pages $c_sci, pays $pay_sci; the foundation gets $to_fnd" >&3

	lst-settle --home "$CLIENT" period Fiction "$K" --json > "$T/settle-f.json"
	lst-settle --home "$CLIENT" period Science "$K" --json > "$T/settle-s.json"
	# The statements say what the model says, book by book ...
	stmt() { jq -r --arg b "${BOOKS[$2]}" '.books[] | select(.book == $b) | "\(.pages) \(.payout)"' "$T/settle-$1.json"; }
	[ "$(stmt f long)" = "$c_long $pay_long" ]
	[ "$(stmt f short)" = "$c_short $pay_short" ]
	[ "$(stmt s science)" = "$c_sci $pay_sci" ]
	# ... and the money moved accordingly, to the Photon.
	[ "$(bc <<< "$(balance a1) - $a1_0")" = "$pay_long" ]
	[ "$(bc <<< "$(balance a2) - $a2_0")" = "$pay_short" ]
	[ "$(bc <<< "$(balance a3) - $a3_0")" = "$pay_sci" ]
	[ "$(bc <<< "$(balance "$FND") - $fnd0")" = "$to_fnd" ]
	# Settling again is refused and pays nothing more.
	run_split lst-settle --home "$CLIENT" period Fiction "$K" --json
	assert_failure 4
	[ "$(bc <<< "$(balance a1) - $a1_0")" = "$pay_long" ]
	[ "$(as r1 lst categories --json | jq -s -c 'map([.name, .books, .members])')" = '[["Fiction",2,3],["Science",1,2]]' ]
}
