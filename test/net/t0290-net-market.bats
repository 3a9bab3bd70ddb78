#!/usr/bin/env bats
# The white paper's scenario on loopback: 4 validators; an author and three
# readers, each a home of its own joined to the network with its own key,
# block store and node (which serves its gateway). The author publishes a
# 20 MiB book from a git tag, co-signed by the foundation's home. Reader 1
# buys it and downloads from the author; reader 2 from the author and
# reader 1; the author's node stops and reader 3 buys, gets the key from a
# reader and the bytes from readers 1 and 2, and reads the same plaintext.
# The author's node comes back: it was paid for every sale, the foundation
# got the fees, and no Photon was made or lost. Then a second version from
# a later tag, readable by every earlier buyer beside the first.

load net-helper

MIB=1048576
# The book's size (the scenario's is 20 MiB; smaller only to debug).
BOOK_MB=${T0290_BOOK_MB:-20}
MARKET=0x4c53540000000000000000000000000000000004

# The helper's setup_file copies the programs of every net test; this
# scenario also needs lst-buy.
eval "net_$(declare -f setup_file)"
setup_file() {
	local i
	net_setup_file || return 1
	for ((i = 0; i < 150; i++)); do
		[ -x "$BUILD_BIN/lst-buy" ] && cp "$BUILD_BIN/lst-buy" "$BIN/lst-buy" && "$BIN/lst-buy" --help > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "setup_file: cannot run $BUILD_BIN/lst-buy (make)" >&2
	return 1
}

# participant NAME K: a home joined to the network through validator K,
# serving on 127.0.0.1:PORT_OF[NAME], with its own plaintext key and its
# own node started by `lst node start` (pid recorded for teardown); its
# key gets 100 LST from the developer. Sets ADDRS[NAME], URLS[NAME].
declare -gA ADDRS URLS PORT_OF
participant() {
	local name=$1 k=$2 h="$T/$1"
	lst --home "$h" init --join "${RPCS[k]}" --listen "127.0.0.1:${PORT_OF[$name]}" --json > /dev/null
	ADDRS[$name]=$(lst --home "$h" init --name "$name" --insecure-plaintext-key --json | jq -r .address)
	node_start "$name"
	lst --home "$CLIENT" send "${ADDRS[$name]}" 100lst --json > /dev/null
}

