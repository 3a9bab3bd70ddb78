#!/usr/bin/env bats
# Shell completion of lst-chain: completions/lst-chain.bash runs in plain
# bash (no bash-completion package needed) and follows 'lst-chain --help'
# and each verb's -h; 'lst chain ...' goes through lst's completion; the
# zsh and fish files parse, and fish completes verbs and options.

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

# The verbs of 'lst-chain --help', one a line (sorted).
chain_verbs() {
	"$BIN/lst-chain" --help | sed -n 's/^   \([a-z-]*\) .*/\1/p' | sort
}

@test "the bash completion file loads and registers _lst_chain" {
	run bash -c 'source "$1" && complete -p lst-chain' _ "$COMP/lst-chain.bash"
	assert_success
	assert_output --partial '_lst_chain lst-chain'
}

@test "lst-chain s<TAB> gives send, status and stop" {
	source "$COMP/lst-chain.bash"
	run complete_words _lst_chain lst-chain s
	assert_success
	assert_output "$(printf 'send\nstatus\nstop')"
}

@test "lst-chain <TAB> lists every verb of lst-chain --help" {
	source "$COMP/lst-chain.bash"
	local verbs
	verbs=$(chain_verbs)
	[ -n "$verbs" ]
	run complete_words _lst_chain lst-chain ''
	assert_success
	assert_output "$verbs"
}

@test "every verb of lst-chain --help completes from its prefix" {
	source "$COMP/lst-chain.bash"
	local verb
	for verb in $(chain_verbs); do
		run complete_words _lst_chain lst-chain "${verb:0:2}"
		assert_success
		assert_line "$verb"
		run complete_words _lst_chain lst-chain "$verb"
		assert_line "$verb"
	done
}

@test "lst-chain daemon --<TAB> includes --detach and --rpc" {
	source "$COMP/lst-chain.bash"
	run complete_words _lst_chain lst-chain daemon --
	assert_success
	assert_line -- --detach
	assert_line -- --rpc
	assert_line -- --home
	refute_line -- --wait
}

@test "every verb's long options are completed, as its -h shows them" {
	source "$COMP/lst-chain.bash"
	local verb want o
	for verb in $(chain_verbs); do
		want=$("$BIN/lst-chain" "$verb" -h | grep -o -- '--[a-z-]*[a-z]' | sort -u)
		[ -n "$want" ]
		run complete_words _lst_chain lst-chain "$verb" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
	done
}

@test "options are those of the verb on the command line" {
	source "$COMP/lst-chain.bash"
	run complete_words _lst_chain lst-chain send --
	assert_line -- --wait
	assert_line -- --timeout
	refute_line -- --detach
	run complete_words _lst_chain lst-chain call --
	assert_line -- --to
	assert_line -- --data
	assert_line -- --from
	run complete_words _lst_chain lst-chain logs --
	assert_line -- --from-block
	assert_line -- --topic
	run complete_words _lst_chain lst-chain --
	assert_line -- --home
	assert_line -- --rpc
	assert_line -- --version
	refute_line -- --wait
}

@test "global options and their values do not hide the verb" {
	source "$COMP/lst-chain.bash"
	# bash splits "http://127.0.0.1:8545" at each ':' (COMP_WORDBREAKS).
	run complete_words _lst_chain lst-chain --rpc http : //127.0.0.1 : 8545 st
	assert_output "$(printf 'status\nstop')"
	run complete_words _lst_chain lst-chain --home /tmp daemon --d
	assert_output -- --detach
	run complete_words _lst_chain lst-chain --home = /tmp wait --t
	assert_output -- --timeout
	# Values are not completed with verbs or options.
	run complete_words _lst_chain lst-chain --rpc ''
	assert_output ''
	run complete_words _lst_chain lst-chain send --timeout ''
	assert_output ''
}

@test "lst-chain block <TAB> offers latest and earliest, once" {
	source "$COMP/lst-chain.bash"
	run complete_words _lst_chain lst-chain block ''
	assert_output "$(printf 'earliest\nlatest')"
	run complete_words _lst_chain lst-chain block latest ''
	assert_output ''
}

@test "lst chain ... is completed by lst-chain's completion" {
	source "$COMP/lst-chain.bash"
	source "$COMP/lst.bash"
	run complete_words _lst lst chain s
	assert_success
	assert_output "$(printf 'send\nstatus\nstop')"
	run complete_words _lst lst chain daemon --
	assert_line -- --detach
	assert_line -- --rpc
	run complete_words _lst lst ch
	assert_line chain
}

@test "the zsh completion file parses" {
	command -v zsh > /dev/null || skip "zsh not installed"
	run zsh -n "$COMP/_lst-chain"
	assert_success
	run head -n 1 "$COMP/_lst-chain"
	assert_output '#compdef lst-chain'
}

@test "the fish completion file parses" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -n "$COMP/lst-chain.fish"
	assert_success
}

@test "fish completes lst-chain verbs and options, and lst chain" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -c 'source $argv[1]; complete -C"lst-chain s"' "$COMP/lst-chain.fish"
	assert_success
	assert_line --partial $'send\t'
	assert_line --partial $'status\t'
	assert_line --partial $'stop\t'
	run fish -c 'source $argv[1]; complete -C"lst-chain daemon --"' "$COMP/lst-chain.fish"
	assert_line --partial $'--detach\t'
	assert_line --partial $'--rpc\t'
	run fish -c 'source $argv[1]; source $argv[2]; complete -C"lst chain s"' \
		"$COMP/lst-chain.fish" "$COMP/lst.fish"
	assert_line --partial $'status\t'
}
