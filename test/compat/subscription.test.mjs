// ethers.Contract against the native subscription contract of a running
// lst-chain, with the ABI the project ships
// (contracts/subscription.abi.json): the foundation creates a category
// (createCategory: the id by staticCall, CategoryCreated decoded), a reader
// subscribes for two periods paying fee * 2 (Subscribed decoded, the
// periods checked against an independent model of the genesis period),
// then isMember, membership, period, periodOf/periodStart, category and
// pool answer by eth_call; an extension and a cancellation (Cancelled,
// the refund to the Photon). Refusals (the wrong value, bad months, no such
// category, a category by someone other than the foundation, a name taken)
// reject with the contract's reason in ethers' error shape
// (CALL_EXCEPTION, reason, revert Error(string)) and change nothing.
// Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";
import { startChain, rejection, LST } from "./chain.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ABI = JSON.parse(fs.readFileSync(path.join(here, "../../contracts/subscription.abi.json"), "utf8"));
const SUBSCRIPTION = "0x4c53540000000000000000000000000000000005";

/*
 * The genesis period, modelled here (contracts/subscription.h): len 0 is
 * calendar months in UTC, k = (year - 1970) * 12 + month - 1 (JavaScript's
 * own Date arithmetic, not the contract's); len > 0 is k = floor(t / len).
 */
