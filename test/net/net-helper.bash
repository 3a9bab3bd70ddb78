# Shared setup for the network tests: validators of a local testnet on
# consecutive free loopback ports, each a detached `lst-chain daemon`.
#
# The daemons come from $DAEMON_BIN: the release build (build/bin) unless
# a file sets it to the fault-injection build, $FAULTS, from
# $LST_FAULTS_BIN (HOME/p2p-drop, LST_BYZANTINE=1). Every other verb runs
# from build/bin (copies of both, made by setup_file).
# Every daemon a test starts is recorded and kill -9'd by teardown, also
# when the test failed; a failed test prints the tail of each daemon.log.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
BUILD_BIN="${LST_BIN_DIR:-$TOP/build/bin}"
LST_FAULTS_BIN="${LST_FAULTS_BIN:-$TOP/build/faults/bin}"
case $LST_FAULTS_BIN in
/*) ;;
*) LST_FAULTS_BIN="$(cd "$LST_FAULTS_BIN" 2> /dev/null && pwd)" || LST_FAULTS_BIN="$TOP/build/faults/bin" ;;
esac
# The programs, as copied by setup_file for this file's tests (one build
# for all of them, even if build/ is relinked meanwhile).
BIN="$BATS_FILE_TMPDIR/bin"
FAULTS="$BATS_FILE_TMPDIR/faults/lst-chain"
export PATH="$BIN:$PATH"
export LST_EXEC_PATH="$BIN"
DAEMON_BIN="$BIN/lst-chain"

# Copy the programs once per file; a program being linked (not yet
# executable, or not running) is waited for, up to 30 s.
setup_file() {
	local i f ok
	mkdir -p "$BIN" "${FAULTS%/*}"
	for ((i = 0; i < 150; i++)); do
		ok=1
		for f in lst lst-chain lst-sign lst-block lst-swarm; do
			[ -x "$BUILD_BIN/$f" ] && cp "$BUILD_BIN/$f" "$BIN/$f" && "$BIN/$f" --help > /dev/null 2>&1 || ok=0
		done
		[ -x "$LST_FAULTS_BIN/lst-chain" ] && cp "$LST_FAULTS_BIN/lst-chain" "$FAULTS" && "$FAULTS" --help > /dev/null 2>&1 || ok=0
		[ $ok = 1 ] && return 0
		sleep 0.2
	done
	echo "setup_file: cannot run the programs of $BUILD_BIN and $LST_FAULTS_BIN/lst-chain (make && make faults)" >&2
	return 1
}

# Consensus pace for the tests: a height every 100 ms, 400 ms timeouts.
NET_BLOCK_MS=${NET_BLOCK_MS:-100}
NET_TIMEOUT_MS=${NET_TIMEOUT_MS:-400}

bats_require_minimum_version 1.5.0
run_split() {
	run --separate-stderr "$@"
}

# Bats traces every command of a test through a DEBUG trap (a millisecond
# or more each), so the helpers that loop run in a subshell without it.
untraced() {
	trap - DEBUG
	set +T
	"$@"
}

setup() {
	unset LST_HOME LST_PASSPHRASE_FILE LST_BYZANTINE
	NET="$BATS_TEST_TMPDIR/net"
	PIDS="$BATS_TEST_TMPDIR/pids"
	: > "$PIDS"
}

# Is PID a live lst-chain process (not gone, not a zombie)?
alive() {
	local stat state
	read -r stat < "/proc/$1/stat" 2> /dev/null || return 1
	state=${stat##*) }
	state=${state%% *}
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] || return 1
	command tr '\0' ' ' < "/proc/$1/cmdline" 2> /dev/null | command grep -q lst-chain
}

# kill -9 every daemon this test started; on failure, show their logs.
teardown() {
	local pid h
	if [ -f "${PIDS:-/nonexistent}" ]; then
		for pid in $(sort -u "$PIDS"); do
			alive "$pid" && kill -9 "$pid" 2> /dev/null || true
		done
	fi
	# And any daemon on a home of this test that was started otherwise.
	for h in $(find "$BATS_TEST_TMPDIR" -maxdepth 3 -name daemon.pid 2> /dev/null); do
		pid=$(cat "$h" 2> /dev/null) || continue
		[ -n "$pid" ] && alive "$pid" && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "${h%/daemon.pid}" &&
			kill -9 "$pid" 2> /dev/null || true
	done
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		for h in "$BATS_TEST_TMPDIR"/*/node* "$BATS_TEST_TMPDIR"/full*; do
			[ -f "$h/daemon.log" ] || continue
			echo "# --- $h/daemon.log (last 15 lines)"
			tail -n 15 "$h/daemon.log" | sed 's/^/# /'
			[ -f "$h/chain/privval.json" ] &&
				echo "# privval: $(jq -c '{height, round, step, block_hash, locked_height, locked_round}' "$h/chain/privval.json" 2>&1)"
		done >&2
	fi
}

