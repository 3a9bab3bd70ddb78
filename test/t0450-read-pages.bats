#!/usr/bin/env bats
# Page-by-page reading (lib/pages.h): a subscriber's `lst read BOOK --page
# N-M` gets exactly those pages' keys from a provider that checks the
# membership on chain, opens them from the book's blocks, and records them
# on chain (recordPages with the provider's receipt); non-members, pages
# past the end, bad ranges and receipts the reader signed itself are refused.

load helper

SUB=0x4c53540000000000000000000000000000000005

setup() {
	git_author
	export LST_HOME="$BATS_TEST_TMPDIR/author"
	lst-chain init --dev --subscription-period 60 > "$BATS_TEST_TMPDIR/init.json"
	start_daemon
	# The manuscript: numbered lines of text, 5 full pages and 100 bytes (6 pages).
	REPO="$BATS_TEST_TMPDIR/repo"
	mkdir -p "$REPO"
	python3 -c '
import sys
w = "it was the best of times, it was the worst of times, page after page; "
sys.stdout.write("".join("%05d %s\n" % (i, w) for i in range(200))[:5 * 2048 + 100])' > "$REPO/book.md"
	git -C "$REPO" init -q
	git -C "$REPO" add book.md
	git -C "$REPO" commit -q -m v1
	git -C "$REPO" tag v1
	lst publish --repo "$REPO" --ref v1 --price 1lst --pages --yes --json > "$BATS_TEST_TMPDIR/publish.json"
	BOOK=$(jq -r .book "$BATS_TEST_TMPDIR/publish.json")
	ROOT=$(jq -r .root "$BATS_TEST_TMPDIR/publish.json")
	[ "$(jq -r .pages "$BATS_TEST_TMPDIR/publish.json")" = 6 ]
	# The foundation's category; the author enrolls the book (and registers this home's serving key).
	lst category create fiction --fee 1lst --from foundation --json > /dev/null
	lst enroll "$BOOK" fiction --json > "$BATS_TEST_TMPDIR/enroll.json"
	SERVER=$(jq -r .server "$BATS_TEST_TMPDIR/enroll.json")
	# A reader who subscribes (5 periods of 60 s: longer than the test) and one who does not.
	READER="$BATS_TEST_TMPDIR/reader"
	OTHER="$BATS_TEST_TMPDIR/other"
	RADDR=$(LST_HOME="$READER" plain_key reader)
	OADDR=$(LST_HOME="$OTHER" plain_key other)
	for h in "$READER" "$OTHER"; do LST_HOME="$h" lst config rpc "$RPC" > /dev/null; done
	lst send "$RADDR" 10lst --json > /dev/null
	lst send "$OADDR" 10lst --json > /dev/null
	as_reader lst subscribe fiction --months 5 --yes --json > /dev/null
}

as_reader() {
	LST_HOME="$READER" "$@"
}

as_other() {
	LST_HOME="$OTHER" "$@"
}

# The bytes of pages N..M of the manuscript.
pages_of() {
	dd if="$REPO/book.md" bs=2048 skip=$(($1 - 1)) count=$(($2 - $1 + 1)) 2> /dev/null
}

word() { printf '%064x' "$1"; }

# eth_call of the subscription contract: the answer's hex words, one a line.
sub_call() {
	lst-chain call --to "$SUB" --data "$1" | jq -r .result | cut -c3- | fold -w 64
}

