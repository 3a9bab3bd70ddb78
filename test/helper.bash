# Shared setup for the command tests: a fresh home per test, the programs
# from build/bin first on PATH, and bats-assert.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="${LST_BIN_DIR:-$TOP/build/bin}"
export PATH="$BIN:$PATH"
export LST_EXEC_PATH="$BIN"
VECTORS="${LST_VECTORS:-$TOP/../shared/vectors}"

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	unset LST_PASSPHRASE_FILE
	PW="$BATS_TEST_TMPDIR/pw"
	printf 'correct horse\n' > "$PW"
}

# A plaintext key named $1 (fast: no Argon2id); prints its address.
plain_key() {
	lst-sign keygen --name "$1" --insecure-plaintext-key | jq -r .address
}

# Run and keep stdout and stderr apart: $output is stdout, $stderr is stderr.
bats_require_minimum_version 1.5.0
run_split() {
	run --separate-stderr "$@"
}
