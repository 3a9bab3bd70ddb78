#!/usr/bin/env bats
# Shell completion: completions/lst-sign.bash and completions/lst.bash run
# in plain bash (no bash-completion package needed); the zsh and fish files
# at least parse.

load completion-helper

@test "the bash completion files load and register their functions" {
	run bash -c 'source "$1" && source "$2" && complete -p lst-sign && complete -p lst' _ \
		"$COMP/lst-sign.bash" "$COMP/lst.bash"
	assert_success
	assert_line --partial '_lst_sign lst-sign'
	assert_line --partial '_lst lst'
}

@test "lst-sign si<TAB> gives sign and sign-message" {
	source "$COMP/lst-sign.bash"
	run complete_words _lst_sign lst-sign si
	assert_success
	assert_output "$(printf 'sign\nsign-message')"
}

@test "lst-sign <TAB> lists every verb of lst-sign --help" {
	source "$COMP/lst-sign.bash"
	run complete_words _lst_sign lst-sign ''
	assert_success
	local verbs
	verbs=$("$BIN/lst-sign" --help | sed -n 's/^   \([a-z-]*\) .*/\1/p' | sort)
	[ -n "$verbs" ]
	assert_output "$verbs"
}

@test "lst-sign sign --<TAB> includes --from and --batch" {
	source "$COMP/lst-sign.bash"
	run complete_words _lst_sign lst-sign sign --
	assert_success
	assert_line -- --from
	assert_line -- --batch
	assert_line -- --home
	refute_line -- --hex
}

@test "every verb's long options are completed, as its -h shows them" {
	source "$COMP/lst-sign.bash"
	local verb want
	for verb in $("$BIN/lst-sign" --help | sed -n 's/^   \([a-z-]*\) .*/\1/p'); do
		want=$("$BIN/lst-sign" "$verb" -h | grep -o -- '--[a-z-]*' | grep -v -- '^--help$' | sort -u)
		run complete_words _lst_sign lst-sign "$verb" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
	done
}

@test "lst-sign address <TAB> offers the key names and addresses of LST_HOME" {
	"$BIN/lst-sign" --home "$LST_HOME" keygen --name alice --insecure-plaintext-key > "$BATS_TEST_TMPDIR/alice.json"
	local addr
	addr=$(sed -n 's/.*"address":"\(0x[0-9A-Fa-f]*\)".*/\1/p' "$BATS_TEST_TMPDIR/alice.json")
	[ -n "$addr" ]
	source "$COMP/lst-sign.bash"
	run complete_words _lst_sign lst-sign address ''
	assert_success
	assert_line alice
	assert_line "$addr"
	run complete_words _lst_sign lst-sign sign --from al
	assert_output alice
	run complete_words _lst_sign lst-sign --home "$BATS_TEST_TMPDIR/nowhere" address ''
	assert_output ''
}

@test "lst i<TAB> gives init" {
	source "$COMP/lst.bash"
	run complete_words _lst lst i
	assert_success
	assert_output init
}

@test "lst <TAB> offers the built-in verbs and lst-* programs on LST_EXEC_PATH" {
	local dir="$BATS_TEST_TMPDIR/exec"
	mkdir -p "$dir"
	printf '#!/bin/sh\necho foo\n' > "$dir/lst-foo"
	chmod +x "$dir/lst-foo"
	export LST_EXEC_PATH="$dir"
	source "$COMP/lst.bash"
	run complete_words _lst lst ''
	assert_success
	assert_line foo
	assert_line help
	assert_line init
	assert_line config
	assert_line version
	run complete_words _lst lst f
	assert_output foo
	run complete_words _lst lst help f
	assert_output foo
}

@test "lst's built-in verbs complete their options" {
	source "$COMP/lst.bash"
	run complete_words _lst lst init --
	assert_line -- --name
	assert_line -- --insecure-plaintext-key
	assert_line -- --json
	run complete_words _lst lst config --
	assert_line -- --list
	assert_line -- --unset
	run complete_words _lst lst --
	assert_line -- --home
	assert_line -- --exec-path
	assert_line -- --version
}

