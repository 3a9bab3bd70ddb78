#!/usr/bin/env bats
# Shell completion of the market's porcelain (lst publish, release, price,
# versions, show, sales, read, library) and of lst-buy: every long option
# of each verb's -h is completed, --ref offers the repository's tags,
# 'lst buy' is completed by lst-buy's completion, and the zsh and fish
# files parse and complete the same.

load completion-helper

MARKET_VERBS="publish release price versions show sales read library"

# long_opts PROGRAM [VERB]: the long options its -h lists, but --help.
long_opts() {
	"$BIN/$1" ${2:+"$2"} -h | grep -o -- '--[a-z][a-z-]*' | grep -v -- '^--help$' | sort -u
}

@test "lst <TAB> offers the market's verbs, and lst --help lists them" {
	source "$COMP/lst.bash"
	run complete_words _lst lst ''
	assert_success
	local v
	for v in $MARKET_VERBS; do
		assert_line "$v"
	done
	run verbs lst
	for v in $MARKET_VERBS; do
		assert_line "$v"
	done
}

@test "every market verb's long options are completed, as its -h shows them" {
	source "$COMP/lst.bash"
	local v o want
	for v in $MARKET_VERBS; do
		want=$(long_opts lst "$v")
		[ -n "$want" ]
		run complete_words _lst lst "$v" --
		assert_success
		for o in $want; do
			assert_line -- "$o"
		done
	done
	# Options are the verb's own: show has no --price, read no --terms.
	run complete_words _lst lst show --
	refute_line -- --price
	run complete_words _lst lst read --
	refute_line -- --terms
}

@test "lst publish --ref <TAB> offers the tags and branches of --repo" {
	local repo="$BATS_TEST_TMPDIR/book"
	git init -q -b main "$repo"
	echo text > "$repo/ch1.md"
	git -C "$repo" add ch1.md
	git -C "$repo" -c user.name=a -c user.email=a@b commit -qm one
	git -C "$repo" tag v1.0
	git -C "$repo" tag v1.1
	source "$COMP/lst.bash"
	run complete_words _lst lst publish --repo "$repo" --ref v1
	assert_success
	assert_output "$(printf 'v1.0\nv1.1')"
	run complete_words _lst lst release --repo "$repo" --ref ''
	assert_line main
	assert_line HEAD
	# Outside a repository: HEAD alone, no error text.
	run complete_words _lst lst publish --repo "$BATS_TEST_TMPDIR/none" --ref ''
	assert_output HEAD
}

@test "lst-buy completes its options as -h shows them; lst buy is delegated to it" {
	source "$COMP/lst-buy.bash"
	source "$COMP/lst.bash"
	local want o
	want=$(long_opts lst-buy)
	run complete_words _lst_buy lst-buy --
	assert_success
	for o in $want; do
		assert_line -- "$o"
	done
	run complete_words _lst lst buy --max
	assert_output -- --max-price
	# An option's value: files for --passphrase-file, nothing for --max-price.
	touch "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst_buy lst-buy --passphrase-file "$BATS_TEST_TMPDIR/pa"
	assert_output "$BATS_TEST_TMPDIR/pass.txt"
	run complete_words _lst_buy lst-buy --max-price ''
	assert_output ''
}

@test "the zsh and fish completion files parse" {
	command -v zsh > /dev/null || skip "zsh not installed"
	command -v fish > /dev/null || skip "fish not installed"
	run zsh -n "$COMP/_lst-buy"
	assert_success
	run head -n 1 "$COMP/_lst-buy"
	assert_output "#compdef lst-buy"
	run zsh -n "$COMP/_lst"
	assert_success
	run fish -n "$COMP/lst-buy.fish"
	assert_success
	run fish -n "$COMP/lst.fish"
	assert_success
}

@test "fish completes the market's verbs and options, and lst-buy" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -c 'source $argv[1]; source $argv[2]
		complete -C"lst pub"; echo ---
		complete -C"lst publish --"; echo ---
		complete -C"lst sales --"; echo ---
		complete -C"lst-buy --"' "$COMP/lst.fish" "$COMP/lst-buy.fish"
	assert_success
	local all
	all=$(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	grep -q $'^0|publish\t' <<< "$all"
	grep -q $'^1|--foundation-sig\t' <<< "$all"
	grep -q $'^1|--terms\t' <<< "$all"
	[ -z "$(grep $'^1|--follow\t' <<< "$all")" ]
	grep -q $'^2|--follow\t' <<< "$all"
	grep -q $'^3|--max-price\t' <<< "$all"
	grep -q $'^3|--no-fetch\t' <<< "$all"
}

@test "zsh completes the market's verbs and lst-buy's options" {
	command -v zsh > /dev/null || skip "zsh not installed"
	run zsh_complete 'lst pub'
	assert_line publish
	run zsh_complete 'lst-buy --m'
	assert_line -- --max-price
	run zsh_complete 'lst sales --f'
	assert_line -- --follow
}
