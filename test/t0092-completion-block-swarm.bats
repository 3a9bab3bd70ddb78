#!/usr/bin/env bats
# Shell completion of lst-block and lst-swarm: completions/lst-block.bash
# and lst-swarm.bash run in plain bash (no bash-completion package needed)
# and follow '--help' and each verb's -h; ROOTs are the store's pinned
# roots; 'lst block ...' and 'lst swarm ...' go through lst's completion;
# the zsh and fish files parse, and complete verbs, options and roots.

load completion-helper

# add_root HOME NAME: add a public file to HOME's store; print its (pinned) root.
add_root() {
	printf '%s\n' "$2" > "$BATS_TEST_TMPDIR/$2"
	LST_HOME=$1 "$BIN/lst-block" add --public "$BATS_TEST_TMPDIR/$2" | jq -r .root
}

@test "the bash completion files load and register _lst_block and _lst_swarm" {
	run bash -c 'source "$1" && complete -p lst-block' _ "$COMP/lst-block.bash"
	assert_success
	assert_output --partial '_lst_block lst-block'
	run bash -c 'source "$1" && complete -p lst-swarm' _ "$COMP/lst-swarm.bash"
	assert_success
	assert_output --partial '_lst_swarm lst-swarm'
}

@test "<TAB> lists every verb of --help; every verb completes from its prefix" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	local prog fn want verb
	for prog in lst-block lst-swarm; do
		fn=_${prog//-/_}
		want=$(verbs "$prog")
		[ -n "$want" ]
		run complete_words "$fn" "$prog" ''
		assert_success
		assert_output "$want"
		for verb in $want; do
			run complete_words "$fn" "$prog" "${verb:0:2}"
			assert_line "$verb"
			run complete_words "$fn" "$prog" "$verb"
			assert_line "$verb"
		done
	done
	run complete_words _lst_block lst-block g
	assert_output "$(printf 'gc\nget')"
	run complete_words _lst_swarm lst-swarm s
	assert_output "$(printf 'serve\nstats\nstop')"
}

@test "every verb's long options are completed, as its -h shows them" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	local prog fn verb want o
	for prog in lst-block lst-swarm; do
		fn=_${prog//-/_}
		for verb in $(verbs "$prog"); do
			want=$("$BIN/$prog" "$verb" -h | grep -o -- '--[a-z-]*[a-z]' | sort -u)
			[ -n "$want" ]
			run complete_words "$fn" "$prog" "$verb" --
			assert_success
			for o in $want; do
				assert_line -- "$o"
			done
		done
	done
}

@test "options are those of the verb on the command line" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	run complete_words _lst_block lst-block add --
	assert_line -- --public
	assert_line -- --derive-key
	assert_line -- --segment-size
	refute_line -- --segment
	refute_line -- --force
	run complete_words _lst_block lst-block cat --
	assert_line -- --key-file
	assert_line -- --segment
	refute_line -- --public
	refute_line -- --raw
	run complete_words _lst_block lst-block rm --
	assert_line -- --force
	refute_line -- --no-pin
	run complete_words _lst_block lst-block gc --
	assert_output "$(printf -- '--help\n--home')"
	run complete_words _lst_block lst-block --
	assert_output "$(printf -- '--help\n--home\n--version')"
	run complete_words _lst_swarm lst-swarm serve --
	assert_line -- --listen
	assert_line -- --no-gate
	assert_line -- --detach
	assert_line -- --node
	assert_line -- --announce-every
	refute_line -- --json
	refute_line -- --ttl
	run complete_words _lst_swarm lst-swarm fetch --n
	assert_output "$(printf -- '--no-announce\n--node')"
	run complete_words _lst_swarm lst-swarm stats --
	assert_line -- --url
	refute_line -- --node
	refute_line -- --ttl
	run complete_words _lst_swarm lst-swarm stop --
	assert_output "$(printf -- '--help\n--home')"
}

