#!/bin/sh
# make demo: what lst does today, end to end, in a temporary home.
#
# It installs lst into a temporary prefix (make install), creates a home
# with a key, signs a transfer and decodes it, signs and checks a message,
# seals a content key to a reader and opens it, and exports a keystore that
# ethers, geth or MetaMask can read. Then it starts an embedded
# single-validator network in another temporary home and pays a reader in
# LST through it; an author publishes an encrypted book from a git tag
# (lst publish), a reader is refused it, buys it (lst-buy: the fee to the
# foundation, the rest to the author, then the key and the blocks) and
# reads it (lst read); a paged book in a subscription category is read
# page by page (lst subscribe, lst read --page, lst-settle); then four
# validators on loopback (Tendermint) with a transfer and a full node that
# joins and syncs.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
cleanup() {
	[ -f "$tmp/reader/swarm.pid" ] && lst-swarm --home "$tmp/reader" stop > /dev/null 2>&1
	for h in "$tmp/net" "$tmp/four/node0" "$tmp/four/node1" "$tmp/four/node2" "$tmp/four/node3" "$tmp/full"; do
		[ -f "$h/daemon.pid" ] && lst-chain --home "$h" stop > /dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "install into a temporary prefix"
make -s install PREFIX="$tmp/prefix" > /dev/null
export PATH="$tmp/prefix/bin:$PATH"
export LST_HOME="$tmp/home"
printf 'demo passphrase\n' > "$tmp/pw"
export LST_PASSPHRASE_FILE="$tmp/pw"
show "lst --version"; lst --version

step "an author's home and key (Argon2id + XChaCha20-Poly1305 at rest)"
show "lst init --name author"; lst init --name author
reader=$(lst sign keygen --name reader | jq -r .address)
show "lst sign list"; lst sign list | jq -c '{address, name, encrypted, default}'

step "sign an LST transfer to the reader (EIP-1559, chain 161), then decode it"
tx='{"type":2,"chain_id":161,"nonce":0,"to":"'"$reader"'","value":"12500000000000000000","gas":21000,"max_fee_per_gas":"1000000000","max_priority_fee_per_gas":"1"}'
show "echo '$tx' | lst-sign sign"
signed=$(echo "$tx" | lst-sign sign)
echo "$signed" | jq .
show "... | jq -r .raw | lst-sign decode"
echo "$signed" | jq -r .raw | lst-sign decode | jq '{type, chain_id, nonce, to, value, from, hash}'

step "a tampered transaction no longer comes from the author"
bad=$(echo "$signed" | jq -r .raw | sed 's/ad78ebc5ac620000/ad78ebc5ac620001/')
echo "$bad" | lst-sign decode | jq -c '{from}' || true

step "sign a message (EIP-191) and verify it"
sig=$(lst-sign sign-message --from author "chapter 1, version 1.0.0" | jq -r .signature)
author=$(lst-sign address author | jq -r .address)
lst-sign verify-message --address "$author" --signature "$sig" "chapter 1, version 1.0.0" | jq -c .
echo "a different message:"
lst-sign verify-message --address "$author" --signature "$sig" "chapter 2" | jq -c . || echo "(exit $?: refused)"

step "seal a book's content key to the reader; only the reader opens it"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' > "$tmp/content-key"
echo "content key: $(cat "$tmp/content-key")"
lst-sign seal --hex --to reader < "$tmp/content-key" > "$tmp/sealed"
echo "sealed:      $(cut -c1-66 "$tmp/sealed")..."
echo "opened:      $(lst-sign open --hex --with reader < "$tmp/sealed")"
lst-sign open --hex --with author < "$tmp/sealed" 2>&1 || true

step "export the author's key as a keystore v3 file any Ethereum wallet opens"
lst-sign export --keystore author | jq -c '{version, address, kdf: .crypto.kdf, cipher: .crypto.cipher}'

step "an embedded single-validator network in its own home"
export LST_HOME="$tmp/net"
show "lst init --dev"; lst init --dev | jq -c '{chain_id, developer, validator}'
show "lst node start"; lst node start --rpc 127.0.0.1:0 | jq -c '{pid, rpc}'
lst sign keygen --name reader --insecure-plaintext-key > /dev/null
show "lst balance"; lst balance | jq -c .
show "lst send reader 12.5lst"; lst send reader 12.5lst | jq -c .
show "lst balance reader"; lst balance reader | jq -c .
show "lst-chain block latest"; lst-chain block latest | jq -c '{height, hash, time, proposer}'
h=$(lst-chain status | jq -r .height)
show "lst-chain commit $h"; lst-chain commit "$h" | jq -c '{height, block_hash, precommits: (.precommits | length)}'
echo "a reused nonce is refused as Ethereum clients expect:"
echo '{"chain_id":161,"nonce":0,"to":"'"$(lst-sign address reader | jq -r .address)"'","value":"1","gas":21000,"gas_price":"1"}' |
	lst-sign sign --from developer | lst-chain send || true

step "publish a book from a git tag; a reader is refused it until they buy it"
mkdir -p "$tmp/book"
printf '# Chapter 1\n\nIt was a dark and stormy night.\n' > "$tmp/book/ch1.md"
printf '# Chapter 2\n\nThe rain fell on the validators.\n' > "$tmp/book/ch2.md"
git -C "$tmp/book" init -q && git -C "$tmp/book" add . &&
	git -C "$tmp/book" -c user.name=Author -c user.email=author@example.org commit -q -m "first edition" &&
	git -C "$tmp/book" tag v1
show "lst publish --repo book --ref v1 --price 2lst --yes (encrypted; the dev network's foundation key co-signs)"
lst publish --repo "$tmp/book" --ref v1 --price 2lst --yes --json | tee "$tmp/publish.json" | jq -c '{book, version, root}'
book=$(jq -r .book "$tmp/publish.json")
rpc=$(lst config rpc)
show "a reader's home with a key and 5 LST"
raddr=$(lst-sign --home "$tmp/reader" keygen --name reader --insecure-plaintext-key | jq -r .address)
lst --home "$tmp/reader" config rpc "$rpc"
lst send "$raddr" 5lst | jq -c '{status}'
show "lst read \$book (as the reader, before buying)"
lst --home "$tmp/reader" read "$book" --file ch2.md || echo "(refused, exit $?)"
show "lst-buy \$book (pays 2 LST: the service fee to the foundation, the rest to the author; then the key and the blocks)"
lst-buy --home "$tmp/reader" --yes --json "$book" | jq -c '{book, paid, key_from}'
show "lst read \$book --file ch2.md"
lst --home "$tmp/reader" read "$book" --file ch2.md
show "lst sales (the author's)"
lst sales --json | jq -c '{buyer, price, fee}'
show "lst-block add --public cover (plain UnixFS: any IPFS tool gets the same CID) and the gateway"
printf 'a cover image' > "$tmp/cover.png"
cover=$(lst-block add --public "$tmp/cover.png" | jq -r .root)
echo "$cover"; curl -s "$rpc/ipfs/$cover?format=raw"; echo

step "subscriptions: a category, a paged book, a member reads page by page"
show "lst category create fiction --fee 1lst (the foundation's key, in a dev home)"
lst category create fiction --fee 1lst --from foundation --json | jq -c '{id, name, fee}'
mkdir -p "$tmp/serial"
for i in $(seq 1 120); do printf 'Line %03d of the serial, one installment at a time.\n' "$i"; done > "$tmp/serial/serial.md"
git -C "$tmp/serial" init -q && git -C "$tmp/serial" add . &&
	git -C "$tmp/serial" -c user.name=Author -c user.email=author@example.org commit -q -m "the serial" &&
	git -C "$tmp/serial" tag v1
show "lst publish --repo serial --ref v1 --pages --price 3lst --yes (cut into 2 KiB pages; also for sale)"
lst publish --repo "$tmp/serial" --ref v1 --pages --price 3lst --yes --json | tee "$tmp/serial.json" | jq -c '{book, root, pages}'
serial=$(jq -r .book "$tmp/serial.json")
show "lst enroll \$serial fiction (and this node's serving key registered as the author's)"
lst enroll "$serial" fiction --json | jq -c '{category, name, server}'
show "lst subscribe fiction (as the reader: 1 LST for this month)"
lst --home "$tmp/reader" subscribe fiction --yes --json | jq -c '{name, from_label, until_label, paid}'
show "lst read \$serial --page 2 (the page key from a provider, the page recorded on chain)"
lst --home "$tmp/reader" read "$serial" --page 2 | sed -n 1,3p
show "lst-settle statement fiction current (the projection: the pool, the fee, the author's share)"
lst-settle statement fiction current --json | jq -c '{pool, fee, settled, books: [.books[] | {pages, payout}]}'

show "lst node stop"; lst node stop | jq -c .

step "four validators on loopback agree on every block (Tendermint); a full node joins"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1] % 20000 + 20000)')
show "lst-chain testnet --validators 4 --out four --base-port $port"
lst-chain testnet --validators 4 --out "$tmp/four" --base-port "$port" | jq -c '{chain_id, validators: [.validators[].address]}'
for k in 0 1 2 3; do LST_BLOCK_MS=200 LST_TIMEOUT_MS=1000 lst-chain daemon --home "$tmp/four/node$k" --detach > /dev/null; done
show "lst send --home four/client (a client home on node0) 3lst to node3's validator"
to=$(jq -r .validator_key "$tmp/four/node3/config.json")
lst --home "$tmp/four/client" send "$to" 3lst | jq -c '{hash, status, block}'
show "lst init --join http://127.0.0.1:$port (a full node's home) and its daemon"
lst --home "$tmp/full" init --join "http://127.0.0.1:$port" --listen "127.0.0.1:$((port + 10))" --json | jq -c '{chain_id, peers}'
lst-chain daemon --home "$tmp/full" --detach > /dev/null
sleep 2
show "lst-chain --home full balance (the full node, synced, answers)"
lst-chain --home "$tmp/full" balance "$to" | jq -c .
h=$(lst-chain --home "$tmp/four/node1" status | jq -r .height)
show "lst-chain commit $h (precommits of the four)"
lst-chain --home "$tmp/four/node1" commit "$h" | jq -c '{height, round, precommits: (.precommits | length)}'

echo
echo "demo: ok"
