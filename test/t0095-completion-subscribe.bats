#!/usr/bin/env bats
# Shell completion of the subscriptions' porcelain (lst categories,
# category create, subscribe, unsubscribe, enroll) and of the new options
# of publish, release (--pages) and read (--page): every long option of
# each verb's -h and none of another verb's; 'lst category' takes
# 'create'; CATEGORY offers the names of the node's categories (--rpc and
# --home honoured), nothing and no error without a node, and a node that
# does not answer stops no completion (a 2-second timeout); the zsh and
# fish files complete the same.

load completion-helper

SUBS_VERBS="categories category subscribe unsubscribe enroll"

# long_opts VERB...: the long options of the option list of 'lst VERB...
# -h', --help too (not those its prose mentions, like enroll's --pages).
long_opts() {
	"$BIN/lst" "$@" -h | sed -n 's/^ *\(-[a-z], \)\{0,1\}\(--[a-z][a-z-]*[a-z]\).*/\2/p' | sort -u
}

# A dev chain in this test's home (the foundation's key here), the home's
# config rpc pointing at it; RPC is its URL.
start_node() {
	"$BIN/lst-chain" init --dev > /dev/null
	LST_BLOCK_MS=200 "$BIN/lst-chain" daemon --detach --rpc 127.0.0.1:0 3>&- > "$BATS_TEST_TMPDIR/daemon.json"
	RPC=$(jq -r .rpc "$BATS_TEST_TMPDIR/daemon.json")
	[ -n "$RPC" ]
	"$BIN/lst" config rpc "$RPC" > /dev/null
}

teardown() {
	if [ -f "$LST_HOME/daemon.pid" ]; then
		"$BIN/lst-chain" stop > /dev/null 2>&1 || true
	fi
}

# slow_lst: an 'lst' first on PATH that prints one category, then never
# ends: the completion must stop waiting for it on its own.
slow_lst() {
	mkdir -p "$BATS_TEST_TMPDIR/slow"
	printf '#!/bin/sh\necho %s\nexec sleep 120\n' "'{\"id\":7,\"name\":\"Slow\",\"fee\":\"1\"}'" \
		> "$BATS_TEST_TMPDIR/slow/lst"
	chmod +x "$BATS_TEST_TMPDIR/slow/lst"
	export PATH="$BATS_TEST_TMPDIR/slow:$PATH"
}

@test "lst <TAB> offers every verb lst --help lists, the subscriptions' among them" {
	source "$COMP/lst.bash"
	local want v
	want=$(verbs lst)
	for v in $SUBS_VERBS; do
		grep -qx "$v" <<< "$want"
	done
	run complete_words _lst lst ''
	assert_success
	for v in $want; do
		assert_line "$v"
	done
	run complete_words _lst lst sub
	assert_output subscribe
	run complete_words _lst lst categ
	assert_output "$(printf 'categories\ncategory')"
	run complete_words _lst lst help uns
	assert_output unsubscribe
}

@test "every verb's long options are completed as its -h shows them, and no other" {
	source "$COMP/lst.bash"
	local v want o
	for v in $SUBS_VERBS publish release read; do
		want=$(long_opts "$v")
		[ -n "$want" ]
		run complete_words _lst lst "$v" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
		for o in $output; do
			grep -qx -- "$o" <<< "$want"
		done
	done
	# 'category create' takes the same options, before or after create.
	want=$(long_opts category create)
	[ "$want" = "$(long_opts category)" ]
	run complete_words _lst lst category create --
	assert_output "$want"
	# The new options are the verb's own.
	run complete_words _lst lst publish --pa
	assert_output "$(printf -- '--pages\n--passphrase-file')"
	run complete_words _lst lst release --pag
	assert_output -- --pages
	run complete_words _lst lst read --pa
	assert_output "$(printf -- '--page\n--passphrase-file')"
	run complete_words _lst lst show --pa
	assert_output ''
	run complete_words _lst lst subscribe --f
	assert_output -- --from
	run complete_words _lst lst unsubscribe --m
	assert_output ''
	run complete_words _lst lst enroll --f
	assert_output ''
	run complete_words _lst lst categories --f
	assert_output ''
	run complete_words _lst lst subscribe -
	refute_line -- --fee
}

