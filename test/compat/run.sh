#!/bin/sh
# Compatibility tests of lst against independent clients (see
# ../../../shared/DESIGN.md §9): ethers v6, viem and web3 v4 (chain-*.test.mjs,
# each starting its own dev chain, lst-chain init --dev + daemon, in a
# temporary LST_HOME); ethers.Contract with the shipped ABIs against the
# native token and market (chain-token, market.test.mjs: a book published
# from ethers with the foundation's co-signature, bought, its Purchased
# event parsed) and subscriptions (subscription.test.mjs: a category by
# the foundation, a reader's subscription paid with value, isMember and the
# period views, CategoryCreated/Subscribed/Cancelled decoded, refusals in
# ethers' error shape); ipfs-unixfs-importer, @ipld/car and
# @helia/verified-fetch (unixfs-cid, car and gateway.test.mjs: lst-block and
# lst-swarm in temporary homes, nothing leaves 127.0.0.1).
# Prints TAP on stdout; exits non-zero if anything fails.
#   LST_BIN_DIR      where the lst-* programs live (default: build/bin of
#                    this checkout)
#   LST_VECTORS      the shared test vectors (default: ../shared/vectors
#                    relative to the checkout)
#   LST_COMPAT_SEED  replay the seeded content of a failed run (the seed is
#                    printed as a TAP diagnostic)
set -u

case $0 in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
here=$(CDPATH= cd -- "$here" && pwd) || exit 1
cd "$here" || exit 1

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "not ok 1 - compat: node/npm missing"
	exit 1
fi

# Install (or refresh) the locked dependencies when node_modules is missing
# or older than package-lock.json.  npm ci deletes node_modules first.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ] ||
	[ ! -e node_modules/.package-lock.json ]; then
	if ! npm ci --no-audit --no-fund --silent >&2; then
		echo "not ok 1 - compat: npm ci failed"
		exit 1
	fi
	touch node_modules
fi

if [ -z "${LST_BIN_DIR:-}" ]; then
	LST_BIN_DIR=$here/../../build/bin
fi
export LST_BIN_DIR

exec node --test --test-reporter=tap ./*.test.mjs