@test "lst sign address <TAB> is completed by lst-sign's completion" {
	"$BIN/lst-sign" keygen --name bob --insecure-plaintext-key > /dev/null
	source "$COMP/lst-sign.bash"
	source "$COMP/lst.bash"
	run complete_words _lst lst sign address ''
	assert_success
	assert_line bob
}

@test "the zsh completion files parse" {
	command -v zsh > /dev/null || skip "zsh not installed"
	run zsh -n "$COMP/_lst-sign"
	assert_success
	run zsh -n "$COMP/_lst"
	assert_success
	run head -n 1 "$COMP/_lst-sign"
	assert_output '#compdef lst-sign'
	run head -n 1 "$COMP/_lst"
	assert_output '#compdef lst'
}

@test "the fish completion files parse" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -n "$COMP/lst-sign.fish"
	assert_success
	run fish -n "$COMP/lst.fish"
	assert_success
}

@test "fish completes lst-sign verbs and keys" {
	command -v fish > /dev/null || skip "fish not installed"
	"$BIN/lst-sign" keygen --name carol --insecure-plaintext-key > /dev/null
	run fish -c 'source $argv[1]; complete -C"lst-sign si"; complete -C"lst-sign address "' \
		"$COMP/lst-sign.fish"
	assert_success
	assert_line --partial $'sign\t'
	assert_line --partial $'sign-message\t'
	assert_line --partial $'carol\t'
}

# Keys named alice and bob in LST_HOME (plaintext: fast); prints alice's address.
two_keys() {
	"$BIN/lst-sign" keygen --name bob --insecure-plaintext-key > /dev/null
	"$BIN/lst-sign" keygen --name alice --insecure-plaintext-key | sed -n 's/.*"address":"\(0x[0-9A-Fa-f]*\)".*/\1/p'
}

@test "lst <TAB> offers balance, send and node; lst help <TAB> too" {
	source "$COMP/lst.bash"
	run complete_words _lst lst ''
	assert_success
	assert_line balance
	assert_line send
	assert_line node
	run complete_words _lst lst help ''
	assert_line balance
	assert_line send
	assert_line node
	# Built-in verbs and lst-* programs on the path: lst-block is one.
	run complete_words _lst lst b
	assert_line balance
	assert_line block
	refute_line send
}

@test "lst node <TAB> gives start, stop and status, then their options" {
	source "$COMP/lst.bash"
	run complete_words _lst lst node ''
	assert_success
	assert_output "$(printf 'start\nstatus\nstop')"
	run complete_words _lst lst node sta
	assert_output "$(printf 'start\nstatus')"
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR" node st
	assert_output "$(printf 'start\nstatus\nstop')"
	run complete_words _lst lst node start --
	assert_line -- --rpc
	refute_line -- --from
	run complete_words _lst lst node start --rpc ''
	assert_output ''
	run complete_words _lst lst node status ''
	assert_output ''
}

@test "lst init --<TAB> includes --dev, --join and --listen" {
	source "$COMP/lst.bash"
	run complete_words _lst lst init --
	assert_success
	assert_line -- --dev
	assert_line -- --join
	assert_line -- --listen
	run complete_words _lst lst init --d
	assert_output -- --dev
	run complete_words _lst lst init --jo
	assert_output -- --join
	# A URL and an address are not completed.
	run complete_words _lst lst init --join ''
	assert_output ''
	run complete_words _lst lst init --join http://x --listen ''
	assert_output ''
}