@test "values: directories, key files; sizes, book names and URLs are not completed" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	mkdir -p "$BATS_TEST_TMPDIR/w/outdir"
	echo k > "$BATS_TEST_TMPDIR/w/key.hex"
	cd "$BATS_TEST_TMPDIR/w"
	run complete_words _lst_block lst-block cat --key-file k
	assert_output key.hex
	run complete_words _lst_block lst-block add --key-file=k
	assert_output --key-file=key.hex
	run complete_words _lst_block lst-block get -o o
	assert_output outdir
	run complete_words _lst_block lst-block get --output ''
	assert_output outdir
	run complete_words _lst_block lst-block --home ''
	assert_output outdir
	run complete_words _lst_block lst-block add --derive-key ''
	assert_output ''
	run complete_words _lst_block lst-block add --segment-size ''
	assert_output ''
	run complete_words _lst_block lst-block cat --segment ''
	assert_output ''
	# add's PATHs are files and directories.
	run complete_words _lst_block lst-block add ''
	assert_output "$(printf 'key.hex\noutdir')"
	# export > FILE, import < FILE.
	run complete_words _lst_block lst-block export bafyx '>' k
	assert_output key.hex
	run complete_words _lst_block lst-block import '<' ''
	assert_output "$(printf 'key.hex\noutdir')"
	run complete_words _lst_swarm lst-swarm serve --listen ''
	assert_output ''
	run complete_words _lst_swarm lst-swarm fetch --peer ''
	assert_output ''
	run complete_words _lst_swarm lst-swarm announce --ttl ''
	assert_output ''
	run complete_words _lst_swarm lst-swarm --home o
	assert_output outdir
	# The verb after a value that looks like one is still the verb.
	run complete_words _lst_swarm lst-swarm --home /tmp stats --
	assert_line -- --url
	run complete_words _lst_block lst-block --home = /tmp import --
	assert_line -- --no-pin
}

@test "ROOTs are the pinned roots of the home, once for one-ROOT verbs" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	local r1 r2 other
	r1=$(add_root "$LST_HOME" one)
	r2=$(add_root "$LST_HOME" two)
	other=$(add_root "$BATS_TEST_TMPDIR/other" three)
	[ -n "$r1" ]
	[ -n "$r2" ]
	[ -n "$other" ]
	local both
	both=$(printf '%s\n' "$r1" "$r2" | sort)
	local verb
	for verb in cat get ls stat verify export has pin unpin rm; do
		run complete_words _lst_block lst-block "$verb" ''
		assert_output "$both"
	done
	for verb in fetch announce providers key; do
		run complete_words _lst_swarm lst-swarm "$verb" ''
		assert_output "$both"
	done
	# A prefix narrows; a second ROOT only where several are taken.
	run complete_words _lst_block lst-block cat "${r1:0:12}"
	assert_line "$r1"
	run complete_words _lst_block lst-block stat "$r1" ''
	assert_output ''
	run complete_words _lst_block lst-block cat --key-file k "$r1" ''
	assert_output ''
	run complete_words _lst_block lst-block pin "$r1" ''
	assert_output "$both"
	run complete_words _lst_swarm lst-swarm key "$r1" ''
	assert_output ''
	# Option values and URL pieces are not operands.
	run complete_words _lst_block lst-block cat --segment 2 ''
	assert_output "$both"
	run complete_words _lst_swarm lst-swarm fetch --peer http : //127.0.0.1 : 8080 ''
	assert_output "$both"
	run complete_words _lst_swarm lst-swarm fetch --node = http : //x : 1 --ttl ''
	assert_output ''
	# Verbs without ROOTs.
	run complete_words _lst_block lst-block gc ''
	assert_output ''
	run complete_words _lst_swarm lst-swarm serve ''
	assert_output ''
	run complete_words _lst_swarm lst-swarm stats ''
	assert_output ''
	# --home, before or after the verb, picks the store.
	run complete_words _lst_block lst-block --home "$BATS_TEST_TMPDIR/other" cat ''
	assert_output "$other"
	run complete_words _lst_swarm lst-swarm fetch --home="$BATS_TEST_TMPDIR/other" ''
	assert_output "$other"
	# Unpinned roots are not offered; a home without a store offers none.
	"$BIN/lst-block" unpin "$r2" > /dev/null
	run complete_words _lst_block lst-block cat ''
	assert_output "$r1"
	LST_HOME="$BATS_TEST_TMPDIR/empty" run complete_words _lst_swarm lst-swarm key ''
	assert_output ''
}

@test "lst block ... and lst swarm ... are completed by their programs' completions" {
	source "$COMP/lst-block.bash"
	source "$COMP/lst-swarm.bash"
	source "$COMP/lst.bash"
	local root
	root=$(add_root "$BATS_TEST_TMPDIR/h2" book)
	[ -n "$root" ]
	run complete_words _lst lst bl
	assert_output block
	run complete_words _lst lst sw
	assert_output swarm
	run complete_words _lst lst block g
	assert_output "$(printf 'gc\nget')"
	run complete_words _lst lst swarm fetch --
	assert_line -- --peer
	assert_line -- --json
	run complete_words _lst lst block import --
	assert_line -- --no-pin
	# lst's --home reaches the program's completion.
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/h2" block cat ''
	assert_output "$root"
	run complete_words _lst lst --home "$BATS_TEST_TMPDIR/h2" swarm announce ''
	assert_output "$root"
	run complete_words _lst lst block cat ''
	assert_output ''
}