const periodOf = (len, t) => {
  if (len > 0n) return t / len;
  const d = new Date(Number(t) * 1000);
  return BigInt((d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth());
};
const periodStart = (len, k) => {
  if (len > 0n) return k * len;
  return BigInt(Date.UTC(1970 + Number(k / 12n), Number(k % 12n), 1) / 1000);
};

/** The subscription contract's events in a receipt, in order. */
function events(sub, rc) {
  const out = [];
  for (const l of rc.logs) {
    if (l.address.toLowerCase() !== SUBSCRIPTION) continue;
    const e = sub.interface.parseLog(l);
    assert.ok(e, `a log ethers cannot decode with the ABI: ${JSON.stringify(l.topics)}`);
    out.push(e);
  }
  return out;
}

/**
 * fn must be refused with exactly the contract's reason, in the shape
 * ethers gives a reverted call: CALL_EXCEPTION, the decoded reason, and
 * revert = Error(string) with it.
 */
async function reverts(what, fn, reason) {
  const err = await rejection(what, fn);
  assert.equal(err.code, "CALL_EXCEPTION", `${what}: ${err.message}`);
  assert.equal(err.reason, reason, `${what}: ${err.message}`);
  assert.equal(err.revert?.name, "Error", `${what}: revert ${JSON.stringify(err.revert)}`);
  assert.equal(err.revert?.signature, "Error(string)");
  assert.deepEqual([...err.revert.args], [reason]);
  return err;
}

describe("ethers.Contract against the native subscription contract", () => {
  let chain, provider, dev, fnd, sub;
  let reader, other; // funded wallets
  let len; // the genesis subscription_period, through period()
  const name = "Science Fiction";
  const fee = 3n * LST + 7n; // an odd fee, so sums mean something
  let cat; // its id
  let k0; // the period of the subscription's block

  /** A fresh wallet holding amount, paid by the developer. */
  async function funded(amount) {
    const w = ethers.Wallet.createRandom().connect(provider);
    await (await dev.sendTransaction({ to: w.address, value: amount })).wait(1, 20_000);
    return w;
  }

  const timeOf = async (rc) => BigInt((await provider.getBlock(rc.blockNumber)).timestamp);
  const balances = () => Promise.all([reader, other, fnd].map((w) => provider.getBalance(w.address)).concat(provider.getBalance(SUBSCRIPTION)));

  before(async () => {
    chain = startChain();
    provider = new ethers.JsonRpcProvider(chain.rpc, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    dev = new ethers.Wallet(chain.developer.privateKey, provider);
    fnd = new ethers.Wallet(chain.foundation.privateKey, provider);
    sub = new ethers.Contract(SUBSCRIPTION, ABI, provider);
    reader = await funded(100n * LST);
    other = await funded(100n * LST);
  });

  after(() => {
    provider?.destroy();
    chain?.stop();
  });

  it("period(), periodOf() and periodStart() agree with an independent model of the genesis period", async () => {
    const p = await sub.period();
    len = p[3]; // "length": a Result is an Array, so p.length is its size, not the output of that name
    const genesis = JSON.parse(fs.readFileSync(path.join(chain.home, "genesis.json"), "utf8"));
    assert.equal(len, BigInt(genesis.subscription_period ?? 0), "length is the genesis subscription_period");
    const now = BigInt((await provider.getBlock("latest")).timestamp);
    // the current period holds the latest block's time (a block later it may have moved on, rarely)
    assert.ok(p.current === periodOf(len, now) || p.current === periodOf(len, now) + 1n, `current ${p.current} at ${now}`);
    assert.equal(p.start, periodStart(len, p.current));
    assert.equal(p.end, periodStart(len, p.current + 1n));
    assert.ok(p.start <= now + 5n && now < p.end + 5n);
    // boundaries: a period's first and last second, a leap February, December into January
    const times = [0n, 1n, 86399n, 1709251199n /* 2024-02-29 23:59:59 */, 1709251200n /* 2024-03-01 */,
      1798761599n /* 2026-12-31 23:59:59 */, 1798761600n /* 2027-01-01 */, now];
    for (const t of times) {
      const k = periodOf(len, t);
      assert.equal(await sub.periodOf(t), k, `periodOf(${t})`);
      assert.equal(await sub.periodStart(k), periodStart(len, k), `periodStart(${k})`);
      assert.ok(periodStart(len, k) <= t && t < periodStart(len, k + 1n), "the model is a partition");
    }
  });

  it("createCategory: refused for anyone but the foundation, a bad name and a zero fee; nothing is created", async () => {
    const before = await sub.categoryCount();
    await reverts("a category by the developer", () => sub.connect(dev).createCategory(name, fee), "not the foundation");
    await reverts("a category by a reader", () => sub.connect(reader).createCategory.staticCall(name, fee), "not the foundation");
    await reverts("an empty name", () => sub.connect(fnd).createCategory("", fee), "bad category name");
    await reverts("a name of 65 bytes", () => sub.connect(fnd).createCategory("x".repeat(65), fee), "bad category name");
    await reverts("a control character", () => sub.connect(fnd).createCategory("a\nb", fee), "bad category name");
    await reverts("a zero fee", () => sub.connect(fnd).createCategory(name, 0n), "fee must be positive");
    await reverts("a fee of 2^128", () => sub.connect(fnd).createCategory(name, 2n ** 128n), "fee too large");
    // a mined refusal (no estimate first): status 0
    const tx = await sub.connect(dev).createCategory(name, fee, { gasLimit: 300_000n });
    const err = await rejection("wait for a refused createCategory", () => tx.wait(1, 20_000));
    assert.equal(err.code, "CALL_EXCEPTION");
    assert.equal(err.receipt?.status, 0);
    assert.equal(await sub.categoryCount(), before);
    assert.equal(await sub.categoryId(name), 0n);
  });

  it("the foundation creates a category: the id by staticCall, CategoryCreated decoded, the views", async () => {
    const as = sub.connect(fnd);
    const want = (await sub.categoryCount()) + 1n;
    assert.equal(await as.createCategory.staticCall(name, fee), want, "createCategory returns the new id");
    const rc = await (await as.createCategory(name, fee)).wait(1, 20_000);
    assert.equal(rc.status, 1);
    const ev = events(sub, rc);
    assert.deepEqual(ev.map((e) => e.name), ["CategoryCreated"]);
    cat = ev[0].args.id;
    assert.equal(cat, want);
    assert.equal(ev[0].args.name, name);
    assert.equal(ev[0].args.fee, fee);
    assert.equal(await sub.categoryCount(), want);
    assert.equal(await sub.categoryId(name), cat);
    assert.equal(await sub.categoryId("Nobody's Category"), 0n);
    const c = await sub.category(cat);
    assert.deepEqual([c.name, c.fee, c.books, c.members], [name, fee, 0n, 0n]);
    await reverts("category() past the last", () => sub.category(cat + 1n), "no such category");
    // the indexed id filters through eth_getLogs
    const found = await sub.queryFilter(sub.filters.CategoryCreated(cat), 0, "latest");
    assert.equal(found.length, 1);
    assert.equal(found[0].transactionHash, rc.hash);
    // the name is taken now
    await reverts("the same name again", () => as.createCategory(name, fee + 1n), "category exists");
    assert.equal(await sub.categoryCount(), want);
  });

  it("refused subscriptions change nothing: the wrong value, bad months, no such category", async () => {
    const r = sub.connect(reader);
    const before = await balances();
    await reverts("one period's fee for two", () => r.subscribe(cat, 2n, { value: fee }), `fee is ${2n * fee} for 2 months, not ${fee}`);
    await reverts("a Photon too much", () => r.subscribe(cat, 1n, { value: fee + 1n }), `fee is ${fee} for 1 months, not ${fee + 1n}`);
    await reverts("nothing paid", () => r.subscribe(cat, 1n), `fee is ${fee} for 1 months, not 0`);
    await reverts("zero months", () => r.subscribe(cat, 0n, { value: 0n }), "months must be 1 to 120");
    await reverts("121 months", () => r.subscribe(cat, 121n, { value: fee }), "months must be 1 to 120");
    // a value the reader does not have: no data, as the EVM when the value cannot move
    const poor = await rejection("more than the balance", () => r.subscribe(cat, 40n, { value: 40n * fee }));
    assert.equal(poor.code, "CALL_EXCEPTION");
    await reverts("no such category", () => r.subscribe(cat + 1n, 1n, { value: fee }), "no such category");
    await reverts("category 0", () => r.subscribe(0n, 1n, { value: fee }), "no such category");
    // mined with the wrong value (no estimate): status 0, the value back
    const tx = await r.subscribe(cat, 2n, { value: fee, gasLimit: 300_000n });
    const err = await rejection("wait for a refused subscribe", () => tx.wait(1, 20_000));
    assert.equal(err.receipt?.status, 0);
    assert.deepEqual(await balances(), before);
    assert.equal(await sub.isMember(cat, reader.address), false);
    const m = await sub.membership(cat, reader.address);
    assert.deepEqual([m.from, m.until, m.endsAt], [0n, 0n, 0n], "never subscribed: zeros");
    assert.equal((await sub.category(cat)).members, 0n);
  });

  it("a reader subscribes for two periods with value: Subscribed decoded, isMember, membership, the pools", async () => {
    const r = sub.connect(reader);
    const [rb, ob, fb, sb] = await balances();
    const tx = await r.subscribe(cat, 2n, { value: 2n * fee });
    const rc = await tx.wait(1, 20_000);
    assert.equal(rc.status, 1);
    k0 = periodOf(len, await timeOf(rc));
    const ev = events(sub, rc);
    assert.deepEqual(ev.map((e) => e.name), ["Subscribed"]);
    const s = ev[0].args;
    assert.deepEqual([s.category, s.reader, s.from, s.until, s.paid], [cat, reader.address, k0, k0 + 2n, 2n * fee]);
    // fees are charged, nothing else (no gas)
    assert.deepEqual(await balances(), [rb - 2n * fee, ob, fb, sb + 2n * fee]);
    assert.equal(await sub.isMember(cat, reader.address), true);
    assert.equal(await sub.isMember(cat, other.address), false);
    const m = await sub.membership(cat, reader.address);
    assert.deepEqual([m.from, m.until, m.endsAt], [k0, k0 + 2n, periodStart(len, k0 + 2n)]);
    assert.equal((await sub.category(cat)).members, 1n);
    // each period's fee in that period's pool, nothing beyond
    for (const [k, want] of [[k0, fee], [k0 + 1n, fee], [k0 + 2n, 0n]]) {
      const p = await sub.pool(cat, k);
      assert.deepEqual([p.pool, p.pages, p.books, p.settled], [want, 0n, 0n, false], `pool of period ${k}`);
    }
    const found = await sub.queryFilter(sub.filters.Subscribed(cat, reader.address), 0, "latest");
    assert.equal(found.length, 1);
    assert.equal(found[0].transactionHash, rc.hash);
    assert.equal((await sub.queryFilter(sub.filters.Subscribed(cat, other.address), 0, "latest")).length, 0);
  });

  it("a member extends: the new periods follow the span; then cancels: the periods after the current one come back", async () => {
    const r = sub.connect(reader);
    const rc = await (await r.subscribe(cat, 3n, { value: 3n * fee })).wait(1, 20_000);
    const s = events(sub, rc)[0];
    assert.equal(s.name, "Subscribed");
    assert.equal(s.args.until, k0 + 5n, "three more periods after the two");
    assert.equal(s.args.paid, 3n * fee);
    assert.equal((await sub.membership(cat, reader.address)).until, k0 + 5n);
    assert.equal((await sub.pool(cat, k0 + 4n)).pool, fee);
    assert.equal((await sub.category(cat)).members, 1n, "the same reader counts once");
    const [rb, , , sb] = await balances();
    const crc = await (await r.cancel(cat)).wait(1, 20_000);
    const k = periodOf(len, await timeOf(crc));
    const c = events(sub, crc);
    assert.deepEqual(c.map((e) => e.name), ["Cancelled"]);
    const refund = (k0 + 5n - (k + 1n)) * fee;
    assert.deepEqual([c[0].args.category, c[0].args.reader, c[0].args.until, c[0].args.refund], [cat, reader.address, k + 1n, refund]);
    const [rb2, , , sb2] = await balances();
    assert.equal(rb2, rb + refund);
    assert.equal(sb2, sb - refund);
    // a member to the end of the period begun
    assert.equal(await sub.isMember(cat, reader.address), true);
    const m = await sub.membership(cat, reader.address);
    assert.deepEqual([m.until, m.endsAt], [k + 1n, periodStart(len, k + 1n)]);
    assert.equal((await sub.pool(cat, k + 1n)).pool, 0n, "the refunded period's pool is empty");
    await reverts("cancel again", () => r.cancel(cat), `membership already ends with period ${k}`);
    await reverts("cancel by a non-member", () => sub.connect(other).cancel(cat), `not a member of category ${cat}`);
  });

  it("after the cancellation the reader subscribes again: the pools the refund emptied fill again, and blocks go on", async () => {
    const m0 = await sub.membership(cat, reader.address);
    const [rb, , , sb] = await balances();
    const rc = await (await sub.connect(reader).subscribe(cat, 2n, { value: 2n * fee })).wait(1, 20_000);
    assert.equal(rc.status, 1);
    const k = periodOf(len, await timeOf(rc));
    const from = k < m0.until ? m0.until : k; // a member now: the new periods follow the span
    const s = events(sub, rc)[0].args;
    assert.deepEqual([s.from, s.until, s.paid], [from, from + 2n, 2n * fee]);
    assert.deepEqual(await balances().then((b) => [b[0], b[3]]), [rb - 2n * fee, sb + 2n * fee]);
    for (const [p, want] of [[from, fee], [from + 1n, fee], [from + 2n, 0n]]) {
      assert.equal((await sub.pool(cat, p)).pool, want, `pool of period ${p}`);
    }
    assert.equal((await sub.membership(cat, reader.address)).until, from + 2n);
    // the chain is not stuck on the block that held it
    const h = rc.blockNumber;
    const end = Date.now() + 20_000;
    while ((await provider.getBlockNumber()) < h + 2) {
      assert.ok(Date.now() < end, `no block after ${h}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});