# node_start NAME: `lst node start` on NAME's home, at the test's pace.
# Each participant's node knows only the validator it joined through: its
# announcements are gossiped up to the validators, and a reader's lookup
# pulls the validators' records down (prov_pull), so the participants
# find each other with no peering of their own.
node_start() {
	local h="$T/$1"
	env LST_BLOCK_MS="$NET_BLOCK_MS" LST_TIMEOUT_MS="$NET_TIMEOUT_MS" lst --home "$h" node start > "$h.node.json" 3>&- || {
		tail -n 20 "$h/daemon.log" >&2 2> /dev/null
		return 1
	}
	jq -r .pid "$h.node.json" >> "$PIDS"
	URLS[$1]=$(jq -r .rpc "$h.node.json")
	[ "${URLS[$1]}" = "http://127.0.0.1:${PORT_OF[$1]}" ]
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

# wait_provider NODE-URL ROOT URL: until NODE's registry lists URL as a
# complete provider of ROOT (gossip is asynchronous; this is a wait, not a timing).
wait_provider() (
	untraced _wait_provider "$@"
)
_wait_provider() {
	local i
	for ((i = 0; i < 300; i++)); do
		lst-swarm providers --node "$1" "$2" 2> /dev/null | jq -s -e --arg u "$3" 'any(.[]; .url == $u and .complete)' > /dev/null && return 0
		sleep 0.1
	done
	echo "wait_provider: $1 does not list $3 as a provider of $2 after 30 s; it lists:" >&2
	lst-swarm providers --node "$1" "$2" >&2
	return 1
}

# past_superseed: every gateway answers a swarm fetcher "busy" for a block
# it served to another one less than GW_SUPERSEED_MS (5 s, lib/gateway.h)
# ago, to send it to other readers instead (super-seeding). A reader that
# must get bytes from a provider that has just served the one before waits
# that window out: a protocol's wait, not a timing.
past_superseed() {
	sleep 5.5
}

# py EXPR: a big-integer expression (Photons do not fit a double).
py() {
	python3 -c "print($1)"
}

@test "publish, three sales with the author offline for the last, paid in full; versions; refusals" {
	T="$BATS_TEST_TMPDIR"
	make_net 4
	for k in 0 1 2 3; do start_node "$k"; done
	wait_all 2 60
	read -r bps listing < <(jq -r '"\(.service_fee_bps) \(.listing_fee)"' "${HOMES[0]}/genesis.json")
	P=$(free_ports 4)
	PORT_OF=([author]=$P [r1]=$((P + 1)) [r2]=$((P + 2)) [r3]=$((P + 3)))
	participant author 0
	participant r1 1
	participant r2 2
	participant r3 3
	# A home that never buys, without a node of its own: it asks reader 1's.
	lst --home "$T/stranger" init --join "${RPCS[0]}" --json > /dev/null
	ADDRS[stranger]=$(lst --home "$T/stranger" init --name stranger --insecure-plaintext-key --json | jq -r .address)
	lst --home "$T/stranger" config rpc "${URLS[r1]}"
	lst --home "$CLIENT" send "${ADDRS[stranger]}" 10lst --json > /dev/null

	# The manuscript: a git repository, 20 MiB of random bytes and a small file, tag v1.
	R="$T/repo"
	mkdir -p "$R"
	head -c $((BOOK_MB * MIB)) /dev/urandom > "$R/book.bin"
	printf '# A Book\n\nChapter one.\n' > "$R/README.md"
	git -C "$R" init -q
	git -C "$R" add book.bin README.md
	git -C "$R" -c user.name=author -c user.email=author@example.org commit -q -m v1
	git -C "$R" tag v1
	cp "$R/book.bin" "$T/v1.bin"

	# Publishing: the author's terms, the foundation's co-signature from its
	# own home, then the publication with that signature.
	price=2500000000000000000
	fee=$(py "$price * $bps // 10000")
	as author lst publish --repo "$R" --ref v1 --price "${price}photon" --terms > "$T/terms.json"
	[ "$(jq -r .author "$T/terms.json" | tr A-F a-f)" = "$(echo "${ADDRS[author]}" | tr A-F a-f)" ]
	[ "$(jq -r .price "$T/terms.json")" = "$price" ]
	author_before_publish=$(balance author)
	# Without the foundation's signature nothing is published: the author's
	# own co-signature, or none that is a signature at all.
	forged=$(lst-sign --home "$T/author" cosign --from author --yes < "$T/terms.json" | jq -r .signature)
	for bad in "$forged" "0x$(printf '%0130d' 1)"; do
		run_split as author lst publish --repo "$R" --ref v1 --price "${price}photon" --foundation-sig "$bad" --yes --json
		assert_failure 4
		[[ $stderr == *"foundation"* ]]
	done
	run lst-chain --rpc "${RPCS[0]}" call --to "$MARKET" --data "0x67cdfcaa$(jq -r .book "$T/terms.json" | cut -c3-)"
	[[ $output == *"no such book"* ]]
	sig=$(lst-sign --home "$CLIENT" cosign --from foundation --yes < "$T/terms.json" | jq -r .signature)
	[[ $sig =~ ^0x[0-9a-f]{130}$ ]]
	[ "$sig" != "$forged" ]
	as author lst publish --repo "$R" --ref v1 --price "${price}photon" --foundation-sig "$sig" --yes --json > "$T/publish.json"
	BOOK=$(jq -r .book "$T/publish.json")
	ROOT1=$(jq -r .root "$T/publish.json")
	[ "$BOOK" = "$(jq -r .book "$T/terms.json")" ]
	[[ $ROOT1 == bafy* ]]
	author0=$(balance author)
	[ "$(py "$author_before_publish - $author0")" = "$listing" ]
	fnd0=$(balance "$FND")

	# Reader 1: every byte from the author, the only provider.
	as r1 lst-buy "$BOOK" --yes --json > "$T/buy1.json"
	jq -c '{from, key_from, dropped}' "$T/buy1.json" >&3
	[ "$(jq -r '.from | keys | join(",")' "$T/buy1.json")" = "${URLS[author]}" ]
	[ "$(jq -r --arg a "${URLS[author]}" '.from[$a]' "$T/buy1.json")" -ge $((BOOK_MB * MIB)) ]
	[ "$(jq -r .key_from "$T/buy1.json")" = "${URLS[author]}" ]

	# Reader 2, once reader 1's node lists reader 1 as a provider: bytes from both.
	past_superseed
	wait_provider "${URLS[r2]}" "$ROOT1" "${URLS[r1]}"
	wait_provider "${URLS[r2]}" "$ROOT1" "${URLS[author]}"
	as r2 lst-buy "$BOOK" --yes --json > "$T/buy2.json"
	jq -c '{from, key_from, dropped}' "$T/buy2.json" >&3
	[ "$(jq -r --arg a "${URLS[author]}" '.from[$a] // 0' "$T/buy2.json")" -gt 0 ]
	[ "$(jq -r --arg a "${URLS[r1]}" '.from[$a] // 0' "$T/buy2.json")" -gt 0 ]
	[ "$(jq -r '[.from[]] | add' "$T/buy2.json")" -ge $((BOOK_MB * MIB)) ]
	[ "$(jq -r --arg a "${URLS[author]}" --arg b "${URLS[r1]}" '[.from | keys[] | select(. != $a and . != $b)] | length' "$T/buy2.json")" = 0 ]

	# The author's node goes offline; reader 3 buys from the readers.
	wait_provider "${URLS[r3]}" "$ROOT1" "${URLS[r2]}"
	wait_provider "${URLS[r3]}" "$ROOT1" "${URLS[r1]}"
	lst --home "$T/author" node stop > /dev/null
	past_superseed
	run curl -s --max-time 2 "${URLS[author]}"
	[ "$status" -ne 0 ]
	as r3 lst-buy "$BOOK" --yes --json > "$T/buy3.json"
	jq -c '{from, key_from, dropped}' "$T/buy3.json" >&3
	key_from=$(jq -r .key_from "$T/buy3.json")
	[ "$key_from" = "${URLS[r1]}" ] || [ "$key_from" = "${URLS[r2]}" ]
	[ "$(jq -r --arg a "${URLS[r1]}" '.from[$a] // 0' "$T/buy3.json")" -gt 0 ]
	[ "$(jq -r --arg a "${URLS[r2]}" '.from[$a] // 0' "$T/buy3.json")" -gt 0 ]
	[ "$(jq -r --arg a "${URLS[r1]}" --arg b "${URLS[r2]}" '[.from | keys[] | select(. != $a and . != $b)] | length' "$T/buy3.json")" = 0 ]
	as r3 lst read "$BOOK" --file book.bin -o "$T/r3.bin"
	cmp "$T/r3.bin" "$T/v1.bin"
	as r3 lst read "$BOOK" --file README.md -o "$T/r3.md"
	cmp "$T/r3.md" "$R/README.md"

	# The author comes back: paid for three sales while partly away.
	node_start author
	wait_height "${URLS[author]}" "$(height 0)" 60
	author1=$(lst --home "$T/author" balance --json | jq -r .balance)
	[ "$(py "$author1 - $author0")" = "$(py "3 * ($price - $fee)")" ]
	[ "$(py "$(balance "$FND") - $fnd0")" = "$(py "3 * $fee")" ]
	for r in r1 r2 r3; do
		[ "$(py "100 * 10**18 - $(balance "$r")")" = "$price" ]
	done
	# Total supply unchanged: the genesis allocation is every Photon there
	# is, and it is all still in the accounts that ever held any.
	supply=$(py "$(jq -r '[.alloc[].balance] | join("+")' "${HOMES[0]}/genesis.json")")
	total=$(py "$(for a in "$DEV" "$FND" "${ADDR[@]}" "${ADDRS[@]}" "$MARKET"; do balance "$a"; done | paste -sd+)")
	[ "$total" = "$supply" ]
	supply_call=$(lst-chain --rpc "${RPCS[0]}" call --to 0x4c53540000000000000000000000000000000001 --data 0x18160ddd | jq -r .result)
	[ "$(py "int('${supply_call#0x}', 16)")" = "$supply" ]
	[ "$(balance "$MARKET")" = "$listing" ]

	# A non-buyer is refused by every provider, and has nothing.
	run_split as stranger lst read "$BOOK" --file book.bin -o "$T/stranger.bin"
	assert_failure 4
	[[ $stderr == *"not purchased"* ]]
	[ ! -s "$T/stranger.bin" ]
	[ ! -e "$T/stranger/content-keys/$ROOT1" ]
	run as stranger lst-block has "$ROOT1"
	assert_failure 3
	[ "$(balance stranger)" = 10000000000000000000 ]

	# Version 2 from a later tag: every earlier buyer reads it, and v1 still.
	head -c $((MIB + 5)) /dev/urandom >> "$R/book.bin"
	printf '\nChapter two.\n' >> "$R/README.md"
	git -C "$R" -c user.name=author -c user.email=author@example.org commit -q -am v2
	git -C "$R" tag v2
	as author lst release --repo "$R" --ref v2 --yes --json > "$T/release.json"
	ROOT2=$(jq -r .root "$T/release.json")
	[ "$(jq -r .book "$T/release.json")" = "$BOOK" ]
	[[ $ROOT2 == bafy* ]]
	[ "$ROOT2" != "$ROOT1" ]
	[ "$(jq -r .status "$T/release.json")" = released ]
	for r in r1 r2 r3; do
		# The release's receipt came from the author's node; a reader's
		# node may be a block behind it: wait until it lists v2.
		local n=0 i
		for i in $(seq 100); do
			n=$(as "$r" lst versions "$BOOK" --json | wc -l)
			[ "$n" = 2 ] && break
			sleep 0.2
		done
		[ "$n" = 2 ]
		as "$r" lst read "$BOOK" --file book.bin -o "$T/$r.v2.bin"
		cmp "$T/$r.v2.bin" "$R/book.bin"
		as "$r" lst read "$BOOK" --version v1 --file book.bin -o "$T/$r.v1.bin"
		cmp "$T/$r.v1.bin" "$T/v1.bin"
	done
	# Releasing the same tag again is a no-op: the same root, no new version.
	run_split as author lst release --repo "$R" --ref v2 --yes --json
	assert_success
	[ "$(echo "$output" | jq -r .root)" = "$ROOT2" ]
	[ "$(echo "$output" | jq -r .status)" = unchanged ]
	[ "$(echo "$output" | jq -r .tx)" = null ]
	[ "$(as author lst versions "$BOOK" --json | jq -s -c 'map(.label)')" = '["v1","v2"]' ]
	run_split as stranger lst read "$BOOK" --file book.bin -o "$T/stranger.bin"
	assert_failure 4
	[ ! -s "$T/stranger.bin" ]
}
