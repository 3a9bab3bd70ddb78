#!/usr/bin/env bats
# lst-sign keygen, list, address, import, export, rm: keys at rest.

load helper

@test "keygen with a passphrase makes an encrypted 0600 key file" {
	run lst-sign --passphrase-file "$PW" keygen --name alice
	assert_success
	addr=$(echo "$output" | jq -r .address)
	[ "$(echo "$output" | jq -r .encrypted)" = true ]
	[ "$(echo "$output" | jq -r .name)" = alice ]
	f="$LST_HOME/keys/$(echo "$addr" | tr A-F a-f).json"
	[ "$(stat -c %a "$f")" = 600 ]
	[ "$(jq -r .kdf.algorithm "$f")" = argon2id13 ]
	[ "$(jq -r .cipher.algorithm "$f")" = xchacha20poly1305-ietf ]
	run grep -c private_key "$f"
	[ "$output" = 0 ]
}

@test "keygen prints an EIP-55 address that matches its public key" {
	out=$(lst-sign keygen --insecure-plaintext-key)
	addr=$(echo "$out" | jq -r .address)
	[[ "$addr" =~ ^0x[0-9a-fA-F]{40}$ ]]
	[[ "$addr" =~ [A-F] ]]
	pub=$(echo "$out" | jq -r .public_key)
	[[ "$pub" =~ ^0x04[0-9a-f]{128}$ ]]
}

@test "keygen with LST_PASSPHRASE_FILE works too" {
	LST_PASSPHRASE_FILE="$PW" run lst-sign keygen
	assert_success
	[ "$(echo "$output" | jq -r .encrypted)" = true ]
}

@test "keygen with no passphrase and no terminal exits 2 and writes nothing" {
	run_split lst-sign keygen
	assert_failure 2
	[[ "$stderr" == *"no passphrase given"* ]]
	[ -z "$(ls "$LST_HOME/keys" 2>/dev/null)" ]
}

@test "an empty passphrase is refused (exit 2)" {
	: > "$BATS_TEST_TMPDIR/empty"
	run lst-sign --passphrase-file "$BATS_TEST_TMPDIR/empty" keygen
	assert_failure 2
	assert_output --partial "empty passphrase"
}

@test "a missing passphrase file exits 1 and names it" {
	run lst-sign --passphrase-file /nonexistent/pw keygen
	assert_failure 1
	assert_output --partial "'/nonexistent/pw'"
}

@test "key names must be unique and well-formed" {
	plain_key alice > /dev/null
	run lst-sign keygen --name alice --insecure-plaintext-key
	assert_failure 1
	assert_output --partial "the name 'alice' is taken"
	run lst-sign keygen --name 'a b' --insecure-plaintext-key
	assert_failure 2
	run lst-sign keygen --name 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf --insecure-plaintext-key
	assert_failure 2
	[ "$(ls "$LST_HOME/keys" | wc -l)" = 1 ]
}

@test "list prints one JSON object per key and marks the default" {
	a=$(plain_key alice)
	run lst-sign list
	assert_success
	[ "$(echo "$output" | jq -r .default)" = true ]
	b=$(plain_key bob)
	run lst-sign list
	[ "${#lines[@]}" = 2 ]
	[ "$(echo "$output" | jq -s 'map(select(.default)) | length')" = 0 ]
	lst config key "$b"
	run lst-sign list
	[ "$(echo "$output" | jq -r 'select(.default) | .address')" = "$b" ]
}

@test "list on an empty home prints nothing and succeeds" {
	run lst-sign list
	assert_success
	assert_output ""
}

