// ethers.Contract against the native market of a running lst-chain, with
// the ABI the project ships (contracts/market.abi.json): the author
// publishes a book from ethers itself (fees() and termsHash() by eth_call,
// the foundation co-signs with wallet.signMessage, publish pays the listing
// fee), a reader reads the price (eth_call), buys (send + wait), and the
// Purchased event is parsed from the receipt; hasAccess and canRead open
// for the buyer only. Refusals (wrong value, someone else's setPrice, a
// forged or reused co-signature, buying twice) reject with the market's
// reason and change nothing. Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";
import { CID } from "multiformats/cid";
import { startChain, errorText, rejection, binDir, CHAIN_ID, LST } from "./chain.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ABI = JSON.parse(fs.readFileSync(path.join(here, "../../contracts/market.abi.json"), "utf8"));
const MARKET = "0x4c53540000000000000000000000000000000004";
const LST_BLOCK = path.join(binDir, "lst-block");

/** The book id as contracts/market.h defines it, computed here independently. */
const bookIdOf = (author, title) =>
  ethers.keccak256(ethers.solidityPacked(["string", "address", "string"], ["lst-book-v1", author, title]));

/** The terms the foundation co-signs (contracts/market.h), computed here independently. */
function termsHashOf({ chainId, author, book, price, root, tree, details, label }) {
  return ethers.keccak256(
    ethers.solidityPacked(
      ["string", "uint256", "address", "address", "bytes32", "uint256", "bytes32", "bytes32", "bytes32", "bytes32"],
      [
        "lst-publish-v1",
        chainId,
        MARKET,
        author,
        book,
        price,
        ethers.keccak256(root),
        tree,
        ethers.keccak256(ethers.toUtf8Bytes(details)),
        ethers.keccak256(ethers.toUtf8Bytes(label)),
      ],
    ),
  );
}

/** The market's events in a receipt, by name. */
function events(market, rc) {
  const out = {};
  for (const l of rc.logs) {
    if (l.address.toLowerCase() !== MARKET) continue;
    const e = market.interface.parseLog(l);
    if (e) (out[e.name] ??= []).push(e);
  }
  return out;
}

/** The reason a reverted call or transaction carried, as ethers reports it. */
async function reverts(what, fn, reason) {
  const err = await rejection(what, fn);
  assert.match(errorText(err), reason, `${what}: ${err.message}`);
  return err;
}

