#!/usr/bin/env bats
# Shell completion: completions/lst-sign.bash and completions/lst.bash run
# in plain bash (no bash-completion package needed); the zsh and fish files
# at least parse.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="$TOP/build/bin"
COMP="$TOP/completions"

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	unset LST_PASSPHRASE_FILE XDG_DATA_HOME
	export PATH="$BIN:$PATH"
	export LST_EXEC_PATH="$BIN"
}

# complete FUNCTION WORD...: run a completion function as bash would for the
# command line WORD... with the cursor at the end of the last word, and
# print COMPREPLY one entry a line (sorted).
complete_words() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

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