@test "address finds a key by name, by address in any case, or the default" {
	a=$(plain_key alice)
	run lst-sign address alice
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	run lst-sign address "$(echo "$a" | tr A-F a-f)"
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	run lst-sign address "0x$(echo "${a#0x}" | tr a-f A-F)"
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	run lst-sign address
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
}

@test "address: unknown key exits 3, wrong checksum exits 6, no keys exits 3" {
	run_split lst-sign address nobody
	assert_failure 3
	[[ "$stderr" == *"no key 'nobody'"* ]]
	a=$(plain_key alice)
	# flip the case of one letter of a checksummed address
	bad=$(echo "$a" | sed 's/[A-F]/\L&/')
	run lst-sign address "$bad"
	assert_failure 6
	assert_output --partial "checksum"
	run lst-sign address 0x0000000000000000000000000000000000000001
	assert_failure 3
}

@test "several keys and no default: the default-key commands exit 3 with a hint" {
	plain_key a > /dev/null
	plain_key b > /dev/null
	run lst-sign address
	assert_failure 3
	assert_output --partial "no default"
	assert_output --partial "hint:"
}

@test "import takes a hex private key and gives the known address" {
	# ethers accounts.json: private key 1 -> 0x7E5F...
	run sh -c 'echo 0x0000000000000000000000000000000000000000000000000000000000000001 | lst-sign import --insecure-plaintext-key --name one'
	assert_success
	[ "$(echo "$output" | jq -r .address)" = 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf ]
	run sh -c 'echo 0x0000000000000000000000000000000000000000000000000000000000000001 | lst-sign import --insecure-plaintext-key'
	assert_failure 1
	assert_output --partial "already exists"
}

@test "import refuses non-hex, short and invalid private keys (exit 6)" {
	run sh -c 'echo nothex | lst-sign import --insecure-plaintext-key'
	assert_failure 6
	run sh -c 'echo 0x0102 | lst-sign import --insecure-plaintext-key'
	assert_failure 6
	run sh -c 'echo 0x0000000000000000000000000000000000000000000000000000000000000000 | lst-sign import --insecure-plaintext-key'
	assert_failure 6
	assert_output --partial "not a valid secp256k1 private key"
	run sh -c 'echo 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141 | lst-sign import --insecure-plaintext-key'
	assert_failure 6
	[ -z "$(ls "$LST_HOME/keys" 2>/dev/null)" ]
}

@test "a wrong passphrase exits 4" {
	lst-sign --passphrase-file "$PW" keygen --name alice > /dev/null
	echo wrong > "$BATS_TEST_TMPDIR/wrong"
	run_split lst-sign --passphrase-file "$BATS_TEST_TMPDIR/wrong" export --hex alice
	assert_failure 4
	[[ "$stderr" == *"wrong passphrase"* ]]
	[ -z "$output" ]
}

@test "a tampered key file is refused, not used" {
	a=$(lst-sign --passphrase-file "$PW" keygen | jq -r .address)
	f="$LST_HOME/keys/$(echo "$a" | tr A-F a-f).json"
	ct=$(jq -r .cipher.ciphertext "$f")
	flipped="${ct:0:10}$( [ "${ct:10:1}" = 0 ] && echo 1 || echo 0)${ct:11}"
	jq --arg c "$flipped" '.cipher.ciphertext = $c' "$f" > "$f.new" && mv "$f.new" "$f"
	run lst-sign --passphrase-file "$PW" export --hex
	assert_failure 4
}

@test "export --hex gives back the imported private key" {
	k=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318
	echo "$k" | lst-sign --passphrase-file "$PW" import --name k > /dev/null
	run lst-sign --passphrase-file "$PW" export --hex k
	assert_success
	[ "$(echo "$output" | jq -r .private_key)" = "$k" ]
}

@test "export needs exactly one of --keystore and --hex (exit 2)" {
	plain_key a > /dev/null
	run lst-sign export a
	assert_failure 2
	run lst-sign export --hex --keystore a
	assert_failure 2
}

@test "export --keystore and import --keystore round-trip the key" {
	lst-sign --passphrase-file "$PW" keygen --name a > /dev/null
	run lst-sign --passphrase-file "$PW" export --keystore a
	assert_success
	echo "$output" > "$BATS_TEST_TMPDIR/ks.json"
	[ "$(jq -r .version "$BATS_TEST_TMPDIR/ks.json")" = 3 ]
	[ "$(jq -r .crypto.kdf "$BATS_TEST_TMPDIR/ks.json")" = scrypt ]
	addr=$(lst-sign address a | jq -r .address)
	export LST_HOME="$BATS_TEST_TMPDIR/other"
	run lst-sign --passphrase-file "$PW" import --keystore "$BATS_TEST_TMPDIR/ks.json"
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$addr" ]
}

@test "export --keystore of a plaintext key needs --keystore-passphrase-file" {
	plain_key a > /dev/null
	run lst-sign export --keystore a
	assert_failure 2
	assert_output --partial "keystore-passphrase-file"
}

@test "import --keystore reads the ethereum-tests pbkdf2 keystore" {
	jq '.test1.json' "$VECTORS/ethereum-tests/KeyStoreTests/basic_tests.json" > "$BATS_TEST_TMPDIR/ks.json"
	printf 'testpassword\n' > "$BATS_TEST_TMPDIR/kspw"
	run lst-sign import --keystore "$BATS_TEST_TMPDIR/ks.json" --keystore-passphrase-file "$BATS_TEST_TMPDIR/kspw" --insecure-plaintext-key
	assert_success
	run lst-sign export --hex
	[ "$(echo "$output" | jq -r .private_key)" = 0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d ]
}

@test "import --keystore: wrong password exits 4, missing file 3, bad JSON 6" {
	jq '.test1.json' "$VECTORS/ethereum-tests/KeyStoreTests/basic_tests.json" > "$BATS_TEST_TMPDIR/ks.json"
	run lst-sign import --keystore "$BATS_TEST_TMPDIR/ks.json" --keystore-passphrase-file "$PW" --insecure-plaintext-key
	assert_failure 4
	run lst-sign import --keystore /nonexistent.json --keystore-passphrase-file "$PW" --insecure-plaintext-key
	assert_failure 3
	printf '{"version": 3,\n "crypto": }' > "$BATS_TEST_TMPDIR/bad.json"
	run lst-sign import --keystore "$BATS_TEST_TMPDIR/bad.json" --keystore-passphrase-file "$PW" --insecure-plaintext-key
	assert_failure 6
	assert_output --partial "line 2"
	[ -z "$(ls "$LST_HOME/keys" 2>/dev/null)" ]
}

@test "rm removes exactly the named key" {
	a=$(plain_key a)
	b=$(plain_key b)
	run lst-sign rm a
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$a" ]
	[ "$(echo "$output" | jq -r .removed)" = true ]
	run lst-sign list
	[ "$(echo "$output" | jq -r .address)" = "$b" ]
	run lst-sign rm
	assert_failure 2
	run lst-sign rm a
	assert_failure 3
}

@test "usage errors exit 2: unknown verb, unknown option, missing value" {
	run lst-sign frob
	assert_failure 2
	assert_output --partial "'frob' is not a lst-sign verb"
	run lst-sign keygen --frob
	assert_failure 2
	assert_output --partial "unknown option '--frob'"
	run lst-sign keygen --name
	assert_failure 2
	run lst-sign
	assert_failure 2
}

@test "every verb has -h help on stdout, exit 0" {
	for v in keygen list address import export rm sign decode sign-message verify-message recover seal open; do
		run lst-sign "$v" -h
		assert_success
		assert_output --partial "usage: lst-sign $v"
	done
	run lst-sign --version
	assert_output --regexp '^lst-sign [0-9]'
}