# readerPages(reader, book, period): "counted recorded".
reader_pages() {
	local a=${1#0x}
	sub_call "0xf54803bb$(printf '%064s' "$a" | tr ' A-F' '0a-f')${BOOK#0x}$(word "$2")" |
		while read -r w; do printf '%d ' "$((16#$w))"; done
}

current_period() {
	echo $((16#$(sub_call 0xef78d4fd | head -1)))
}

# Wait, if need be, for a period with at least 30 of its 60 s ahead, so a
# test's reads and records fall in one period.
fresh_period() {
	local end
	end=$((16#$(sub_call 0xef78d4fd | sed -n 3p)))
	if [ $((end - $(date +%s))) -lt 30 ]; then
		sleep $((end - $(date +%s) + 1))
	fi
}

# keccak256 of the hex bytes $1 (the test's own, not the program's).
keccak() {
	python3 - "$1" << 'EOF'
import sys
def keccak256(data):
    RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
    M = (1 << 64) - 1
    rol = lambda v, n: ((v << n) | (v >> (64 - n))) & M if n else v
    rate = 136
    n = rate - len(data) % rate
    p = bytearray(data) + (b'\x81' if n == 1 else b'\x01' + b'\x00' * (n - 2) + b'\x80')
    s = [[0] * 5 for _ in range(5)]
    for off in range(0, len(p), rate):
        for i in range(rate // 8):
            s[i % 5][i // 5] ^= int.from_bytes(p[off + 8 * i: off + 8 * i + 8], 'little')
        for rc in RC:
            c = [s[x][0] ^ s[x][1] ^ s[x][2] ^ s[x][3] ^ s[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
            s = [[s[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = rol(s[x][y], ROT[x][y])
            s = [[b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            s[0][0] ^= rc
    return b''.join(s[i % 5][i // 5].to_bytes(8, 'little') for i in range(4))
print(keccak256(bytes.fromhex(sys.argv[1])).hex())
EOF
}

# recordPages(book, period, pages N..M, receipt) calldata.
record_calldata() {
	local k=$1 n=$2 m=$3 sig=${4#0x} cnt=$(($3 - $2 + 1)) p
	printf '0xcecf5314%s%s%s%s%s' "${BOOK#0x}" "$(word "$k")" "$(word 128)" "$(word $((128 + 32 * (1 + cnt))))" "$(word "$cnt")"
	for ((p = n; p <= m; p++)); do word "$p"; done
	printf '%s%s%s\n' "$(word 65)" "$sig" "$(printf '%062d' 0)"
}

# send_sub HOME KEY DATA: a signed call to the subscription contract; the receipt's status.
send_sub() {
	local nonce raw
	nonce=$(LST_HOME="$1" lst-chain nonce "$(LST_HOME="$1" lst-sign address "$2" | jq -r .address)" | jq -r .pending)
	raw=$(printf '{"chain_id":161,"nonce":%d,"to":"%s","value":"0","gas":2000000,"gas_price":"1","data":"%s"}' \
		"$nonce" "$SUB" "$3" | LST_HOME="$1" lst-sign sign --from "$2" | jq -r .raw) || return 1
	echo "$raw" | LST_HOME="$1" lst-chain send --wait | jq -r .status
}

@test "a member reads pages 2-4: exactly their bytes, recorded on chain once" {
	fresh_period
	run_split as_reader lst read "$BOOK" --page 2-4
	assert_success
	[ "$output" = "$(pages_of 2 4)" ]
	as_reader lst read "$BOOK" --page 2-4 > "$BATS_TEST_TMPDIR/p24"
	pages_of 2 4 | cmp - "$BATS_TEST_TMPDIR/p24"
	K=$(current_period)
	# Read twice in one period: counted 3, recorded 3.
	[ "$(reader_pages "$RADDR" "$K")" = "3 3 " ]
	# Again with -o: the JSON says nothing new was counted.
	run_split as_reader lst read "$BOOK" --page 2-4 -o "$BATS_TEST_TMPDIR/again" --json
	assert_success
	[ "$(echo "$output" | jq -r .counted)" = 0 ]
	[ "$(echo "$output" | jq -r .added)" = 0 ]
	[ "$(echo "$output" | jq -r .pages)" = 3 ]
	[ "$(echo "$output" | jq -r .root)" = "$ROOT" ]
	[ "$(echo "$output" | jq -r .book)" = "$BOOK" ]
	[[ $(echo "$output" | jq -r .tx) =~ ^0x[0-9a-f]{64}$ ]]
	pages_of 2 4 | cmp - "$BATS_TEST_TMPDIR/again"
	# Pages 4-6: the last one is short; two new pages counted.
	run_split as_reader lst read "$BOOK" --page 4-6 -o "$BATS_TEST_TMPDIR/p46" --json
	assert_success
	[ "$(echo "$output" | jq -r .counted)" = 2 ]
	[ "$(echo "$output" | jq -r .period)" = "$K" ]
	pages_of 4 6 | cmp - "$BATS_TEST_TMPDIR/p46"
	[ "$(wc -c < "$BATS_TEST_TMPDIR/p46")" = $((2 * 2048 + 100)) ]
	[ "$(reader_pages "$RADDR" "$K")" = "5 5 " ]
	# The provider counted the page keys it sent.
	[ "$(curl -s "$RPC/lst/v1/stats" | jq -r .pages_served)" -ge 12 ]
}

@test "a member gets the book's blocks but not its content key" {
	as_reader lst read "$BOOK" --page 1 > /dev/null
	as_reader lst-block has "$ROOT"
	[ ! -e "$READER/content-keys/$ROOT" ]
	run_split as_reader lst-swarm key --peer "$RPC" "$ROOT"
	assert_failure 4
	[ ! -e "$READER/content-keys/$ROOT" ]
}

@test "a member of a long book fetches just the blocks of the pages read" {
	# 1600 pages: a ciphertext of four 1 MiB leaves and the file's root node.
	local long="$BATS_TEST_TMPDIR/long"
	mkdir -p "$long"
	python3 -c '
import sys
sys.stdout.write("".join("%07d a long book, line after line after line of it, page after page.\n" % i for i in range(50000))[:1600 * 2048])' > "$long/long.md"
	git -C "$long" init -q && git -C "$long" add long.md && git -C "$long" commit -q -m v1 && git -C "$long" tag v1
	lst publish --repo "$long" --ref v1 --title "The Long Book" --price 1lst --pages --yes --json > "$BATS_TEST_TMPDIR/long.json"
	[ "$(jq -r .pages "$BATS_TEST_TMPDIR/long.json")" = 1600 ]
	local lbook lroot
	lbook=$(jq -r .book "$BATS_TEST_TMPDIR/long.json")
	lroot=$(jq -r .root "$BATS_TEST_TMPDIR/long.json")
	lst enroll "$lbook" fiction --json > /dev/null
	run_split as_reader lst read "$lbook" --page 1000-1001 -o "$BATS_TEST_TMPDIR/p1000" --json
	assert_success
	dd if="$long/long.md" bs=2048 skip=999 count=2 2> /dev/null | cmp - "$BATS_TEST_TMPDIR/p1000"
	# The root directory, the file's root node and the one or two leaves
	# holding the two pages: not the manifest, not the other leaves.
	local n
	n=$(echo "$output" | jq -r .blocks_fetched)
	[ "$n" -ge 3 ] && [ "$n" -le 4 ]
	as_reader lst-block has "$lroot"
	run as_reader lst-block verify "$lroot"
	assert_failure
	# Another page of the same leaf needs nothing more.
	run_split as_reader lst read "$lbook" --page 1002 -o "$BATS_TEST_TMPDIR/p1002" --json
	assert_success
	[ "$(echo "$output" | jq -r .blocks_fetched)" = 0 ]
	dd if="$long/long.md" bs=2048 skip=1001 count=1 2> /dev/null | cmp - "$BATS_TEST_TMPDIR/p1002"
}

@test "a non-member is refused: exit 4, nothing written, nothing sent" {
	run_split as_other lst read "$BOOK" --page 2 -o "$BATS_TEST_TMPDIR/no"
	assert_failure 4
	[[ $stderr == *"not a member"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/no" ] && [ ! -e "$BATS_TEST_TMPDIR/no.tmp" ]
	run_split as_other lst read "$BOOK" --page 2
	assert_failure 4
	[ -z "$output" ]
	[ "$(lst-chain nonce "$OADDR" | jq -r .pending)" = 0 ]
	[ "$(reader_pages "$OADDR" "$(current_period)")" = "0 0 " ]
	# By hand: a request signed by the non-member is refused with 403.
	exp=$(($(date +%s) + 300))
	a=$(echo "$OADDR" | tr A-F a-f)
	sig=$(printf 'lst-pages-request-v1\nreader: %s\nroot: %s\npages: 1-1\nexpires: %s\n' "$a" "$ROOT" "$exp" |
		as_other lst-sign sign-message | jq -r .signature)
	body=$(printf '{"reader":"%s","root":"%s","from":1,"to":1,"expires":%s,"signature":"%s"}' "$a" "$ROOT" "$exp" "$sig")
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -X POST --data "$body" "$RPC/lst/v1/pages/$ROOT")
	[ "$code" = 403 ]
	[ "$(jq -r .reason "$BATS_TEST_TMPDIR/body")" = "not a member" ]
	# The same request naming the member, signed by the non-member.
	m=$(echo "$RADDR" | tr A-F a-f)
	sig=$(printf 'lst-pages-request-v1\nreader: %s\nroot: %s\npages: 1-1\nexpires: %s\n' "$m" "$ROOT" "$exp" |
		as_other lst-sign sign-message | jq -r .signature)
	body=$(printf '{"reader":"%s","root":"%s","from":1,"to":1,"expires":%s,"signature":"%s"}' "$m" "$ROOT" "$exp" "$sig")
	code=$(curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -X POST --data "$body" "$RPC/lst/v1/pages/$ROOT")
	[ "$code" = 403 ]
	[[ $(jq -r .reason "$BATS_TEST_TMPDIR/body") == *"not signed by its reader"* ]]
	! jq -e .envelope "$BATS_TEST_TMPDIR/body"
	# Malformed, another method, another root.
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'nonsense' "$RPC/lst/v1/pages/$ROOT")
	[ "$code" = 400 ]
	code=$(curl -s -o /dev/null -w '%{http_code}' "$RPC/lst/v1/pages/$ROOT")
	[ "$code" = 405 ]
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data "$body" "$RPC/lst/v1/pages/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
	[ "$code" = 400 ]
}

@test "pages past the end exit 3, bad ranges exit 2 or 6, and nothing is sent" {
	run_split as_reader lst read "$BOOK" --page 7
	assert_failure 3
	[[ $stderr == *"the book has 6 pages"* ]]
	run_split as_reader lst read "$BOOK" --page 5-7 -o "$BATS_TEST_TMPDIR/no"
	assert_failure 3
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
	for bad in 0 0-2 4-2 1-1001; do
		run_split as_reader lst read "$BOOK" --page "$bad"
		assert_failure 6
	done
	for bad in x 1- -3 2-x 1.5; do
		run_split as_reader lst read "$BOOK" --page "$bad"
		assert_failure 2
	done
	run_split as_reader lst read "$BOOK" --page 1 --file book.md
	assert_failure 2
	# Only the subscription was sent by the reader.
	[ "$(lst-chain nonce "$RADDR" | jq -r .pending)" = 1 ]
}

@test "recordPages with a receipt the reader signed itself is refused" {
	fresh_period
	K=$(current_period)
	a=$(echo "$RADDR" | tr A-F a-f)
	# The receipt of subscription.h, over pages 2-4, signed by the reader's own key.
	ph=$(keccak "$(word 2)$(word 3)$(word 4)")
	pre=$(printf 'lst-pages-v1' | od -An -tx1 | tr -d ' \n')
	h=$(keccak "$pre$(word 161)${SUB#0x}${a#0x}${BOOK#0x}$(word "$K")$ph")
	sig=$(printf '%s' "$h" | xxd -r -p | as_reader lst-sign sign-message | jq -r .signature)
	cd=$(record_calldata "$K" 2 4 "$sig")
	run lst-chain call --from "$RADDR" --to "$SUB" --data "$cd"
	assert_failure 4
	# (the signer the contract recovers is the reader: the receipt is well made, by the wrong key)
	echo "$output" | tr A-F a-f | grep -q "receipt signer $a is not a registered server"
	[ "$(send_sub "$READER" reader "$cd")" = 0 ]
	[ "$(reader_pages "$RADDR" "$K")" = "0 0 " ]
	# Registered as a server of its own (setServer), the reader still cannot serve itself.
	[ "$(send_sub "$READER" reader "0xb8f5f8f8$(printf '%064s' "${a#0x}" | tr ' ' 0)$(word 1)")" = 1 ]
	run lst-chain call --from "$RADDR" --to "$SUB" --data "$cd"
	assert_failure 4
	[[ $output == *"a reader cannot serve themselves"* ]]
	[ "$(send_sub "$READER" reader "$cd")" = 0 ]
	[ "$(reader_pages "$RADDR" "$K")" = "0 0 " ]
	# The honest receipt for pages 2-4 does not cover 2-5.
	run_split as_reader lst read "$BOOK" --page 2-4 -o "$BATS_TEST_TMPDIR/p" --json
	assert_success
	K=$(echo "$output" | jq -r .period)
	[ "$(reader_pages "$RADDR" "$K")" = "3 3 " ]
	exp=$(($(date +%s) + 300))
	rsig=$(printf 'lst-pages-request-v1\nreader: %s\nroot: %s\npages: 2-4\nexpires: %s\n' "$a" "$ROOT" "$exp" |
		as_reader lst-sign sign-message | jq -r .signature)
	body=$(printf '{"reader":"%s","root":"%s","from":2,"to":4,"expires":%s,"signature":"%s"}' "$a" "$ROOT" "$exp" "$rsig")
	curl -s -f -X POST --data "$body" "$RPC/lst/v1/pages/$ROOT" > "$BATS_TEST_TMPDIR/grant"
	[ "$(jq -r .server "$BATS_TEST_TMPDIR/grant" | tr A-F a-f)" = "$(echo "$SERVER" | tr A-F a-f)" ]
	receipt=$(jq -r .receipt "$BATS_TEST_TMPDIR/grant")
	K=$(jq -r .period "$BATS_TEST_TMPDIR/grant")
	run lst-chain call --from "$RADDR" --to "$SUB" --data "$(record_calldata "$K" 2 5 "$receipt")"
	assert_failure 4
	[ "$(send_sub "$READER" reader "$(record_calldata "$K" 2 5 "$receipt")")" = 0 ]
	[ "$(reader_pages "$RADDR" "$K")" = "3 3 " ]
	# And the honest receipt as given is accepted (idempotent: nothing new).
	[ "$(send_sub "$READER" reader "$(record_calldata "$K" 2 4 "$receipt")")" = 1 ]
	[ "$(reader_pages "$RADDR" "$K")" = "3 3 " ]
}