# free_ports N: a base port P with P..P+N-1 free on 127.0.0.1: nothing
# uses them (ss) and a connect is refused (bash /dev/tcp). They are below
# the ephemeral range, so no client connection takes one meanwhile.
free_ports() (
	untraced _free_ports "$@"
)
_free_ports() {
	local n=$1 try base p used ok lo=10000 hi
	read -r hi _ < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || hi=32768
	[ "$hi" -gt $((lo + 1000)) ] || { lo=20000 hi=60000; }
	used=" $(ss -Htan 2> /dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u | tr '\n' ' ') "
	for ((try = 0; try < 200; try++)); do
		base=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo - n)))
		ok=1
		for ((p = base; p < base + n; p++)); do
			if [[ $used == *" $p "* ]] || (exec 2> /dev/null; : < "/dev/tcp/127.0.0.1/$p"); then
				ok=0
				break
			fi
		done
		if [ $ok = 1 ]; then
			echo "$base"
			return 0
		fi
	done
	echo "free_ports: no $n consecutive free ports found" >&2
	return 1
}

# make_net N [DIR [testnet options]]: a testnet of N validators in DIR
# (default $NET) on free ports. Sets N_NODES, BASE, ADDR[k], RPCS[k],
# HOMES[k], DEV, FND, CLIENT; the testnet's JSON is in DIR.json.
make_net() {
	local n=$1 dir=${2:-$NET} k a r h
	shift
	[ $# -gt 0 ] && shift
	BASE=$(free_ports $((n + 1))) || return 1
	lst-chain testnet --validators "$n" --out "$dir" --base-port "$BASE" "$@" > "$dir.json" || return 1
	N_NODES=$n
	ADDR=() RPCS=() HOMES=()
	k=0
	while read -r a r h; do
		ADDR[k]=$a RPCS[k]=$r HOMES[k]=$h
		k=$((k + 1))
	done < <(jq -r '.validators[] | "\(.address) \(.rpc) \(.home)"' "$dir.json")
	read -r DEV FND CLIENT < <(jq -r '"\(.developer) \(.foundation) \(.client)"' "$dir.json")
	[ "$k" = "$n" ] || return 1
	# The port after the validators', free for a full node.
	SPARE_PORT=$((BASE + n))
}

# start_home HOME [VAR=VALUE...] [-- daemon options]: a detached daemon
# on HOME with the test pace; its pid is recorded for teardown.
start_home() {
	local home=$1 pid
	shift
	local envs=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	opts=("$@")
	env LST_BLOCK_MS="$NET_BLOCK_MS" LST_TIMEOUT_MS="$NET_TIMEOUT_MS" "${envs[@]}" \
		"$DAEMON_BIN" --home "$home" daemon --detach "${opts[@]}" > "$home.daemon.json" 3>&- || {
		echo "daemon on $home did not start" >&2
		tail -n 20 "$home/daemon.log" >&2 2> /dev/null
		return 1
	}
	pid=$(jq -r .pid "$home.daemon.json")
	echo "$pid" >> "$PIDS"
}

# start_node K [VAR=VALUE...]: validator K's daemon.
start_node() {
	local k=$1
	shift
	start_home "${HOMES[k]}" "$@"
}

# The pid in HOME/daemon.pid, if that process is alive.
home_pid() {
	local pid
	pid=$(cat "$1/daemon.pid" 2> /dev/null) || return 1
	[ -n "$pid" ] && alive "$pid" && echo "$pid"
}

# kill_home HOME: kill -9 its daemon and wait until it is gone.
kill_home() (
	untraced _kill_home "$@"
)
_kill_home() {
	local pid i
	pid=$(home_pid "$1") || {
		echo "no daemon running on $1" >&2
		return 1
	}
	kill -9 "$pid"
	for ((i = 0; i < 200; i++)); do
		alive "$pid" || return 0
		sleep 0.05
	done
	echo "pid $pid ($1) survived kill -9 for 10 s" >&2
	return 1
}

kill_node() {
	kill_home "${HOMES[$1]}"
}

# stop_node K: SIGTERM through lst-chain stop (waits for the exit).
stop_node() {
	lst-chain --home "${HOMES[$1]}" stop > /dev/null
}

# A node spec is a validator index or an RPC URL.
url_of() {
	case $1 in
	http*) echo "$1" ;;
	*) echo "${RPCS[$1]}" ;;
	esac
}