@test "lst's built-in verbs complete every long option their -h shows" {
	source "$COMP/lst.bash"
	local verb want o
	for verb in init config balance send; do
		want=$("$BIN/lst" "$verb" -h 2>&1 | grep -o -- '--[a-z-]*' | grep -v -- '^--help$' | sort -u)
		[ -n "$want" ]
		run complete_words _lst lst "$verb" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
	done
	run complete_words _lst lst send --
	assert_line -- --from
	assert_line -- --timeout
	assert_line -- --passphrase-file
	assert_line -- --rpc
	assert_line -- --json
	run complete_words _lst lst balance --
	assert_line -- --rpc
	assert_line -- --json
	refute_line -- --from
}

@test "lst balance <TAB> and lst send <TAB> offer the key names and addresses of the home" {
	local addr
	addr=$(two_keys)
	[ -n "$addr" ]
	source "$COMP/lst.bash"
	run complete_words _lst lst balance ''
	assert_success
	assert_line alice
	assert_line bob
	assert_line "$addr"
	run complete_words _lst lst balance al
	assert_output alice
	run complete_words _lst lst send ''
	assert_line alice
	assert_line bob
	assert_line "$addr"
	run complete_words _lst lst send b
	assert_output bob
	# --from takes a key; its value is not the recipient.
	run complete_words _lst lst send --from al
	assert_output alice
	run complete_words _lst lst send --from = al
	assert_output alice
	run complete_words _lst lst send --from=al
	assert_output --from=alice
	run complete_words _lst lst send --from bob --timeout 5 --rpc = http://x al
	assert_output alice
	# After the recipient comes the amount: no keys.
	run complete_words _lst lst send bob ''
	assert_output ''
	run complete_words _lst lst balance bob ''
	assert_output ''
	# --home before the verb picks the home the keys come from.
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/nowhere" send ''
	assert_output ''
	run complete_words _lst lst --home "$LST_HOME" balance b
	assert_output bob
}

@test "fish completes balance, send and node" {
	command -v fish > /dev/null || skip "fish not installed"
	two_keys > /dev/null
	run fish -c 'source $argv[1]
		complete -C"lst "; echo ---
		complete -C"lst node "; echo ---
		complete -C"lst send "; echo ---
		complete -C"lst send --from bob "; echo ---
		complete -C"lst send bob "; echo ---
		complete -C"lst balance al"; echo ---
		complete -C"lst init --"' "$COMP/lst.fish"
	assert_success
	local -a part
	mapfile -t part < <(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	local all
	all=$(printf '%s\n' "${part[@]}")
	grep -q $'^0|balance\t' <<< "$all"
	grep -q $'^0|send\t' <<< "$all"
	grep -q $'^0|node\t' <<< "$all"
	[ "$(grep '^1|' <<< "$all" | cut -f1 | sort | tr '\n' ' ')" = "1|start 1|status 1|stop " ]
	grep -q $'^2|alice\t' <<< "$all"
	grep -q $'^2|bob\t' <<< "$all"
	grep -q $'^3|alice\t' <<< "$all"
	[ -z "$(grep '^4|' <<< "$all")" ]
	[ "$(grep '^5|' <<< "$all" | cut -f1)" = "5|alice" ]
	grep -q $'^6|--dev\t' <<< "$all"
	grep -q $'^6|--join\t' <<< "$all"
	grep -q $'^6|--listen\t' <<< "$all"
}

@test "zsh completes balance, send and node" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	two_keys > /dev/null
	run zsh_complete 'lst '
	assert_line balance
	assert_line send
	assert_line node
	run zsh_complete 'lst node '
	assert_output "$(printf 'start\nstatus\nstop')"
	run zsh_complete 'lst node start --'
	assert_line -- --rpc
	run zsh_complete 'lst send '
	assert_line alice
	assert_line bob
	run zsh_complete 'lst balance al'
	assert_output alice
	run zsh_complete 'lst init --'
	assert_line -- --dev
	assert_line -- --join
	run zsh_complete 'lst init --join x --'
	assert_line -- --listen
	refute_line -- --dev
}
