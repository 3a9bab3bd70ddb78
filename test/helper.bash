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

# A dev chain in this test's home, blocks every 200 ms, RPC on a free port.
start_chain() {
	lst-chain init --dev > "$BATS_TEST_TMPDIR/init.json"
	start_daemon
	DEV=$(jq -r .developer "$BATS_TEST_TMPDIR/init.json")
	FND=$(jq -r .foundation "$BATS_TEST_TMPDIR/init.json")
	VAL=$(jq -r .validator "$BATS_TEST_TMPDIR/init.json")
}

start_daemon() {
	LST_BLOCK_MS=${LST_BLOCK_MS:-200} lst-chain daemon --detach --rpc 127.0.0.1:0 > "$BATS_TEST_TMPDIR/daemon.json"
	RPC=$(jq -r .rpc "$BATS_TEST_TMPDIR/daemon.json")
}

# Stops the daemon of this test's home, if any, also when the test failed.
teardown() {
	if [ -n "${LST_HOME:-}" ] && [ -f "$LST_HOME/daemon.pid" ]; then
		lst-chain stop > /dev/null 2>&1 || true
	fi
}

# transfer NONCE VALUE [TO] [CHAIN]: a signed raw transfer from the developer.
transfer() {
	echo "{\"chain_id\":${4:-161},\"nonce\":$1,\"to\":\"${3:-$FND}\",\"value\":\"$2\",\"gas\":21000,\"gas_price\":\"1\"}" |
		lst-sign sign --from developer | jq -r .raw
}

# JSON-RPC request body -> response.
rpc() {
	curl -s -X POST -H 'Content-Type: application/json' --data "$1" "$RPC"
}

# git_author: git commits in this test by a fixed author, ignoring the
# machine's git configuration (for tests that make a book's repository).
git_author() {
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
	export GIT_AUTHOR_NAME=Author GIT_AUTHOR_EMAIL=author@example.org
	export GIT_COMMITTER_NAME=Author GIT_COMMITTER_EMAIL=author@example.org
}