describe("ethers.Contract against the native market", () => {
  let chain, provider, dev, fnd, market;
  let author, reader, other; // funded wallets
  let bps, listingFee; // the genesis fees, through fees()
  let root, rootId, tree; // the first version: a real encrypted root of lst-block
  const title = `A Compat Book ${Date.now()}`;
  const details = JSON.stringify({ blurb: "ethers publishes it", tags: ["compat"] });
  const label = "v1";
  const price = 2n * LST + 345n; // an odd price, so the fee rounds down
  let book;

  /** A fresh wallet holding amount, paid by the developer. */
  async function funded(amount) {
    const w = ethers.Wallet.createRandom().connect(provider);
    await (await dev.sendTransaction({ to: w.address, value: amount })).wait(1, 20_000);
    return w;
  }

  /** terms, the foundation's (or signer's) co-signature over them, and publish's arguments. */
  async function terms(signer, { t = title, p = price, r = root, tr = tree, d = details, l = label, by = author } = {}) {
    const hash = await market.termsHash(by.address, t, d, p, r, tr, l);
    const sig = await signer.signMessage(ethers.getBytes(hash));
    return { hash, sig, args: [t, d, p, r, tr, l, sig] };
  }

  before(async () => {
    chain = startChain();
    provider = new ethers.JsonRpcProvider(chain.rpc, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    dev = new ethers.Wallet(chain.developer.privateKey, provider);
    fnd = new ethers.Wallet(chain.foundation.privateKey, provider);
    market = new ethers.Contract(MARKET, ABI, provider);
    // The book's first version: an encrypted root of the content store, and
    // the id the swarm's gate asks about (lst-block stat's root_id).
    const env = { ...process.env, LST_HOME: chain.home };
    const add = spawnSync(LST_BLOCK, ["add", "-"], { input: ethers.randomBytes(300_000), env, encoding: "utf8" });
    assert.equal(add.status, 0, `lst-block add: ${add.stderr}`);
    const cid = JSON.parse(add.stdout).root;
    const stat = spawnSync(LST_BLOCK, ["stat", cid], { env, encoding: "utf8" });
    assert.equal(stat.status, 0, `lst-block stat: ${stat.stderr}`);
    root = ethers.hexlify(CID.parse(cid).bytes);
    rootId = ethers.sha256(root);
    assert.equal(JSON.parse(stat.stdout).root_id, rootId, "root id = sha256 of the root CID's bytes");
    tree = ethers.hexlify(ethers.randomBytes(32));
    author = await funded(10n * LST);
    reader = await funded(10n * LST);
    other = await funded(10n * LST);
  });

  after(() => {
    provider?.destroy();
    chain?.stop();
  });

  it("fees(), bookId() and termsHash() by eth_call agree with the genesis and with ethers' own hashing", async () => {
    const f = await market.fees();
    [bps, listingFee] = [f.serviceFeeBps, f.listingFee];
    assert.equal(f.foundation, fnd.address, "the foundation of the genesis");
    assert.equal(bps, 500n, "lst-chain init --dev: 500 bps");
    assert.equal(listingFee, LST, "lst-chain init --dev: 1 LST");
    book = bookIdOf(author.address, title);
    assert.equal(await market.bookId(author.address, title), book);
    assert.notEqual(await market.bookId(other.address, title), book, "another author, another book");
    const mine = termsHashOf({ chainId: CHAIN_ID, author: author.address, book, price, root, tree, details, label });
    assert.equal(await market.termsHash(author.address, title, details, price, root, tree, label), mine);
    // every field is bound: change one, get another hash
    assert.notEqual(await market.termsHash(author.address, title, details, price + 1n, root, tree, label), mine);
    assert.notEqual(await market.termsHash(author.address, title, details, price, root, tree, "v2"), mine);
    assert.notEqual(await market.termsHash(other.address, title, details, price, root, tree, label), mine);
    await reverts("book() of an unpublished book", () => market.book(book), /no such book/);
  });

  it("refused publishes change nothing: no co-signature of the foundation, a signature over other terms, a wrong listing fee", async () => {
    const as = market.connect(author);
    const bal = await provider.getBalance(author.address);
    const escrow = await provider.getBalance(MARKET);
    // the author co-signs their own terms
    const self = await terms(author);
    await reverts("publish signed by the author", () => as.publish(...self.args, { value: listingFee }), /bad foundation signature/);
    // the foundation signed a lower price than the one published
    const cheap = await terms(fnd, { p: price - 1n });
    const args = [...cheap.args];
    args[2] = price;
    await reverts("publish at a price the foundation did not sign", () => as.publish(...args, { value: listingFee }), /bad foundation signature/);
    // another author replays the foundation's signature made for ours
    const good = await terms(fnd);
    await reverts(
      "publish by another author with our co-signature",
      () => market.connect(other).publish(...good.args, { value: listingFee }),
      /bad foundation signature/,
    );
    // the right signature with the wrong value
    await reverts("publish without the listing fee", () => as.publish(...good.args, { value: 0n }), /listing fee is/);
    await reverts("publish with too much", () => as.publish(...good.args, { value: listingFee + 1n }), /listing fee is/);
    // a mined reverted publish (no estimate first): status 0, nothing moved
    const tx = await as.publish(...good.args, { value: 0n, gasLimit: 500_000n });
    const err = await rejection("wait for a reverted publish", () => tx.wait(1, 20_000));
    assert.equal(err.code, "CALL_EXCEPTION");
    assert.equal(err.receipt?.status, 0);
    await reverts("book() after refused publishes", () => market.book(book), /no such book/);
    assert.equal(await market.bookOf(rootId), ethers.ZeroHash);
    assert.equal(await provider.getBalance(author.address), bal);
    assert.equal(await provider.getBalance(MARKET), escrow);
  });

  it("the author publishes with the foundation's co-signature: Published, VersionAdded, the listing fee in escrow", async () => {
    const as = market.connect(author);
    const bal = await provider.getBalance(author.address);
    const escrow = await provider.getBalance(MARKET);
    const t = await terms(fnd);
    assert.equal(ethers.verifyMessage(ethers.getBytes(t.hash), t.sig), fnd.address);
    assert.equal(await as.publish.staticCall(...t.args, { value: listingFee }), book, "publish returns the book id");
    const tx = await as.publish(...t.args, { value: listingFee });
    const rc = await tx.wait(1, 20_000);
    assert.equal(rc.status, 1);
    const ev = events(market, rc);
    assert.equal(ev.Published?.length, 1, "one Published");
    assert.equal(ev.Published[0].args.book, book);
    assert.equal(ev.Published[0].args.author, author.address);
    assert.equal(ev.Published[0].args.price, price);
    assert.equal(ev.Published[0].args.title, title);
    assert.equal(ev.VersionAdded?.length, 1, "one VersionAdded");
    const v = ev.VersionAdded[0].args;
    assert.equal(v.book, book);
    assert.equal(v.rootId, rootId);
    assert.equal(v.index, 0n);
    assert.equal(v.root, root);
    assert.equal(v.tree, tree);
    assert.equal(v.label, label);
    // Published comes before VersionAdded
    const names = rc.logs.map((l) => market.interface.parseLog(l)?.name);
    assert.deepEqual(names, ["Published", "VersionAdded"]);
    const b = await market.book(book);
    assert.equal(b.author, author.address);
    assert.equal(b.price, price);
    assert.equal(b.versions, 1n);
    assert.equal(b.sales, 0n);
    assert.equal(b.published, BigInt(rc.blockNumber));
    assert.equal(b.title, title);
    assert.equal(b.details, details);
    assert.equal(await market.bookOf(rootId), book);
    assert.equal(await market.escrowOf(book), listingFee);
    assert.equal(await provider.getBalance(MARKET), escrow + listingFee);
    assert.equal(await provider.getBalance(author.address), bal - listingFee, "no gas is charged, only the fee");
    const vs = await market.versions(book);
    assert.deepEqual([...vs.roots], [root]);
    assert.deepEqual([...vs.trees], [tree]);
    assert.deepEqual([...vs.labels], [label]);
    assert.deepEqual([...vs.heights], [BigInt(rc.blockNumber)]);
    // the author reads their own book
    assert.equal(await market.hasAccess(book, author.address), true);
    assert.equal(await market.canRead(author.address, rootId), true);
    assert.equal(await market.hasAccess(book, reader.address), false);
    assert.equal(await market.canRead(reader.address, rootId), false);
  });

  it("the co-signature is spent: publishing again is refused", async () => {
    const t = await terms(fnd);
    await reverts("publish twice", () => market.connect(author).publish(...t.args, { value: listingFee }), /already published/);
    // the same root under another title of the same author
    const t2 = await terms(fnd, { t: `${title} (again)` });
    await reverts("a root in two books", () => market.connect(author).publish(...t2.args, { value: listingFee }), /root already published/);
    assert.equal(await market.escrowOf(book), listingFee);
  });

  it("a reader reads the price, buys (send + wait) and the receipt's Purchased event says who paid what", async () => {
    const r = market.connect(reader);
    const b = await market.book(book);
    assert.equal(b.price, price, "the price by eth_call");
    const fee = (price * bps) / 10000n;
    assert.ok(fee > 0n && fee * 10000n !== price * bps, "the fee rounds down here");
    const [rb, ab, fb] = await Promise.all([reader, author, fnd].map((w) => provider.getBalance(w.address)));
    const tx = await r.buy(book, { value: b.price });
    const rc = await tx.wait(1, 20_000);
    assert.equal(rc.status, 1);
    const ev = events(market, rc);
    assert.equal(ev.Purchased?.length, 1, "one Purchased");
    const p = ev.Purchased[0].args;
    assert.equal(p.book, book);
    assert.equal(p.buyer, reader.address);
    assert.equal(p.author, author.address);
    assert.equal(p.price, price);
    assert.equal(p.fee, fee);
    // paid in this transaction: the fee to the foundation, the rest to the author
    assert.equal(await provider.getBalance(reader.address), rb - price);
    assert.equal(await provider.getBalance(author.address), ab + price - fee);
    assert.equal(await provider.getBalance(fnd.address), fb + fee);
    assert.equal(await market.escrowOf(book), listingFee, "the market keeps nothing of a sale");
    assert.equal(await market.hasAccess(book, reader.address), true);
    assert.equal(await market.canRead(reader.address, rootId), true);
    assert.equal(await market.hasAccess(book, other.address), false);
    assert.equal(await market.canRead(other.address, rootId), false);
    const pu = await market.purchaseOf(book, reader.address);
    assert.deepEqual([pu.height, pu.price, pu.fee], [BigInt(rc.blockNumber), price, fee]);
    assert.equal((await market.book(book)).sales, 1n);
    // the indexed topics filter through eth_getLogs too
    const found = await market.queryFilter(market.filters.Purchased(book, reader.address), 0, "latest");
    assert.equal(found.length, 1);
    assert.equal(found[0].transactionHash, rc.hash);
    assert.equal((await market.queryFilter(market.filters.Purchased(book, other.address), 0, "latest")).length, 0);
  });

  it("refused buys change nothing: the wrong value, twice, the author's own, no such book", async () => {
    const o = market.connect(other);
    const bals = async () => Promise.all([other, author, fnd, reader].map((w) => provider.getBalance(w.address)));
    const before = await bals();
    await reverts("buy with too little", () => o.buy(book, { value: price - 1n }), new RegExp(`price is ${price}, not ${price - 1n}`));
    await reverts("buy with too much", () => o.buy(book, { value: price + 1n }), new RegExp(`price is ${price}, not ${price + 1n}`));
    await reverts("buy with nothing", () => o.buy(book), /price is/);
    await reverts("buy again", () => market.connect(reader).buy(book, { value: price }), /already bought/);
    await reverts("the author buys", () => market.connect(author).buy(book, { value: price }), /the author cannot buy their own book/);
    await reverts("buy a book nobody published", () => o.buy(ethers.hexlify(ethers.randomBytes(32)), { value: price }), /no such book/);
    // the same wrong-value buy mined (no estimate): status 0, nothing moved
    const tx = await o.buy(book, { value: price - 1n, gasLimit: 200_000n });
    const err = await rejection("wait for a reverted buy", () => tx.wait(1, 20_000));
    assert.equal(err.receipt?.status, 0);
    assert.deepEqual(await bals(), before);
    assert.equal(await market.hasAccess(book, other.address), false);
    assert.equal((await market.book(book)).sales, 1n);
  });

  it("setPrice: someone else is refused; the author's change is PriceChanged, and a buy at the old price is refused", async () => {
    await reverts("setPrice by a reader", () => market.connect(reader).setPrice(book, 1n), /not the author/);
    await reverts("setPrice by a stranger", () => market.connect(other).setPrice(book, 0n), /not the author/);
    assert.equal((await market.book(book)).price, price, "the price did not move");
    const next = price + LST;
    const rc = await (await market.connect(author).setPrice(book, next)).wait(1, 20_000);
    const ev = events(market, rc).PriceChanged?.[0]?.args;
    assert.ok(ev, "PriceChanged");
    assert.deepEqual([ev.book, ev.oldPrice, ev.newPrice], [book, price, next]);
    assert.equal((await market.book(book)).price, next);
    const bal = await provider.getBalance(other.address);
    await reverts("buy at the old price", () => market.connect(other).buy(book, { value: price }), new RegExp(`price is ${next}, not ${price}`));
    assert.equal(await provider.getBalance(other.address), bal);
  });

  it("addVersion: the author only; a buyer reads the new version too", async () => {
    const cid2 = ethers.hexlify(CID.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy").bytes);
    const tree2 = ethers.hexlify(ethers.randomBytes(32));
    await reverts("addVersion by a reader", () => market.connect(reader).addVersion(book, cid2, tree2, "v2"), /not the author/);
    assert.equal((await market.book(book)).versions, 1n);
    const rc = await (await market.connect(author).addVersion(book, cid2, tree2, "v2")).wait(1, 20_000);
    const v = events(market, rc).VersionAdded?.[0]?.args;
    assert.ok(v, "VersionAdded");
    assert.equal(v.index, 1n);
    assert.equal(v.rootId, ethers.sha256(cid2));
    const vs = await market.versions(book);
    assert.deepEqual([...vs.labels], [label, "v2"]);
    assert.equal(await market.canRead(reader.address, ethers.sha256(cid2)), true, "buying once gives every version");
    assert.equal(await market.canRead(other.address, ethers.sha256(cid2)), false);
  });
});