@test "the zsh completion files parse" {
	command -v zsh > /dev/null || skip "zsh not installed"
	local f
	for f in _lst-block _lst-swarm; do
		run zsh -n "$COMP/$f"
		assert_success
		run head -n 1 "$COMP/$f"
		assert_output "#compdef ${f#_}"
	done
}

@test "the fish completion files parse" {
	command -v fish > /dev/null || skip "fish not installed"
	run fish -n "$COMP/lst-block.fish"
	assert_success
	run fish -n "$COMP/lst-swarm.fish"
	assert_success
}

@test "fish completes verbs, options and roots, and lst block / lst swarm" {
	command -v fish > /dev/null || skip "fish not installed"
	local root
	root=$(add_root "$LST_HOME" one)
	[ -n "$root" ]
	run fish -c 'source $argv[1]; source $argv[2]
		complete -C"lst-block "; echo ---
		complete -C"lst-block cat --"; echo ---
		complete -C"lst-block cat "; echo ---
		complete -C"lst-block cat x "; echo ---
		complete -C"lst-swarm s"; echo ---
		complete -C"lst-swarm serve --"; echo ---
		complete -C"lst-swarm key --peer u "; echo ---
		complete -C"lst-swarm serve "' "$COMP/lst-block.fish" "$COMP/lst-swarm.fish"
	assert_success
	local all
	all=$(printf '%s\n' "$output" | awk '/^---$/ { n++; next } { print n + 0 "|" $0 }')
	grep -q $'^0|add\t' <<< "$all"
	grep -q $'^0|export\t' <<< "$all"
	grep -q $'^0|import\t' <<< "$all"
	grep -q $'^1|--key-file\t' <<< "$all"
	grep -q $'^1|--segment\t' <<< "$all"
	[ -z "$(grep $'^1|--public\t' <<< "$all")" ]
	grep -q "^2|$root"$'\t' <<< "$all"
	[ -z "$(grep '^3|' <<< "$all")" ]
	grep -q $'^4|serve\t' <<< "$all"
	grep -q $'^4|stats\t' <<< "$all"
	grep -q $'^4|stop\t' <<< "$all"
	grep -q $'^5|--listen\t' <<< "$all"
	grep -q $'^5|--no-gate\t' <<< "$all"
	grep -q $'^5|--announce-every\t' <<< "$all"
	[ -z "$(grep $'^5|--json\t' <<< "$all")" ]
	grep -q "^6|$root"$'\t' <<< "$all"
	[ -z "$(grep '^7|' <<< "$all")" ]
	run fish -c 'source $argv[1]; source $argv[2]; source $argv[3]
		complete -C"lst block im"; echo ---
		complete -C"lst swarm fetch --j"' \
		"$COMP/lst-block.fish" "$COMP/lst-swarm.fish" "$COMP/lst.fish"
	assert_success
	assert_line --partial $'import\t'
	assert_line --partial $'--json\t'
}

@test "zsh completes verbs, options and roots" {
	command -v zsh > /dev/null || skip "zsh not installed"
	zsh -fc 'zmodload zsh/zpty' 2> /dev/null || skip "no zsh/zpty"
	local root
	root=$(add_root "$LST_HOME" one)
	[ -n "$root" ]
	run zsh_complete 'lst-block '
	assert_line add
	assert_line export
	assert_line import
	run zsh_complete 'lst-block cat --'
	assert_line -- --key-file
	assert_line -- --segment
	refute_line -- --public
	run zsh_complete 'lst-block add --public --'
	refute_line -- --key-file
	refute_line -- --derive-key
	run zsh_complete 'lst-block stat '
	assert_output "$root"
	run zsh_complete 'lst-swarm '
	assert_line serve
	assert_line fetch
	assert_line key
	run zsh_complete 'lst-swarm serve --'
	assert_line -- --listen
	assert_line -- --no-gate
	assert_line -- --detach
	refute_line -- --json
	run zsh_complete 'lst-swarm fetch --peer x --n'
	assert_line -- --node
	assert_line -- --no-announce
	run zsh_complete 'lst-swarm providers '
	assert_output "$root"
}
