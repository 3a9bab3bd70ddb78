#!/usr/bin/env bats
# lst-chain testnet (the homes of a local network), init --join and
# lst init --join (a full node's home), daemon --peer and config listen,
# peers and evidence. Networks of several validators run in test/net/.

load helper

NET="$BATS_TEST_TMPDIR/net"

# A free TCP port on 127.0.0.1 (nothing listens on it once this returns).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The daemons this file starts: the test's home (helper.bash), the
# testnet's nodes and joined homes; and a stand-in HTTP server, if any.
teardown() {
	local h
	for h in "${LST_HOME:-}" "$NET"/node* "$BATS_TEST_TMPDIR"/full; do
		if [ -n "$h" ] && [ -f "$h/daemon.pid" ]; then
			LST_HOME="$h" lst-chain stop > /dev/null 2>&1 || true
		fi
	done
	if [ -f "$BATS_TEST_TMPDIR/http.pid" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/http.pid")" 2> /dev/null || true
	fi
}

mode() {
	stat -c %a "$1"
}

@test "testnet writes N validator homes, one genesis, and a client home" {
	run_split lst-chain testnet --validators 4 --out "$NET" --base-port 27100 --chain-id 777
	assert_success
	[ -z "$stderr" ]
	out=$output
	[ "$(echo "$out" | jq -r .out)" = "$NET" ]
	[ "$(echo "$out" | jq -r .chain_id)" = 777 ]
	[ "$(echo "$out" | jq -r .client)" = "$NET/client" ]
	[ "$(echo "$out" | jq -r '.validators | length')" = 4 ]
	[ "$(echo "$out" | jq -r 'keys_unsorted | join(",")')" = out,chain_id,genesis_hash,validators,foundation,developer,client ]
	[ "$(echo "$out" | jq -r '.validators[0] | keys_unsorted | join(",")')" = home,address,listen,rpc ]
	for k in 0 1 2 3; do
		h="$NET/node$k"
		v=$(echo "$out" | jq -c ".validators[$k]")
		[ "$(echo "$v" | jq -r .home)" = "$h" ]
		[ "$(echo "$v" | jq -r .listen)" = "127.0.0.1:$((27100 + k))" ]
		[ "$(echo "$v" | jq -r .rpc)" = "http://127.0.0.1:$((27100 + k))" ]
		[ "$(mode "$h")" = 700 ]
		[ "$(mode "$h/keys")" = 700 ]
		# One plaintext key: the validator's, mode 0600.
		[ "$(ls "$h/keys" | wc -l)" = 1 ]
		key=$(ls "$h"/keys/*.json)
		[ "$(mode "$key")" = 600 ]
		addr=$(echo "$v" | jq -r .address)
		[ "$(basename "$key")" = "$(echo "$addr" | tr A-F a-f).json" ]
		# config: validator_key, listen, rpc, and every other node as a peer.
		[ "$(jq -r .validator_key "$h/config.json")" = "$addr" ]
		[ "$(jq -r .listen "$h/config.json")" = "127.0.0.1:$((27100 + k))" ]
		[ "$(jq -r .rpc "$h/config.json")" = "http://127.0.0.1:$((27100 + k))" ]
		want=$(for i in 0 1 2 3; do [ "$i" = "$k" ] || echo "http://127.0.0.1:$((27100 + i))"; done | paste -sd,)
		[ "$(jq -r .peers "$h/config.json")" = "$want" ]
		# The same genesis everywhere, byte for byte.
		cmp "$NET/node0/genesis.json" "$h/genesis.json"
		# The validator's address in the genesis, power 1.
		[ "$(jq -r --arg a "$addr" '.validators[] | select(.address == $a) | .power' "$h/genesis.json")" = 1 ]
		[ "$(LST_HOME="$h" lst-sign list | jq -r .address)" = "$addr" ]
	done
	g="$NET/node0/genesis.json"
	[ "$(jq -r .chain_id "$g")" = 777 ]
	[ "$(jq -r '.validators | length' "$g")" = 4 ]
	[ "$(jq -r '[.validators[].power] | unique | join(",")' "$g")" = 1 ]
	[ "$(jq -r .foundation "$g")" = "$(echo "$out" | jq -r .foundation)" ]
	dev=$(echo "$out" | jq -r .developer)
	[ "$(jq -r --arg a "$dev" '.alloc[] | select(.address == $a) | .balance' "$g")" = 999000000000000000000000000 ]
	# The client: foundation and developer keys, developer the default, rpc node0.
	c="$NET/client"
	[ "$(mode "$c")" = 700 ]
	[ "$(jq -r .key "$c/config.json")" = "$dev" ]
	[ "$(jq -r .rpc "$c/config.json")" = http://127.0.0.1:27100 ]
	[ "$(jq -r 'has("validator_key")' "$c/config.json")" = false ]
	[ ! -e "$c/genesis.json" ]
	run lst-sign --home "$c" list
	[ "${#lines[@]}" = 2 ]
	for f in "$c"/keys/*.json; do
		[ "$(mode "$f")" = 600 ]
	done
	[ "$(lst-sign --home "$c" address developer | jq -r .address)" = "$dev" ]
	[ "$(lst-sign --home "$c" address foundation | jq -r .address)" = "$(echo "$out" | jq -r .foundation)" ]
}

@test "testnet defaults: base port 26600, chain 161; one validator has no peers" {
	run lst-chain testnet --validators 1 --out "$NET"
	assert_success
	[ "$(echo "$output" | jq -r .chain_id)" = 161 ]
	[ "$(echo "$output" | jq -r '.validators[0].listen')" = 127.0.0.1:26600 ]
	[ "$(jq -r .chain_id "$NET/node0/genesis.json")" = 161 ]
	[ "$(jq -r .subscription_period "$NET/node0/genesis.json")" = 0 ]
	[ "$(jq -r 'has("peers")' "$NET/node0/config.json")" = false ]
	[ "$(jq -r .rpc "$NET/client/config.json")" = http://127.0.0.1:26600 ]
	[ ! -e "$NET/node1" ]
	# A relative --out is made absolute.
	cd "$BATS_TEST_TMPDIR"
	run lst-chain testnet --validators 2 --out rel/net --base-port 30000
	assert_success
	[ "$(echo "$output" | jq -r .out)" = "$BATS_TEST_TMPDIR/rel/net" ]
	[ "$(echo "$output" | jq -r '.validators[1].home')" = "$BATS_TEST_TMPDIR/rel/net/node1" ]
}

@test "testnet refuses a bad count or port (exit 2) and writes nothing" {
	run lst-chain testnet --validators 0 --out "$NET"
	assert_failure 2
	assert_output --partial "1 to 64"
	run lst-chain testnet --validators 65 --out "$NET"
	assert_failure 2
	run lst-chain testnet --validators many --out "$NET"
	assert_failure 2
	run lst-chain testnet --validators 4
	assert_failure 2
	run lst-chain testnet --out "$NET"
	assert_failure 2
	run lst-chain testnet --validators 4 --out "$NET" --base-port 0
	assert_failure 2
	run lst-chain testnet --validators 4 --out "$NET" --base-port 65533
	assert_failure 2
	assert_output --partial "65535"
	run lst-chain testnet --validators 4 --out "$NET" --base-port 70000
	assert_failure 2
	run lst-chain testnet --validators 4 --out "$NET" --base-port http
	assert_failure 2
	run lst-chain testnet --validators 4 --out "$NET" --chain-id 0
	assert_failure 6
	run lst-chain testnet --validators 4 --out "$NET" extra
	assert_failure 2
	run lst-chain testnet --validators 4 --out "$NET" --subscription-period weekly
	assert_failure 6
	run lst-chain testnet --validators 4 --out "$NET" --subscription-period 0
	assert_failure 6
	[ ! -e "$NET" ]
	# The last port may be 65535.
	run lst-chain testnet --validators 4 --out "$NET" --base-port 65532
	assert_success
	[ "$(jq -r .listen "$NET/node3/config.json")" = 127.0.0.1:65535 ]
	# A test network's subscription period, in seconds, in every genesis.
	rm -rf "$NET"
	run lst-chain testnet --validators 2 --out "$NET" --base-port 30100 --subscription-period 45
	assert_success
	[ "$(jq -r .subscription_period "$NET/node0/genesis.json")" = 45 ]
	cmp "$NET/node0/genesis.json" "$NET/node1/genesis.json"
}

@test "testnet refuses (exit 4) when a home it would make exists, and leaves it alone" {
	mkdir -p "$NET/node0"
	echo mine > "$NET/node0/file"
	run lst-chain testnet --validators 3 --out "$NET"
	assert_failure 4
	assert_output --partial "node0"
	[ "$(cat "$NET/node0/file")" = mine ]
	[ "$(ls -A "$NET/node0")" = file ]
	[ "$(ls -A "$NET")" = node0 ]
	rm -r "$NET/node0"
	mkdir -p "$NET/client"
	run lst-chain testnet --validators 3 --out "$NET"
	assert_failure 4
	[ "$(ls -A "$NET")" = client ]
	[ -z "$(ls -A "$NET/client")" ]
	rm -r "$NET/client"
	# A later node's home, too.
	mkdir -p "$NET/node2"
	run lst-chain testnet --validators 3 --out "$NET"
	assert_failure 4
	[ "$(ls -A "$NET")" = node2 ]
	# A second testnet into the same place is refused.
	rm -r "$NET/node2"
	lst-chain testnet --validators 2 --out "$NET" > /dev/null
	before=$(cat "$NET"/node*/genesis.json | sha256sum)
	run lst-chain testnet --validators 2 --out "$NET"
	assert_failure 4
	[ "$(cat "$NET"/node*/genesis.json | sha256sum)" = "$before" ]
}

@test "testnet -h shows every option; the verb is listed" {
	run lst-chain testnet -h
	assert_success
	assert_output --partial "--validators N"
	assert_output --partial "--out DIR"
	assert_output --partial "--base-port P"
	assert_output --partial "--chain-id N"
	assert_output --partial "--subscription-period month|SECONDS"
	run lst-chain --help
	assert_output --partial "testnet"
	assert_output --partial "peers"
	assert_output --partial "evidence"
	run lst-chain daemon -h
	assert_output --partial "--peer HOST:PORT"
	run lst-chain init -h
	assert_output --partial "--join URL"
	assert_output --partial "--listen HOST:PORT"
	assert_output --partial "--alloc"
	assert_output --partial "--validator"
	run lst init -h
	assert_output --partial "--join URL"
	assert_output --partial "--listen HOST:PORT"
}

@test "a one-validator testnet runs from its config; the client home sends and reads balances" {
	port=$(free_port)
	out=$(lst-chain testnet --validators 1 --out "$NET" --base-port "$port")
	dev=$(echo "$out" | jq -r .developer)
	fnd=$(echo "$out" | jq -r .foundation)
	# No --rpc: the daemon serves on config listen.
	LST_HOME="$NET/node0" LST_BLOCK_MS=200 run lst-chain daemon --detach
	assert_success
	[ "$(echo "$output" | jq -r .rpc)" = "http://127.0.0.1:$port" ]
	run lst --home "$NET/client" balance --json
	assert_success
	[ "$(echo "$output" | jq -r .address)" = "$dev" ]
	[ "$(echo "$output" | jq -r .balance)" = 999000000000000000000000000 ]
	raw=$(echo "{\"chain_id\":161,\"nonce\":0,\"to\":\"$fnd\",\"value\":\"5\",\"gas\":21000,\"gas_price\":\"1\"}" |
		lst-sign --home "$NET/client" sign --from developer | jq -r .raw)
	run sh -c 'echo "$1" | lst-chain --home "$2" send --wait --timeout 30' _ "$raw" "$NET/client"
	assert_success
	[ "$(echo "$output" | jq -r .status)" = 1 ]
	[ "$(lst-chain --home "$NET/client" balance "$fnd" | jq -r .balance)" = 1000000000000000000000005 ]
}

@test "init --join copies a running node's genesis and peers into a full node's home" {
	start_chain
	full="$BATS_TEST_TMPDIR/full"
	run_split lst-chain --home "$full" init --join "$RPC" --listen 127.0.0.1:0
	assert_success
	[ "$(echo "$output" | jq -r 'keys_unsorted | join(",")')" = home,chain_id,genesis_hash,peers ]
	[ "$(echo "$output" | jq -r .home)" = "$full" ]
	[ "$(echo "$output" | jq -r .chain_id)" = 161 ]
	[ "$(echo "$output" | jq -r .genesis_hash)" = "$(jq -r .genesis_hash "$BATS_TEST_TMPDIR/init.json")" ]
	[ "$(echo "$output" | jq -r .genesis_hash)" = "$(lst-chain status | jq -r .genesis_hash)" ]
	[ "$(echo "$output" | jq -r '.peers[0]')" = "$RPC" ]
	cmp "$LST_HOME/genesis.json" "$full/genesis.json"
	[ "$(jq -r .peers "$full/config.json")" = "$RPC" ]
	[ "$(jq -r .listen "$full/config.json")" = 127.0.0.1:0 ]
	[ "$(jq -r 'has("validator_key")' "$full/config.json")" = false ]
	[ -z "$(ls -A "$full/keys")" ]
	# HOST:PORT means http://HOST:PORT; no --listen leaves listen unset.
	run_split lst-chain --home "$BATS_TEST_TMPDIR/full2" init --join "${RPC#http://}"
	assert_success
	[ "$(echo "$output" | jq -r '.peers | join(",")')" = "$RPC" ]
	[ "$(jq -r 'has("listen")' "$BATS_TEST_TMPDIR/full2/config.json")" = false ]
	cmp "$LST_HOME/genesis.json" "$BATS_TEST_TMPDIR/full2/genesis.json"
}

@test "lst init --join (porcelain) prints the plumbing JSON when piped" {
	start_chain
	run_split lst --home "$BATS_TEST_TMPDIR/reader" init --join "$RPC"
	assert_success
	[ "$(echo "$output" | jq -r .genesis_hash)" = "$(jq -r .genesis_hash "$BATS_TEST_TMPDIR/init.json")" ]
	[ "$(echo "$output" | jq -r '.peers[0]')" = "$RPC" ]
	cmp "$LST_HOME/genesis.json" "$BATS_TEST_TMPDIR/reader/genesis.json"
	# A reader's home joined to a network, without its own daemon: lst config rpc.
	lst --home "$BATS_TEST_TMPDIR/reader" config rpc "$RPC"
	run lst --home "$BATS_TEST_TMPDIR/reader" balance --json "$DEV"
	assert_success
	[ "$(echo "$output" | jq -r .balance)" = 999000000000000000000000000 ]
	run lst --home "$BATS_TEST_TMPDIR/r2" init --join "$RPC" --dev
	assert_failure 2
	run lst --home "$BATS_TEST_TMPDIR/r2" init --join "$RPC" --name me
	assert_failure 2
	run lst --home "$BATS_TEST_TMPDIR/r2" init --listen 127.0.0.1:1
	assert_failure 2
	[ ! -e "$BATS_TEST_TMPDIR/r2" ]
}

@test "a joined full node follows the chain" {
	start_chain
	full="$BATS_TEST_TMPDIR/full"
	lst-chain --home "$full" init --join "$RPC" > /dev/null
	LST_HOME="$full" run lst-chain daemon --detach --rpc 127.0.0.1:0
	assert_success
	frpc=$(echo "$output" | jq -r .rpc)
	run lst-chain --rpc "$frpc" status
	assert_success
	[ "$(echo "$output" | jq -r .genesis_hash)" = "$(jq -r .genesis_hash "$BATS_TEST_TMPDIR/init.json")" ]
	[ "$(echo "$output" | jq -r .validator)" = false ]
	target=$(($(lst-chain status | jq -r .height) + 2))
	for _ in $(seq 100); do
		h=$(lst-chain --rpc "$frpc" status | jq -r .height)
		[ "$h" -ge "$target" ] && break
		sleep 0.2
	done
	[ "$h" -ge "$target" ]
	[ "$(lst-chain --rpc "$frpc" block "$target" | jq -r .hash)" = "$(lst-chain block "$target" | jq -r .hash)" ]
}

@test "init --join of an unreachable node is exit 5 and writes nothing" {
	port=$(free_port)
	run_split lst-chain --home "$BATS_TEST_TMPDIR/j" init --join "http://127.0.0.1:$port"
	assert_failure 5
	[ -z "$output" ]
	[[ $stderr == *"127.0.0.1:$port"* ]]
	[[ $stderr == *hint:* ]]
	[ ! -e "$BATS_TEST_TMPDIR/j" ]
}

@test "init --join of something that is not an lst node is refused and writes nothing" {
	command -v python3 > /dev/null || skip "python3 not installed"
	port=$(free_port)
	# An HTTP server that answers every POST with JSON that is not JSON-RPC.
	python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"{\"hello\":\"world\"}"
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
' "$port" 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/http.pid"
	for _ in $(seq 50); do
		curl -s -o /dev/null -X POST "http://127.0.0.1:$port" && break
		sleep 0.1
	done
	run_split lst-chain --home "$BATS_TEST_TMPDIR/j" init --join "http://127.0.0.1:$port"
	[ "$status" = 5 ] || [ "$status" = 6 ]
	[[ $stderr == *"127.0.0.1:$port"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/j" ]
}

@test "init --join into a home that has a chain is refused and changes nothing" {
	start_chain
	before=$(sha256sum < "$LST_HOME/genesis.json")
	cfg=$(sha256sum < "$LST_HOME/config.json")
	run lst-chain init --join "$RPC"
	assert_failure 1
	assert_output --partial "already has a chain"
	[ "$(sha256sum < "$LST_HOME/genesis.json")" = "$before" ]
	[ "$(sha256sum < "$LST_HOME/config.json")" = "$cfg" ]
	run lst init --join "$RPC"
	assert_failure 1
}

@test "init --join usage errors (exit 2)" {
	j="$BATS_TEST_TMPDIR/j"
	run lst-chain --home "$j" init --join 'not a url'
	assert_failure 2
	run lst-chain --home "$j" init --join ftp://127.0.0.1:1
	assert_failure 2
	run lst-chain --home "$j" init --join 127.0.0.1
	assert_failure 2
	run lst-chain --home "$j" init --join http://127.0.0.1:1 --listen nowhere
	assert_failure 2
	run lst-chain --home "$j" init --join http://127.0.0.1:1 --listen 127.0.0.1:70000
	assert_failure 2
	run lst-chain --home "$j" init --listen 127.0.0.1:1
	assert_failure 2
	run lst-chain --home "$j" init --join http://127.0.0.1:1 --dev
	assert_failure 2
	run lst-chain --home "$j" init --join http://127.0.0.1:1 --chain-id 5
	assert_failure 2
	run lst-chain --home "$j" init --join http://127.0.0.1:1 --alloc 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf=1
	assert_failure 2
	[ ! -e "$j" ]
}

@test "peers on a single node: self is its RPC URL, no peers" {
	start_chain
	run_split lst-chain peers
	assert_success
	[ "${#lines[@]}" = 1 ]
	[ "$(echo "$output" | jq -r .self)" = "$RPC" ]
	[ "$(echo "$output" | jq -c .peers)" = "[]" ]
	run lst-chain peers extra
	assert_failure 2
	lst-chain stop > /dev/null
	run lst-chain peers
	assert_failure 5
}

@test "daemon --peer: repeatable, listed by peers; a bad one is a usage error" {
	lst-chain init --dev > /dev/null
	p1=$(free_port)
	run lst-chain daemon --detach --rpc 127.0.0.1:0 --peer "127.0.0.1:$p1,127.0.0.1:2"
	assert_failure 2
	run lst-chain daemon --detach --rpc 127.0.0.1:0 --peer
	assert_failure 2
	[ ! -f "$LST_HOME/daemon.pid" ] || ! lst-chain status > /dev/null 2>&1
	LST_BLOCK_MS=200 run lst-chain daemon --detach --rpc 127.0.0.1:0 --peer "127.0.0.1:$p1" --peer=http://127.0.0.1:2
	assert_success
	RPC=$(echo "$output" | jq -r .rpc)
	run lst-chain peers
	assert_success
	[ "$(echo "$output" | jq -r .self)" = "$RPC" ]
	run sh -c 'lst-chain peers | jq -r ".peers[].url" | sort'
	assert_line "http://127.0.0.1:$p1"
	assert_line "http://127.0.0.1:2"
	# An unreachable peer has not been seen.
	[ "$(lst-chain peers | jq -r '.peers[0].last_seen')" = null ]
	# The node goes on alone all the same.
	h1=$(lst-chain status | jq -r .height)
	sleep 1
	[ "$(lst-chain status | jq -r .height)" -gt "$h1" ]
}

@test "evidence on a fresh chain prints nothing and exits 0" {
	start_chain
	run_split lst-chain evidence
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	run_split lst-chain evidence --validator "$VAL" --from-block 0
	assert_success
	[ -z "$output" ]
	run_split lst-chain evidence --from-block 1000000
	assert_success
	[ -z "$output" ]
}

@test "evidence refuses a bad validator or block (exit 6) and an unreachable node (exit 5)" {
	run_split lst-chain --rpc http://127.0.0.1:1 evidence --validator notanaddress
	assert_failure 6
	[[ $stderr == *"'notanaddress'"* ]]
	run lst-chain --rpc http://127.0.0.1:1 evidence --from-block soon
	assert_failure 6
	run lst-chain --rpc http://127.0.0.1:1 evidence extra
	assert_failure 2
	run lst-chain --rpc http://127.0.0.1:1 evidence
	assert_failure 5
}
