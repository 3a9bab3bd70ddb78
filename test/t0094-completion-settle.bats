#!/usr/bin/env bats
# Shell completion of lst-settle: completions/lst-settle.bash runs in
# plain bash and follows '--help' and each verb's -h; PERIOD offers current
# and last, --from and the earnings ADDRESS the home's keys; 'lst settle
# ...' goes through lst's completion; the zsh and fish files parse and
# complete the same.

load completion-helper

# A named key in $LST_HOME; prints its address.
key() {
	"$BIN/lst-sign" keygen --name "$1" --insecure-plaintext-key | jq -r .address
}

@test "the bash completion file loads and registers _lst_settle" {
	run bash -c 'source "$1" && complete -p lst-settle' _ "$COMP/lst-settle.bash"
	assert_success
	assert_output --partial '_lst_settle lst-settle'
}

@test "<TAB> lists every verb of --help; every verb completes from its prefix" {
	source "$COMP/lst-settle.bash"
	local want v
	want=$(verbs lst-settle)
	[ "$(wc -l <<< "$want")" -eq 3 ]
	run complete_words _lst_settle lst-settle ''
	assert_success
	assert_output "$want"
	for v in $want; do
		run complete_words _lst_settle lst-settle "${v:0:3}"
		assert_output "$v"
	done
	# After a global option and its value, still the verbs.
	run complete_words _lst_settle lst-settle --rpc http://x e
	assert_output earnings
	run complete_words _lst_settle lst-settle --
	assert_output "$(printf -- '--help\n--home\n--rpc\n--version')"
}

@test "every verb's long options are completed, as its -h shows them" {
	source "$COMP/lst-settle.bash"
	local verb want o
	for verb in $(verbs lst-settle); do
		want=$("$BIN/lst-settle" "$verb" -h | grep -o -- '--[a-z-]*[a-z]' | sort -u)
		[ -n "$want" ]
		run complete_words _lst_settle lst-settle "$verb" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
		# and nothing -h does not show
		for o in $output; do
			grep -qx -- "$o" <<< "$want"
		done
	done
	# Options are the verb's own: only period sends, so only period has --from.
	run complete_words _lst_settle lst-settle statement --
	refute_line -- --from
	refute_line -- --passphrase-file
	run complete_words _lst_settle lst-settle earnings --f
	assert_output ''
	run complete_words _lst_settle lst-settle period --f
	assert_output -- --from
}

@test "values: PERIOD is current or last, --from and ADDRESS the home's keys, files for --passphrase-file" {
	source "$COMP/lst-settle.bash"
	local alice
	alice=$(key alice)
	[ -n "$alice" ]
	# CATEGORY (the first operand) lives on the chain: nothing offered.
	run complete_words _lst_settle lst-settle statement ''
	assert_output ''
	run complete_words _lst_settle lst-settle statement fiction ''
	assert_output "$(printf 'current\nlast')"
	run complete_words _lst_settle lst-settle period --from alice fiction l
	assert_output last
	run complete_words _lst_settle lst-settle period fiction 2026-11 ''
	assert_output ''
	run complete_words _lst_settle lst-settle period --from ''
	assert_output "$(printf '%s\nalice' "$alice")"
	run complete_words _lst_settle lst-settle period --from=al
	assert_output --from=alice
	run complete_words _lst_settle lst-settle earnings ''
	assert_output "$(printf '%s\nalice' "$alice")"
	run complete_words _lst_settle lst-settle earnings alice ''
	assert_output ''
	# Another home's keys with --home; none in an empty one.
	run complete_words _lst_settle lst-settle --home "$BATS_TEST_TMPDIR/none" earnings ''
	assert_output ''
	touch "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst_settle lst-settle period --passphrase-file "$BATS_TEST_TMPDIR/pa"
	assert_output "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst_settle lst-settle --rpc ''
	assert_output ''
}

@test "lst settle ... is completed by lst-settle's completion" {
	source "$COMP/lst-settle.bash"
	source "$COMP/lst.bash"
	local alice
	alice=$(key alice)
	run complete_words _lst lst sett
	assert_output settle
	run complete_words _lst lst settle st
	assert_output statement
	run complete_words _lst lst settle period --
	assert_line -- --from
	assert_line -- --human
	run complete_words _lst lst settle earnings ''
	assert_line alice
	assert_line "$alice"
}

@test "the zsh and fish completion files parse" {
	command -v zsh > /dev/null || skip "zsh not installed"
	command -v fish > /dev/null || skip "fish not installed"
	run zsh -n "$COMP/_lst-settle"
	assert_success
	run head -n 1 "$COMP/_lst-settle"
	assert_output "#compdef lst-settle"
	run fish -n "$COMP/lst-settle.fish"
	assert_success
}

@test "fish completes verbs, options, periods and keys, and lst settle" {
	command -v fish > /dev/null || skip "fish not installed"
	local alice
	alice=$(key alice)
	run fish -c 'source $argv[1]
		complete -C"lst-settle "; echo ---
		complete -C"lst-settle period --"; echo ---
		complete -C"lst-settle statement --"; echo ---
		complete -C"lst-settle statement fiction "; echo ---
		complete -C"lst-settle earnings "; echo ---
		complete -C"lst-settle statement "' "$COMP/lst-settle.fish"
	assert_success
	local all
	all=$(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	grep -q $'^0|period\t' <<< "$all"
	grep -q $'^0|statement\t' <<< "$all"
	grep -q $'^0|earnings\t' <<< "$all"
	grep -q $'^1|--from\t' <<< "$all"
	grep -q $'^1|--passphrase-file\t' <<< "$all"
	grep -q $'^1|--json\t' <<< "$all"
	grep -q $'^2|--human\t' <<< "$all"
	[ -z "$(grep $'^2|--from\t' <<< "$all")" ]
	grep -q $'^3|current\t' <<< "$all"
	grep -q $'^3|last\t' <<< "$all"
	grep -q $'^4|alice\t' <<< "$all"
	grep -q "^4|$alice"$'\t' <<< "$all"
	[ -z "$(grep '^5|' <<< "$all")" ]
	run fish -c 'source $argv[1]; source $argv[2]
		complete -C"lst settle per"; echo ---
		complete -C"lst settle period --fr"' "$COMP/lst-settle.fish" "$COMP/lst.fish"
	assert_success
	assert_line --partial $'period\t'
	assert_line --partial $'--from\t'
}

@test "zsh completes verbs, options, periods and keys" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	key alice > /dev/null
	run zsh_complete 'lst-settle '
	assert_line period
	assert_line statement
	assert_line earnings
	run zsh_complete 'lst-settle period --'
	assert_line -- --from
	assert_line -- --passphrase-file
	assert_line -- --json
	run zsh_complete 'lst-settle statement --'
	refute_line -- --from
	assert_line -- --human
	run zsh_complete 'lst-settle statement fiction '
	assert_line current
	assert_line last
	run zsh_complete 'lst-settle earnings '
	assert_line alice
}
