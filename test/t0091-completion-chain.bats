#!/usr/bin/env bats
# Shell completion of lst-chain: completions/lst-chain.bash runs in plain
# bash (no bash-completion package needed) and follows 'lst-chain --help'
# and each verb's -h; 'lst chain ...' goes through lst's completion; the
# zsh and fish files parse, and fish completes verbs and options.

load completion-helper

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
	verbs=$(verbs lst-chain)
	[ -n "$verbs" ]
	run complete_words _lst_chain lst-chain ''
	assert_success
	assert_output "$verbs"
}

@test "every verb of lst-chain --help completes from its prefix" {
	source "$COMP/lst-chain.bash"
	local verb
	for verb in $(verbs lst-chain); do
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
	for verb in $(verbs lst-chain); do
		want=$("$BIN/lst-chain" "$verb" -h | grep -o -- '--[a-z-]*[a-z]' | sort -u)
		[ -n "$want" ]
		run complete_words _lst_chain lst-chain "$verb" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
	done
}

@test "the network verbs: testnet, init --join, daemon --peer, peers, evidence" {
	source "$COMP/lst-chain.bash"
	run complete_words _lst_chain lst-chain te
	assert_output testnet
	run complete_words _lst_chain lst-chain p
	assert_output peers
	run complete_words _lst_chain lst-chain e
	assert_output evidence
	run complete_words _lst_chain lst-chain validators --h
	assert_line -- --height
	assert_line -- --home
	run complete_words _lst_chain lst-chain testnet --
	assert_line -- --validators
	assert_line -- --out
	assert_line -- --base-port
	assert_line -- --chain-id
	refute_line -- --rpc
	refute_line -- --home
	run complete_words _lst_chain lst-chain init --
	assert_line -- --join
	assert_line -- --listen
	assert_line -- --dev
	run complete_words _lst_chain lst-chain init --j
	assert_output -- --join
	run complete_words _lst_chain lst-chain daemon --p
	assert_output -- --peer
	run complete_words _lst_chain lst-chain evidence --
	assert_line -- --validator
	assert_line -- --from-block
	assert_line -- --rpc
	refute_line -- --to-block
	run complete_words _lst_chain lst-chain peers --
	assert_line -- --rpc
	refute_line -- --peer
	# Values: --out is a directory; URLs, addresses, ports are not completed.
	mkdir -p "$BATS_TEST_TMPDIR/nets/one"
	cd "$BATS_TEST_TMPDIR/nets"
	run complete_words _lst_chain lst-chain testnet --out o
	assert_output one
	run complete_words _lst_chain lst-chain testnet --out=o
	assert_output --out=one
	run complete_words _lst_chain lst-chain testnet --validators ''
	assert_output ''
	run complete_words _lst_chain lst-chain init --join ''
	assert_output ''
	run complete_words _lst_chain lst-chain daemon --peer ''
	assert_output ''
	run complete_words _lst_chain lst-chain evidence --validator ''
	assert_output ''
	# The verb after a value that looks like one is still the verb.
	run complete_words _lst_chain lst-chain --home /tmp testnet --b
	assert_output -- --base-port
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
	run complete_words _lst lst chain testnet --v
	assert_output -- --validators
	run complete_words _lst lst chain init --join ''
	assert_output ''
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

@test "fish completes the network verbs and their options" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -c 'source $argv[1]
		complete -C"lst-chain "; echo ---
		complete -C"lst-chain testnet --"; echo ---
		complete -C"lst-chain init --"; echo ---
		complete -C"lst-chain daemon --"; echo ---
		complete -C"lst-chain evidence --"; echo ---
		complete -C"lst-chain testnet --validators "' "$COMP/lst-chain.fish"
	assert_success
	local all
	all=$(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	grep -q $'^0|testnet\t' <<< "$all"
	grep -q $'^0|peers\t' <<< "$all"
	grep -q $'^0|evidence\t' <<< "$all"
	grep -q $'^1|--validators\t' <<< "$all"
	grep -q $'^1|--out\t' <<< "$all"
	grep -q $'^1|--base-port\t' <<< "$all"
	grep -q $'^1|--chain-id\t' <<< "$all"
	! grep -q $'^1|--rpc\t' <<< "$all"
	grep -q $'^2|--join\t' <<< "$all"
	grep -q $'^2|--listen\t' <<< "$all"
	grep -q $'^3|--peer\t' <<< "$all"
	grep -q $'^4|--validator\t' <<< "$all"
	grep -q $'^4|--from-block\t' <<< "$all"
	[ -z "$(grep '^5|' <<< "$all")" ]
}

@test "zsh completes the network verbs and their options" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	run zsh_complete 'lst-chain '
	assert_line testnet
	assert_line peers
	assert_line evidence
	run zsh_complete 'lst-chain testnet --'
	assert_line -- --validators
	assert_line -- --out
	assert_line -- --base-port
	assert_line -- --chain-id
	refute_line -- --rpc
	run zsh_complete 'lst-chain init --j'
	assert_output -- --join
	run zsh_complete 'lst-chain init --join x --'
	assert_line -- --listen
	refute_line -- --dev
	run zsh_complete 'lst-chain daemon --p'
	assert_output -- --peer
	run zsh_complete 'lst-chain evidence --'
	assert_line -- --validator
	assert_line -- --from-block
}
