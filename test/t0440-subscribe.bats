#!/usr/bin/env bats
# Subscriptions' porcelain on a dev chain with 30-second periods: lst
# category create (the foundation's; anyone else refused by the contract,
# nothing created), lst categories, lst subscribe (the balance moves by
# exactly fee * months; extending starts where the membership ends), lst
# unsubscribe (the periods after the current one refunded, to the
# Photon), lst enroll (the author only, a paged book only, once; the
# home's serving key registered as the author's), lst publish --pages
# (the page count) and lst release of a paged book (stays paged).

load helper

FEE=2000000000000000000 # Fiction: 2 LST a period
SUBS=0x4c53540000000000000000000000000000000005
PAGE=2048

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	git_author
	lst-chain init --dev --subscription-period 30 > "$BATS_TEST_TMPDIR/init.json"
	# A block a second: block times keep to the clock (faster blocks run the chain's clock ahead,
	# each at least a second after its parent), so a period lasts 30 s of the test.
	LST_BLOCK_MS=1000 start_daemon
	DEV=$(jq -r .developer "$BATS_TEST_TMPDIR/init.json")
	FND=$(jq -r .foundation "$BATS_TEST_TMPDIR/init.json")
	READER="$BATS_TEST_TMPDIR/reader"
	RADDR=$(LST_HOME="$READER" plain_key reader)
	LST_HOME="$READER" lst config rpc "$RPC" > /dev/null
	lst send --json "$RADDR" 20 > /dev/null
}

as_reader() {
	LST_HOME="$READER" "$@"
}

balance() {
	lst balance --json "$1" | jq -r .balance
}

nonce() {
	lst-chain nonce "$1" | jq -r .nonce
}

# A 32-byte word of a decimal number, or of a 0x address.
word() {
	case $1 in
	0x*) printf '%064s' "${1#0x}" | tr ' A-F' '0a-f' ;;
	*) printf '%064x' "$1" ;;
	esac
}

# view SELECTOR WORD...: the subscription contract's answer, hex without 0x.
view() {
	local sel=$1
	shift
	local data=$sel w
	for w in "$@"; do
		data=$data$w
	done
	lst-chain call --to $SUBS --data "$data" | jq -r .result | sed 's/^0x//'
}

