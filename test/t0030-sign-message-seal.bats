#!/usr/bin/env bats
# lst-sign sign-message, verify-message, recover, seal and open.

load helper

@test "sign-message then verify-message and recover agree" {
	a=$(plain_key alice)
	run lst-sign sign-message "hello world"
	assert_success
	sig=$(echo "$output" | jq -r .signature)
	[[ "$sig" =~ ^0x[0-9a-f]{130}$ ]]
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	run lst-sign verify-message --address "$a" --signature "$sig" "hello world"
	assert_success
	[ "$(echo "$output" | jq -r .valid)" = true ]
	run lst-sign recover --signature "$sig" "hello world"
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
}

@test "the message can come on stdin, bytes as they are" {
	a=$(plain_key alice)
	printf 'line one\nline two\n' > "$BATS_TEST_TMPDIR/m"
	sig=$(lst-sign sign-message < "$BATS_TEST_TMPDIR/m" | jq -r .signature)
	run sh -c "lst-sign verify-message --address $a --signature $sig < '$BATS_TEST_TMPDIR/m'"
	assert_success
	run lst-sign verify-message --address "$a" --signature "$sig" "line one"
	assert_failure 4
}

@test "EIP-191 digest matches the known personal_sign hash of 'hello'" {
	plain_key alice > /dev/null
	run lst-sign sign-message hello
	# keccak256("\x19Ethereum Signed Message:\n5hello")
	[ "$(echo "$output" | jq -r .message_hash)" = 0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750 ]
}

@test "verify-message: another message or signer exits 4 and says who signed" {
	a=$(plain_key alice)
	b=$(plain_key bob)
	sig=$(lst-sign sign-message --from alice hi | jq -r .signature)
	run_split lst-sign verify-message --address "$b" --signature "$sig" hi
	assert_failure 4
	[ "$(echo "$output" | jq -r .valid)" = false ]
	[ "$(echo "$output" | jq -r .recovered)" = "$a" ]
	[[ "$stderr" == *"bad signature"* ]]
}

@test "verify-message: malformed signatures and addresses exit 6, missing flags 2" {
	a=$(plain_key alice)
	run lst-sign verify-message --address "$a" --signature 0x1234 hi
	assert_failure 6
	zero=0x$(printf '0%.0s' $(seq 130))
	run lst-sign verify-message --address "$a" --signature "$zero" hi
	assert_failure 6
	run lst-sign verify-message --address 0x12 --signature "$zero" hi
	assert_failure 6
	run lst-sign verify-message --signature "$zero" hi
	assert_failure 2
}

@test "recover --hash recovers a signature over a raw digest" {
	a=$(plain_key alice)
	out=$(lst-sign sign-message hello)
	run lst-sign recover --signature "$(echo "$out" | jq -r .signature)" --hash "$(echo "$out" | jq -r .message_hash)"
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	run lst-sign recover --signature "$(echo "$out" | jq -r .signature)" --hash 0x1234
	assert_failure 6
}

@test "seal to a key, open with it: bytes come back exactly" {
	plain_key alice > /dev/null
	head -c 5000 /dev/urandom > "$BATS_TEST_TMPDIR/p"
	lst-sign seal --to alice < "$BATS_TEST_TMPDIR/p" > "$BATS_TEST_TMPDIR/s"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/s")" = $((5000 + 74)) ]
	lst-sign open < "$BATS_TEST_TMPDIR/s" > "$BATS_TEST_TMPDIR/o"
	cmp "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/o"
}

@test "seal to a bare public key, hex in and out" {
	pub=$(lst-sign keygen --insecure-plaintext-key | jq -r .public_key)
	run sh -c "echo 0x00112233 | lst-sign seal --hex --to $pub | lst-sign open --hex"
	assert_success
	assert_output 0x00112233
}

@test "sealing twice gives different bytes" {
	plain_key alice > /dev/null
	a=$(echo 0x5a5a | lst-sign seal --hex --to alice)
	b=$(echo 0x5a5a | lst-sign seal --hex --to alice)
	[ "$a" != "$b" ]
}

@test "open refuses another key's seal and altered bytes (exit 4)" {
	plain_key alice > /dev/null
	plain_key bob > /dev/null
	s=$(echo 0x5ec7e7 | lst-sign seal --hex --to alice)
	run sh -c "echo $s | lst-sign open --hex --with bob"
	assert_failure 4
	assert_output --partial "cannot open"
	last=${s: -1}
	[ "$last" = 0 ] && repl=1 || repl=0
	run sh -c "echo ${s%?}$repl | lst-sign open --hex --with alice"
	assert_failure 4
}

@test "open refuses input too short to be sealed (exit 6), seal a bad key (exit 6)" {
	plain_key alice > /dev/null
	run sh -c "echo 0x0102 | lst-sign open --hex"
	assert_failure 6
	run sh -c "echo hi | lst-sign seal --to 0x02$(printf 'f%.0s' $(seq 64))"
	assert_failure 6
	run sh -c "echo hi | lst-sign seal --to nobody"
	assert_failure 3
	run sh -c "echo hi | lst-sign seal"
	assert_failure 2
}