# height NODE: its latest height (eth_blockNumber), or -1 if it does not answer.
height() {
	local r
	r=$(curl -s --max-time 2 -X POST -H 'Content-Type: application/json' \
		--data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$(url_of "$1")")
	if [[ $r =~ \"result\":\"(0x[0-9a-fA-F]+)\" ]]; then
		echo $((BASH_REMATCH[1]))
	else
		echo -1
	fi
}

# wait_height NODE H [TIMEOUT_S]: poll until NODE is at height H or more.
wait_height() (
	untraced _wait_height "$@"
)
_wait_height() {
	local node=$1 want=$2 timeout=${3:-30} h=-1 deadline
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	while [ "$(date +%s%N)" -lt "$deadline" ]; do
		h=$(height "$node")
		[ "$h" -ge "$want" ] && return 0
		sleep 0.1
	done
	echo "wait_height: node $node ($(url_of "$node")) at height $h after ${timeout}s, wanted >= $want" >&2
	return 1
}

# wait_all H [TIMEOUT_S] [NODES...]: every node (default all validators) at H or more.
wait_all() {
	local want=$1 timeout=${2:-30} k
	shift 2 2> /dev/null || shift $#
	local nodes=("$@")
	[ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(seq 0 $((N_NODES - 1)))
	for k in "${nodes[@]}"; do
		wait_height "$k" "$want" "$timeout" || return 1
	done
}

# max_height / min_height NODES...: over the nodes given (default all validators).
heights_of() (
	untraced _heights_of "$@"
)
_heights_of() {
	local k nodes=("$@")
	[ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(seq 0 $((N_NODES - 1)))
	for k in "${nodes[@]}"; do
		height "$k"
	done
}
max_height() {
	heights_of "$@" | sort -n | tail -n 1
}
min_height() {
	heights_of "$@" | sort -n | head -n 1
}

# rpc NODE BODY: a JSON-RPC request (or batch) to NODE.
rpc() {
	curl -s --max-time 30 -X POST -H 'Content-Type: application/json' --data-binary @- "$(url_of "$1")" <<< "$2"
}

# hashes NODE FROM TO: "HEIGHT HASH" lines through eth_getBlockByNumber
# batches; a block the node lacks is "HEIGHT null".
hashes() (
	untraced _hashes "$@"
)
_hashes() {
	local node=$1 from=$2 to=$3 a b i body
	for ((a = from; a <= to; a += 250)); do
		b=$((a + 249 < to ? a + 249 : to))
		body=$(
			printf '['
			for ((i = a; i <= b; i++)); do
				[ "$i" -gt "$a" ] && printf ','
				printf '{"jsonrpc":"2.0","id":%d,"method":"eth_getBlockByNumber","params":["0x%x",false]}' "$i" "$i"
			done
			printf ']'
		)
		rpc "$node" "$body" | jq -r 'if type == "array" then sort_by(.id)[] | "\(.id) \(.result.hash // "null")" else error("not a batch: \(.)") end' || return 1
	done
}

# assert_same_chain [NODES...]: every node (default all validators) has the
# same block hash at every height from 1 to the lowest of their heights.
# Sets COMMON to that height.
assert_same_chain() {
	local nodes=("$@") k ref="$BATS_TEST_TMPDIR/hashes.ref" cur="$BATS_TEST_TMPDIR/hashes.cur" h
	[ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(seq 0 $((N_NODES - 1)))
	COMMON=$(min_height "${nodes[@]}")
	if [ "$COMMON" -lt 1 ]; then
		echo "assert_same_chain: lowest height among nodes ${nodes[*]} is $COMMON" >&2
		return 1
	fi
	hashes "${nodes[0]}" 1 "$COMMON" > "$ref" || return 1
	if [ "$(wc -l < "$ref")" -ne "$COMMON" ] || grep -q ' null$' "$ref"; then
		echo "assert_same_chain: node ${nodes[0]} is missing blocks in 1..$COMMON" >&2
		grep ' null$' "$ref" | head -n 3 >&2
		return 1
	fi
	for k in "${nodes[@]:1}"; do
		hashes "$k" 1 "$COMMON" > "$cur" || return 1
		if ! cmp -s "$ref" "$cur"; then
			h=$(diff "$ref" "$cur" | grep -m1 '^[<>]' | awk '{print $2}')
			echo "assert_same_chain: node $k differs from node ${nodes[0]} (first at height $h, heights 1..$COMMON):" >&2
			diff "$ref" "$cur" | head -n 6 >&2
			return 1
		fi
	done
}

# wait_progress NODE N [TIMEOUT_S]: NODE's height grows by N from now.
wait_progress() {
	local h
	h=$(height "$1")
	[ "$h" -ge 0 ] || {
		echo "wait_progress: node $1 does not answer" >&2
		return 1
	}
	wait_height "$1" $((h + $2)) "${3:-30}"
}

# wait_stalled NODES... : wait (up to 30 s) until the nodes' heights have
# not changed for STALL_S seconds (default 3); prints the frozen heights.
wait_stalled() (
	untraced _wait_stalled "$@"
)
_wait_stalled() {
	local stall=${STALL_S:-3} before now t0 deadline
	deadline=$(($(date +%s) + 30))
	before=$(heights_of "$@" | paste -sd,)
	t0=$(date +%s%N)
	while [ "$(date +%s)" -lt "$deadline" ]; do
		sleep 0.2
		now=$(heights_of "$@" | paste -sd,)
		if [ "$now" != "$before" ]; then
			before=$now
			t0=$(date +%s%N)
		elif [ $(($(date +%s%N) - t0)) -ge $((stall * 1000000000)) ]; then
			echo "$now"
			return 0
		fi
	done
	echo "wait_stalled: nodes $* still moving after 30 s (heights $now)" >&2
	return 1
}