is_member() { # CATEGORY ADDRESS -> 0 or 1
	echo $((16#$(view 0x7d9e10f5 "$(word "$1")" "$(word "$2")")))
}

category_of() { # BOOK -> id
	echo $((16#$(view 0xc895c2ab "${1#0x}")))
}

server_owner() { # ADDRESS -> lowercase 0x address
	local r
	r=$(view 0x6a4f6662 "$(word "$1")")
	echo "0x${r:24:40}"
}

category_count() {
	echo $((16#$(view 0x2be32dbb)))
}

lower() {
	tr 'A-F' 'a-f' <<< "$1"
}

# repo NAME BYTES...: a git repository with one file of each size, tagged v1.
repo() {
	local dir="$BATS_TEST_TMPDIR/$1" i=0 n
	shift
	git init -q "$dir"
	for n in "$@"; do
		head -c "$n" /dev/urandom > "$dir/f$i.bin"
		i=$((i + 1))
	done
	git -C "$dir" add . && git -C "$dir" commit -qm one && git -C "$dir" tag v1
}

fiction() {
	lst category create Fiction --fee 2 --json > "$BATS_TEST_TMPDIR/fiction.json"
}

@test "category create: the foundation's key creates; the developer and a reader are refused, nothing created" {
	[ "$(category_count)" = 0 ]
	# The dev home holds the foundation's key: used by default.
	run_split lst category create Fiction --fee 2 --json
	assert_success
	[ "$(jq -r .id <<< "$output")" = 1 ]
	[ "$(jq -r .name <<< "$output")" = Fiction ]
	[ "$(jq -r .fee <<< "$output")" = $FEE ]
	[[ $(jq -r .tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(category_count)" = 1 ]
	# Another key of this home: the contract's reason, exit 4, nothing sent.
	n=$(nonce "$DEV")
	run_split lst category create Poetry --fee 1 --from developer --json
	assert_failure 4
	[[ $stderr == *"not the foundation"* ]]
	[ "$output" = "" ]
	[ "$(nonce "$DEV")" = "$n" ]
	# A home without the foundation's key: its own key, refused the same way.
	rn=$(nonce "$RADDR")
	run_split as_reader lst category create Poetry --fee 1
	assert_failure 4
	[[ $stderr == *"not the foundation"* ]]
	[ "$(nonce "$RADDR")" = "$rn" ]
	# The same name again: refused by the contract.
	run_split lst category create Fiction --fee 3
	assert_failure 4
	[[ $stderr == *"category exists"* ]]
	[ "$(category_count)" = 1 ]
	# Bad input: exit 6 or 2, nothing sent.
	n=$(nonce "$FND")
	run_split lst category create Poetry --fee 0
	assert_failure 6
	run_split lst category create Poetry --fee lots
	assert_failure 6
	run_split lst category create "" --fee 1
	assert_failure 6
	run_split lst category create "$(printf 'x%.0s' {1..65})" --fee 1
	assert_failure 6
	run_split lst category create Poetry
	assert_failure 2
	run_split lst category remove Poetry --fee 1
	assert_failure 2
	run_split lst category create A B --fee 1
	assert_failure 2
	[ "$(nonce "$FND")" = "$n" ]
	[ "$(category_count)" = 1 ]
}

@test "categories: one JSON line each, with fee, books and members" {
	run_split lst categories --json
	assert_success
	[ "$output" = "" ]
	fiction
	lst category create Science --fee 0.5 --json > /dev/null
	run_split lst categories --json
	assert_success
	[ "${#lines[@]}" = 2 ]
	[ "$(jq -c . <<< "${lines[0]}")" = '{"id":1,"name":"Fiction","fee":"2000000000000000000","books":0,"members":0}' ]
	[ "$(jq -c . <<< "${lines[1]}")" = '{"id":2,"name":"Science","fee":"500000000000000000","books":0,"members":0}' ]
	as_reader lst subscribe Science --yes --json > /dev/null
	run_split lst categories
	assert_success
	[ "$(jq -r .members <<< "${lines[1]}")" = 1 ]
	[ "$(jq -r .members <<< "${lines[0]}")" = 0 ]
	run_split lst categories extra
	assert_failure 2
}

@test "subscribe: pays fee * months up front; extending starts where the membership ends" {
	fiction
	[ "$(is_member 1 "$RADDR")" = 0 ]
	r0=$(balance "$RADDR")
	s0=$(balance $SUBS)
	run_split as_reader lst subscribe Fiction --months 3 --yes --json
	assert_success
	[ "$(jq -r .category <<< "$output")" = 1 ]
	[ "$(jq -r .name <<< "$output")" = Fiction ]
	[ "$(lower "$(jq -r .reader <<< "$output")")" = "$(lower "$RADDR")" ]
	[ "$(jq -r .paid <<< "$output")" = "$(echo "3 * $FEE" | bc)" ]
	[ "$(jq -r .months <<< "$output")" = 3 ]
	from=$(jq -r .from <<< "$output")
	until=$(jq -r .until <<< "$output")
	[ "$((until - from))" = 3 ]
	[ "$(jq -r .paid_from <<< "$output")" = "$from" ]
	[ "$(jq -r .paid_until <<< "$output")" = "$until" ]
	# Seconds periods: labels are the indexes; access ends when period `until` starts.
	[ "$(jq -r .from_label <<< "$output")" = "$from" ]
	[ "$(jq -r .until_label <<< "$output")" = "$until" ]
	[ "$(jq -r .ends_at <<< "$output")" = $((until * 30)) ]
	[ "$(jq -r .member <<< "$output")" = true ]
	[[ $(jq -r .tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(is_member 1 "$RADDR")" = 1 ]
	[ "$(echo "$r0 - $(balance "$RADDR")" | bc)" = "$(echo "3 * $FEE" | bc)" ]
	[ "$(echo "$(balance $SUBS) - $s0" | bc)" = "$(echo "3 * $FEE" | bc)" ]

	# Extend by 2: paid from the end of the span, the span grows by 2.
	r1=$(balance "$RADDR")
	run_split as_reader lst subscribe 1 --months 2 --yes --json
	assert_success
	[ "$(jq -r .paid_from <<< "$output")" = "$until" ]
	[ "$(jq -r .paid_until <<< "$output")" = $((until + 2)) ]
	[ "$(jq -r .from <<< "$output")" = "$from" ]
	[ "$(jq -r .until <<< "$output")" = $((until + 2)) ]
	[ "$(jq -r .paid <<< "$output")" = "$(echo "2 * $FEE" | bc)" ]
	[ "$(echo "$r1 - $(balance "$RADDR")" | bc)" = "$(echo "2 * $FEE" | bc)" ]
	# The default is one month.
	run_split as_reader lst subscribe Fiction --yes --json
	assert_success
	[ "$(jq -r .paid <<< "$output")" = $FEE ]
	[ "$(jq -r .until <<< "$output")" = $((until + 3)) ]
}

@test "subscribe refusals: unknown category 3, bad months 6, no confirmation 2, a balance too low 4; nothing paid" {
	fiction
	r0=$(balance "$RADDR")
	n=$(nonce "$RADDR")
	run_split as_reader lst subscribe Poetry --yes
	assert_failure 3
	[[ $stderr == *"no category 'Poetry'"* ]]
	run_split as_reader lst subscribe 7 --yes
	assert_failure 3
	for m in 0 121 -1 x 2.5 ''; do
		run_split as_reader lst subscribe Fiction --months "$m" --yes
		assert_failure 6
		[[ $stderr == *"1 to 120"* ]]
	done
	run_split as_reader lst subscribe --yes
	assert_failure 2
	run_split as_reader lst subscribe Fiction Science --yes
	assert_failure 2
	# No --yes and no terminal: asks nobody, pays nothing.
	run_split as_reader lst subscribe Fiction --months 2 < /dev/null
	assert_failure 2
	[[ $stderr == *"4 LST"* && $stderr == *"--yes"* ]]
	# 11 months cost 22 LST, more than the reader's 20: refused before sending.
	run_split as_reader lst subscribe Fiction --months 11 --yes
	assert_failure 4
	[[ $stderr == *"balance is"* ]]
	[ "$(balance "$RADDR")" = "$r0" ]
	[ "$(nonce "$RADDR")" = "$n" ]
	[ "$(is_member 1 "$RADDR")" = 0 ]
}

@test "unsubscribe: the periods after the current one refunded to the Photon; again or a non-member refused" {
	fiction
	as_reader lst subscribe Fiction --months 5 --yes --json > "$BATS_TEST_TMPDIR/sub.json"
	until0=$(jq -r .until "$BATS_TEST_TMPDIR/sub.json")
	from=$(jq -r .from "$BATS_TEST_TMPDIR/sub.json")
	r0=$(balance "$RADDR")
	run_split as_reader lst unsubscribe Fiction --json
	assert_success
	until=$(jq -r .until <<< "$output")
	refund=$(jq -r .refund <<< "$output")
	# The span ends with the current period (begun, not refunded); every period after it is refunded.
	[ "$until" -gt "$from" ]
	[ "$until" -lt "$until0" ]
	[ "$refund" = "$(echo "($until0 - $until) * $FEE" | bc)" ]
	[ "$(echo "$(balance "$RADDR") - $r0" | bc)" = "$refund" ]
	[ "$(jq -r .from <<< "$output")" = "$from" ]
	[ "$(jq -r .ends_at <<< "$output")" = $((until * 30)) ]
	[[ $(jq -r .tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	# The chain's record is what was printed.
	m=$(view 0xd2cfdb1d "$(word 1)" "$(word "$RADDR")")
	[ "$((16#${m:0:64}))" = "$from" ]
	[ "$((16#${m:64:64}))" = "$until" ]
	# Nothing left to cancel; a non-member; an unknown category: nothing sent.
	n=$(nonce "$RADDR")
	run_split as_reader lst unsubscribe Fiction
	assert_failure 4
	# (or, should period `until` have begun meanwhile, no longer a member)
	[[ $stderr == *"membership already ends with period $((until - 1))"* || $stderr == *"not a member"* ]]
	run_split lst unsubscribe Fiction
	assert_failure 4
	[[ $stderr == *"not a member"* ]]
	run_split as_reader lst unsubscribe Poetry
	assert_failure 3
	[ "$(nonce "$RADDR")" = "$n" ]
	[ "$(echo "$(balance "$RADDR") - $r0" | bc)" = "$refund" ]
}

@test "publish --pages: pages of 2048 bytes counted per file; release of a paged book stays paged" {
	repo paged 5000 2048 1 0
	run_split lst publish --pages --repo "$BATS_TEST_TMPDIR/paged" --ref v1 --title Paged --price 1 --yes --json
	assert_success
	# 5000 bytes: 3 pages; 2048: 1; 1: 1; an empty file: none.
	[ "$(jq -r .pages <<< "$output")" = 5 ]
	[ "$(jq -r .status <<< "$output")" = published ]
	root1=$(jq -r .root <<< "$output")
	# The same tree without --pages is another book of 1 MiB segments: another root, no pages.
	run_split lst publish --repo "$BATS_TEST_TMPDIR/paged" --ref v1 --title Flat --price 1 --yes --json
	assert_success
	[ "$(jq -r .pages <<< "$output")" = null ]
	# A new version of the paged book, without --pages: paged as the latest one.
	head -c 10000 /dev/urandom > "$BATS_TEST_TMPDIR/paged/f4.bin"
	git -C "$BATS_TEST_TMPDIR/paged" add . && git -C "$BATS_TEST_TMPDIR/paged" commit -qm two
	git -C "$BATS_TEST_TMPDIR/paged" tag v2
	run_split lst release --repo "$BATS_TEST_TMPDIR/paged" --ref v2 --json Paged
	assert_success
	[ "$(jq -r .status <<< "$output")" = released ]
	[ "$(jq -r .pages <<< "$output")" = 10 ]
	[ "$(jq -r .root <<< "$output")" != "$root1" ]
	# And of the flat one: not paged, unless --pages.
	run_split lst release --repo "$BATS_TEST_TMPDIR/paged" --ref v2 --json Flat
	assert_success
	[ "$(jq -r .pages <<< "$output")" = null ]
}

@test "enroll: the author's paged book, once; the serving key registered; others, un-paged books and twice refused" {
	fiction
	repo paged 5000
	repo flat 5000
	P=$(lst publish --pages --repo "$BATS_TEST_TMPDIR/paged" --title Paged --price 1 --yes --json | jq -r .book)
	F=$(lst publish --repo "$BATS_TEST_TMPDIR/flat" --title Flat --price 1 --yes --json | jq -r .book)
	[ -n "$P" ] && [ -n "$F" ]
	# Not paged: refused before anything is sent, with the way to page it.
	n=$(nonce "$DEV")
	run_split lst enroll Flat Fiction
	assert_failure 4
	[[ $stderr == *"not published with pages"* && $stderr == *"--pages"* ]]
	[ "$(nonce "$DEV")" = "$n" ]
	[ "$(category_of "$F")" = 0 ]
	[ ! -e "$LST_HOME/serve-key" ]
	# Not the author: refused before anything is sent.
	rn=$(nonce "$RADDR")
	run_split as_reader lst enroll "$P" Fiction
	assert_failure 4
	[[ $stderr == *"not the author"* ]]
	[ "$(nonce "$RADDR")" = "$rn" ]
	[ "$(category_of "$P")" = 0 ]
	# Unknown book or category: 3.
	run_split lst enroll Nothing Fiction
	assert_failure 3
	run_split lst enroll Paged Poetry
	assert_failure 3
	run_split lst enroll Paged
	assert_failure 2
	[ "$(nonce "$DEV")" = "$n" ]

	# The author: the home's serving key registered (setServer) and the book enrolled.
	run_split lst enroll Paged Fiction --json
	assert_success
	[ "$(jq -r .book <<< "$output")" = "$P" ]
	[ "$(jq -r .category <<< "$output")" = 1 ]
	[ "$(jq -r .name <<< "$output")" = Fiction ]
	server=$(jq -r .server <<< "$output")
	[[ $(jq -r .server_tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[[ $(jq -r .tx <<< "$output") =~ ^0x[0-9a-f]{64}$ ]]
	[ "$(category_of "$P")" = 1 ]
	[ "$(server_owner "$server")" = "$(lower "$DEV")" ]
	[ "$(stat -c %a "$LST_HOME/serve-key")" = 600 ]
	[ "$(lst categories --json | jq -r .books)" = 1 ]
	# Twice: refused, nothing sent.
	n=$(nonce "$DEV")
	run_split lst enroll Paged Fiction
	assert_failure 4
	[[ $stderr == *"already enrolled in category 1"* ]]
	[ "$(nonce "$DEV")" = "$n" ]

	# The flat book paged by a release: enrolled, the serving key already the author's.
	run_split lst release --pages --repo "$BATS_TEST_TMPDIR/flat" --title Flat --label paged --json
	assert_success
	[ "$(jq -r .pages <<< "$output")" = 3 ]
	run_split lst enroll "$F" 1 --json
	assert_success
	[ "$(jq -r .server <<< "$output")" = "$server" ]
	[ "$(jq -r .server_tx <<< "$output")" = null ]
	[ "$(category_of "$F")" = 1 ]
	[ "$(lst categories --json | jq -r .books)" = 2 ]
}

@test "on a terminal: subscribe asks with the total, words for humans; categories as a table" {
	fiction
	r0=$(balance "$RADDR")
	# Answered no: nothing paid.
	run bash -c "echo n | LST_HOME='$READER' script -qec 'lst subscribe Fiction --months 3' /dev/null"
	assert_failure 4
	[[ $output == *"pay 6 LST for 3 months of 'Fiction'? [y/N]"* ]]
	[ "$(balance "$RADDR")" = "$r0" ]
	[ "$(is_member 1 "$RADDR")" = 0 ]
	# Answered yes: paid, told in words.
	run bash -c "echo y | LST_HOME='$READER' script -qec 'lst subscribe Fiction --months 3' /dev/null"
	assert_success
	[[ $output == *"Subscribed to 'Fiction': paid 6 LST for periods "* ]]
	[[ $output == *"ends "*" UTC"* ]]
	[ "$(echo "$r0 - $(balance "$RADDR")" | bc)" = "$(echo "3 * $FEE" | bc)" ]
	run bash -c "LST_HOME='$READER' script -qec 'lst unsubscribe Fiction' /dev/null"
	assert_success
	[[ $output == *"Cancelled 'Fiction': refunded "*" LST"* && $output == *"access ends "* ]]
	run script -qec 'lst categories' /dev/null
	assert_success
	[[ $output == *"ID  NAME"* && $output == *"Fiction"*"2 LST"* ]]
	run script -qec 'lst category create Poetry --fee 1.5' /dev/null
	assert_success
	[[ $output == *"Created category 2 'Poetry' at 1.5 LST a period"* ]]
}

@test "enroll: a serving key another account registered is warned about, and the book enrolled all the same" {
	fiction
	repo paged 3000
	lst publish --pages --repo "$BATS_TEST_TMPDIR/paged" --title Paged --price 1 --yes --json > /dev/null
	# The home's serving key is private key 1; the reader registers its address first.
	printf '%064x\n' 1 > "$LST_HOME/serve-key"
	chmod 600 "$LST_HOME/serve-key"
	KEY1=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
	data=0xb8f5f8f8$(word $KEY1)$(word 1)
	echo "{\"chain_id\":161,\"nonce\":$(nonce "$RADDR"),\"to\":\"$SUBS\",\"value\":\"0\",\"data\":\"$data\",\"gas\":100000,\"gas_price\":\"1\"}" |
		as_reader lst-sign sign --from reader | jq -r .raw | lst-chain send --wait > /dev/null
	[ "$(server_owner $KEY1)" = "$(lower "$RADDR")" ]
	run_split lst enroll Paged Fiction --json
	assert_success
	[[ $stderr == *"warning"*"belongs to"* ]]
	[ "$(jq -r .server <<< "$output" | tr A-F a-f)" = $KEY1 ]
	[ "$(jq -r .server_tx <<< "$output")" = null ]
	[ "$(category_of "$(jq -r .book <<< "$output")")" = 1 ]
	# Still the reader's: enroll did not take it over.
	[ "$(server_owner $KEY1)" = "$(lower "$RADDR")" ]
}