@test "values: category takes create, --from the home's keys, files for --passphrase-file, nothing for amounts" {
	"$BIN/lst-sign" keygen --name alice --insecure-plaintext-key > "$BATS_TEST_TMPDIR/alice.json"
	local alice
	alice=$(jq -r .address "$BATS_TEST_TMPDIR/alice.json")
	source "$COMP/lst.bash"
	run complete_words _lst lst category ''
	assert_output create
	run complete_words _lst lst category --fee 2 --from alice c
	assert_output create
	run complete_words _lst lst category create ''
	assert_output ''
	run complete_words _lst lst category create Fiction ''
	assert_output ''
	for v in category subscribe unsubscribe; do
		run complete_words _lst lst "$v" --from ''
		assert_output "$(printf '%s\nalice' "$alice")"
	done
	run complete_words _lst lst subscribe --from=al
	assert_output --from=alice
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/none" subscribe --from ''
	assert_output ''
	touch "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst lst enroll --passphrase-file "$BATS_TEST_TMPDIR/pa"
	assert_output "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst lst category --fee ''
	assert_output ''
	run complete_words _lst lst subscribe --months ''
	assert_output ''
	run complete_words _lst lst read --page ''
	assert_output ''
	run complete_words _lst lst categories ''
	assert_output ''
}

