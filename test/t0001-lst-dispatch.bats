#!/usr/bin/env bats
# lst: version, help, dispatch to lst-VERB through the exec path, exit codes.

load helper

@test "lst --version and lst version print the version" {
	run lst --version
	assert_success
	assert_output --regexp '^lst version [0-9]+\.[0-9]+\.[0-9]+$'
	run lst version
	assert_success
	assert_output --regexp '^lst version '
}

@test "lst with no verb prints usage and exits 2" {
	run lst
	assert_failure 2
	assert_output --partial 'usage: lst'
}

@test "lst --help lists the built-in verbs on stdout" {
	run_split lst --help
	assert_success
	assert_output --partial 'init'
	assert_output --partial 'config'
	[ -z "$stderr" ]
}

@test "an unknown verb says so and exits 2" {
	run_split lst frobnicate
	assert_failure 2
	[ "$stderr" = "lst: 'frobnicate' is not an lst command. See 'lst help'." ]
	[ -z "$output" ]
}

@test "an unknown global option exits 2" {
	run lst --frob
	assert_failure 2
	assert_output --partial "unknown option '--frob'"
}

@test "lst VERB runs lst-VERB from LST_EXEC_PATH with the arguments" {
	mkdir -p "$BATS_TEST_TMPDIR/x"
	printf '#!/bin/sh\necho "hello $# $1 $LST_HOME"\nexit 7\n' > "$BATS_TEST_TMPDIR/x/lst-hello"
	chmod +x "$BATS_TEST_TMPDIR/x/lst-hello"
	LST_EXEC_PATH="$BATS_TEST_TMPDIR/x" run lst hello world
	assert_failure 7
	assert_output "hello 1 world $LST_HOME"
}

@test "--exec-path comes before LST_EXEC_PATH, which comes before PATH" {
	for d in a b c; do
		mkdir -p "$BATS_TEST_TMPDIR/$d"
		printf '#!/bin/sh\necho %s\n' "$d" > "$BATS_TEST_TMPDIR/$d/lst-which"
		chmod +x "$BATS_TEST_TMPDIR/$d/lst-which"
	done
	PATH="$BATS_TEST_TMPDIR/c:$PATH" LST_EXEC_PATH="$BATS_TEST_TMPDIR/b" run lst --exec-path="$BATS_TEST_TMPDIR/a" which
	assert_output a
	PATH="$BATS_TEST_TMPDIR/c:$PATH" LST_EXEC_PATH="$BATS_TEST_TMPDIR/b" run lst which
	assert_output b
	PATH="$BATS_TEST_TMPDIR/c:$PATH" LST_EXEC_PATH="$BATS_TEST_TMPDIR/none" run lst which
	assert_output c
}

@test "lst --exec-path prints the exec path" {
	LST_EXEC_PATH=/some/where run lst --exec-path
	assert_success
	assert_output /some/where
}

@test "lst sign dispatches to lst-sign" {
	run lst sign --help
	assert_success
	assert_output --partial 'usage: lst-sign'
}

@test "lst --home passes the home to plumbing" {
	run lst --home "$BATS_TEST_TMPDIR/other" sign keygen --insecure-plaintext-key --name x
	assert_success
	[ -f "$BATS_TEST_TMPDIR/other/keys/$(echo "$output" | jq -r .address | tr A-F a-f).json" ]
}

@test "lst help VERB shows the plumbing's help when not on a terminal" {
	run lst help sign
	assert_success
	assert_output --partial 'usage: lst-sign'
	run lst help init
	assert_success
	assert_output --partial 'usage: lst init'
	run lst help nosuchverb
	assert_failure 2
	assert_output --partial "'nosuchverb' is not an lst command"
}

@test "lst init creates the home (0700), a 0600 key and sets config key" {
	run lst init --insecure-plaintext-key --name me
	assert_success
	addr=$(echo "$output" | jq -r .address)
	[ "$(echo "$output" | jq -r .created)" = true ]
	[ "$(echo "$output" | jq -r .home)" = "$LST_HOME" ]
	[ "$(stat -c %a "$LST_HOME")" = 700 ]
	f="$LST_HOME/keys/$(echo "$addr" | tr A-F a-f).json"
	[ "$(stat -c %a "$f")" = 600 ]
	run lst config key
	assert_output "$addr"
}

@test "lst init twice keeps the first key" {
	first=$(lst init --insecure-plaintext-key | jq -r .address)
	run lst init --insecure-plaintext-key
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$first" ]
	[ "$(echo "$output" | jq -r .created)" = false ]
	[ "$(ls "$LST_HOME/keys" | wc -l)" = 1 ]
}

@test "lst init with a passphrase file makes an encrypted key" {
	run lst init --passphrase-file "$PW"
	assert_success
	run lst-sign list
	[ "$(echo "$output" | jq -r .encrypted)" = true ]
}

@test "lst init without a passphrase or terminal exits 2 and creates no key" {
	run_split lst init
	assert_failure 2
	[[ "$stderr" == *"no passphrase given"* ]]
	[ -z "$(ls "$LST_HOME/keys" 2>/dev/null)" ]
}

@test "LST_HOME, then XDG_DATA_HOME, then HOME decide the home" {
	unset LST_HOME
	XDG_DATA_HOME="$BATS_TEST_TMPDIR/xdg" run lst init --insecure-plaintext-key
	assert_success
	[ "$(echo "$output" | jq -r .home)" = "$BATS_TEST_TMPDIR/xdg/lst" ]
	HOME="$BATS_TEST_TMPDIR/h" XDG_DATA_HOME= run lst init --insecure-plaintext-key
	[ "$(echo "$output" | jq -r .home)" = "$BATS_TEST_TMPDIR/h/.local/share/lst" ]
}

@test "lst config sets, gets, lists and unsets" {
	run lst config rpc http://127.0.0.1:8545
	assert_success
	run lst config rpc
	assert_output http://127.0.0.1:8545
	run lst config --list
	[ "$(echo "$output" | jq -r .rpc)" = http://127.0.0.1:8545 ]
	run lst config --unset rpc
	assert_success
	run_split lst config rpc
	assert_failure 3
	[ "$stderr" = "lst: error: 'rpc' is not set" ]
}

@test "lst config refuses bad keys and bad usage" {
	run lst config 'Bad Key' x
	assert_failure 2
	assert_output --partial "invalid config key"
	run lst config
	assert_failure 2
	run lst config a b c
	assert_failure 2
}

@test "a damaged config.json is reported with line and column, exit 6" {
	mkdir -p "$LST_HOME"
	printf '{"rpc": \n  oops}\n' > "$LST_HOME/config.json"
	run lst config rpc
	assert_failure 6
	assert_output --partial "line 2, column"
}

@test "writing to a full stdout fails with exit 1" {
	lst init --insecure-plaintext-key > /dev/null
	run lst-sign list
	assert_success
	run sh -c 'lst-sign list > /dev/full'
	assert_failure 1
	assert_output --partial "cannot write standard output"
}

@test "lst help help and lst help version print lst's usage" {
	run lst help help
	assert_success
	assert_output --partial 'usage: lst'
	run lst help version
	assert_success
	assert_output --partial 'usage: lst'
}

@test "lst config key accepts only an existing key, stored as its address" {
	a=$(plain_key alice)
	run lst config key alice
	assert_success
	run lst config key
	assert_output "$a"
	run lst config key 0x
	assert_failure 3
	run lst config key
	assert_output "$a"
}