@test "CATEGORY offers the node's category names; --rpc and --home are honoured; nothing without the node" {
	start_node
	"$BIN/lst" category create Fiction --fee 2 --json > /dev/null
	"$BIN/lst" category create "Science fiction" --fee 1 --json > /dev/null
	source "$COMP/lst.bash"
	run complete_words _lst lst subscribe ''
	assert_success
	assert_output "$(printf 'Fiction\nScience\\ fiction')"
	run complete_words _lst lst subscribe Sc
	assert_output 'Science\ fiction'
	run complete_words _lst lst subscribe 'Science\ f'
	assert_output 'Science\ fiction'
	run complete_words _lst lst subscribe --months 3 --from developer -y F
	assert_output Fiction
	run complete_words _lst lst unsubscribe --passphrase-file x ''
	assert_output "$(printf 'Fiction\nScience\\ fiction')"
	# enroll BOOK CATEGORY: the book is not completed, the category is.
	run complete_words _lst lst enroll ''
	assert_output ''
	run complete_words _lst lst enroll 0xab F
	assert_output Fiction
	# A category once named is not offered again.
	run complete_words _lst lst subscribe Fiction ''
	assert_output ''
	# --rpc of the command line, whole or split at ':' as bash splits it.
	run complete_words _lst lst subscribe --rpc http://127.0.0.1:1 ''
	assert_output ''
	run complete_words _lst lst subscribe --rpc http : //127.0.0.1 : 1 ''
	assert_output ''
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/other" subscribe ''
	assert_output ''
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/other" subscribe --rpc "$RPC" F
	assert_output Fiction
	local port=${RPC##*:}
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/other" enroll --rpc=http : //127.0.0.1 : "$port" 0xab F
	assert_output Fiction
	# The node stopped: nothing, and no error text.
	"$BIN/lst-chain" stop > /dev/null
	run complete_words _lst lst subscribe ''
	assert_success
	assert_output ''
}

@test "a node that does not answer stops no completion" {
	slow_lst
	# The outer timeout only guards the test run; the completion's own
	# gives up on lst and offers what it printed.
	run timeout 60 bash -c 'source "$1"; COMP_WORDS=(lst subscribe ""); COMP_CWORD=2
		_lst; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/lst.bash"
	assert_success
	assert_output Slow
	command -v fish > /dev/null || skip "fish not installed"
	run timeout 60 fish -c 'source $argv[1]; complete -C"lst unsubscribe "' "$COMP/lst.fish"
	assert_success
	assert_output $'Slow\tcategory'
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	run zsh_complete 'lst enroll 0xab '
	assert_output Slow
}

@test "the zsh and fish completion files parse" {
	command -v zsh > /dev/null || skip "zsh not installed"
	command -v fish > /dev/null || skip "fish not installed"
	run zsh -n "$COMP/_lst"
	assert_success
	run head -n 1 "$COMP/_lst"
	assert_output "#compdef lst"
	run fish -n "$COMP/lst.fish"
	assert_success
}

@test "fish completes the verbs, each verb's options, create and the node's categories" {
	command -v fish > /dev/null || skip "fish not installed"
	start_node
	"$BIN/lst" category create "Science fiction" --fee 1 --json > /dev/null
	run fish -c 'source $argv[1]
		complete -C"lst "; echo ---
		complete -C"lst subscribe --"; echo ---
		complete -C"lst unsubscribe --"; echo ---
		complete -C"lst enroll --"; echo ---
		complete -C"lst categories --"; echo ---
		complete -C"lst category --"; echo ---
		complete -C"lst category "; echo ---
		complete -C"lst subscribe --months 2 "; echo ---
		complete -C"lst enroll 0xab "; echo ---
		complete -C"lst enroll "; echo ---
		complete -C"lst publish --pa"; echo ---
		complete -C"lst read --pa"; echo ---
		complete -C"lst subscribe --rpc http://127.0.0.1:1 "' "$COMP/lst.fish"
	assert_success
	local all v o
	all=$(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	for v in $(verbs lst); do
		grep -q "^0|$v"$'\t' <<< "$all"
	done
	# Each verb's options, exactly those of its -h (-h and -y aside).
	local n=1
	for v in subscribe unsubscribe enroll categories category; do
		[ "$(sed -n "s/^$n|\(--[a-z-]*\)\t.*/\1/p" <<< "$all" | sort)" = "$(long_opts "$v")" ]
		n=$((n + 1))
	done
	grep -q $'^6|create\t' <<< "$all"
	[ "$(grep -c '^6|' <<< "$all")" -eq 1 ]
	[ "$(grep '^7|' <<< "$all")" = $'7|Science fiction\tcategory' ]
	[ "$(grep '^8|' <<< "$all")" = $'8|Science fiction\tcategory' ]
	[ -z "$(grep '^9|' <<< "$all")" ]
	[ "$(grep '^10|' <<< "$all" | cut -f1)" = "$(printf '10|--pages\n10|--passphrase-file')" ]
	[ "$(grep '^11|' <<< "$all" | cut -f1)" = "$(printf '11|--page\n11|--passphrase-file')" ]
	[ -z "$(grep '^12|' <<< "$all")" ]
}

@test "zsh completes the verbs, each verb's options, create and the node's categories" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	start_node
	"$BIN/lst" category create "Science fiction" --fee 1 --json > /dev/null
	local v o
	run zsh_complete 'lst '
	for v in $(verbs lst); do
		assert_line "$v"
	done
	for v in subscribe unsubscribe enroll categories category; do
		run zsh_complete "lst $v --"
		assert_output "$(long_opts "$v")"
	done
	run zsh_complete 'lst category '
	assert_output create
	run zsh_complete 'lst subscribe '
	assert_output 'Science fiction'
	run zsh_complete 'lst enroll 0xab S'
	assert_output 'Science fiction'
	run zsh_complete 'lst publish --pa'
	assert_output "$(printf -- '--pages\n--passphrase-file')"
	run zsh_complete 'lst read --pa'
	assert_output "$(printf -- '--page\n--passphrase-file')"
}
