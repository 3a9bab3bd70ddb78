// Independent-client compatibility: ethers v6 (JsonRpcProvider + Wallet)
// against a fresh single-validator `lst-chain daemon`.
//
// One chain per file (started in `before`, stopped in `after`); the tests in
// the describe block run in order and share it.  Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ethers } from "ethers";
import {
  startChain,
  until,
  errorText,
  rejection,
  randomAmount,
  rpcCall,
  CHAIN_ID,
  DEVELOPER_GENESIS,
  FOUNDATION_GENESIS,
  LST,
} from "./chain.mjs";

describe("ethers v6 against lst-chain", () => {
  let chain;
  let provider;
  let dev; // ethers.Wallet of the developer key
  let spent = 0n; // Photons the developer has sent so far (no fees are charged)
  let funded; // { wallet, balance }: a random address funded in test 2

  before(() => {
    chain = startChain();
    // cacheTimeout -1: ethers otherwise answers identical requests made
    // within 250 ms from a cache, so two sends in a row would both get the
    // first eth_getTransactionCount(pending) answer whatever the node says
    // (the usual ethers advice for back-to-back sends: disable it, or use a
    // NonceManager, which would not exercise the node's pending count).
    provider = new ethers.JsonRpcProvider(chain.rpc, undefined, {
      pollingInterval: 100,
      cacheTimeout: -1,
    });
    dev = new ethers.Wallet(chain.developer.privateKey, provider);
    assert.equal(dev.address, chain.developer.address);
  });

  after(() => {
    provider?.destroy();
    chain?.stop();
  });

  /** Send value from the developer to `to`, return the response. */
  const send = (to, value, extra = {}) => dev.sendTransaction({ to, value, ...extra });

  it("1. reads the chain id and blocks", async () => {
    const net = await provider.getNetwork();
    assert.equal(net.chainId, BigInt(CHAIN_ID));
    assert.equal(await provider.send("eth_chainId", []), "0xa1");
    assert.equal(await provider.send("net_version", []), String(CHAIN_ID));

    const b1 = await provider.getBlock("latest");
    assert.ok(b1, "latest block");
    assert.equal(typeof b1.number, "number");
    assert.match(b1.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(b1.baseFeePerGas > 0n, `baseFeePerGas ${b1.baseFeePerGas}`);
    assert.ok(b1.timestamp > 0);

    // the same block by hash
    const byHash = await provider.getBlock(b1.hash);
    assert.equal(byHash.number, b1.number);
    assert.equal(byHash.hash, b1.hash);

    // wait for the next block: it links to b1 and its time is later
    const b2 = await until("a new block", async () => {
      const b = await provider.getBlock(b1.number + 1);
      return b ?? null;
    });
    assert.equal(b2.number, b1.number + 1);
    assert.equal(b2.parentHash, b1.hash);
    assert.notEqual(b2.hash, b1.hash);
    assert.ok(b2.timestamp > b1.timestamp, `timestamp ${b2.timestamp} > ${b1.timestamp}`);
    assert.ok(b2.baseFeePerGas > 0n);
    assert.ok((await provider.getBlockNumber()) >= b2.number);

    // negative: a block that does not exist yet is null
    assert.equal(await provider.getBlock(b2.number + 1_000_000), null);
  });

  it("2. sends LST to a new address, waits for the receipt, reads balances", async () => {
    const to = ethers.Wallet.createRandom().connect(provider);
    const value = randomAmount();
    assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
    assert.equal(await provider.getBalance(to.address), 0n);
    // the foundation was funded too
    assert.equal(await provider.getBalance(chain.foundation.address), FOUNDATION_GENESIS);

    const nonce = await provider.getTransactionCount(dev.address, "latest");
    const tx = await send(to.address, value);
    assert.equal(tx.nonce, nonce);
    assert.equal(tx.chainId, BigInt(CHAIN_ID));
    const rc = await tx.wait(1, 20_000);
    spent += value;
    assert.equal(rc.status, 1);
    assert.equal(rc.hash, tx.hash);
    assert.equal(rc.from, dev.address);
    assert.equal(rc.to, to.address);
    assert.equal(typeof rc.blockNumber, "number");
    const blk = await provider.getBlock(rc.blockNumber);
    assert.equal(rc.blockHash, blk.hash);
    assert.ok(blk.transactions.includes(tx.hash), "the block lists the tx");

    assert.equal(await provider.getBalance(to.address), value);
    assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
    assert.equal(await provider.getTransactionCount(dev.address, "latest"), nonce + 1);
    funded = { wallet: to, balance: value };
  });

  it("3. a second send before the first is mined gets the next nonce", async (t) => {
    // The first tx must still be unmined once the second is accepted; a
    // block may come in between, so try again (a few times) if it did.
    let observed = false;
    for (let attempt = 1; attempt <= 6 && !observed; attempt++) {
      const a = ethers.Wallet.createRandom().address;
      const b = ethers.Wallet.createRandom().address;
      const va = randomAmount();
      const vb = randomAmount();
      const before = await provider.getTransactionCount(dev.address, "latest");
      const tx1 = await send(a, va);
      const tx2 = await send(b, vb);
      const first = await provider.send("eth_getTransactionByHash", [tx1.hash]);
      observed = first.blockNumber === null;
      assert.equal(tx1.nonce, before);
      assert.equal(tx2.nonce, tx1.nonce + 1, "second send got the next nonce");
      const [r1, r2] = await Promise.all([tx1.wait(1, 20_000), tx2.wait(1, 20_000)]);
      spent += va + vb;
      assert.equal(r1.status, 1);
      assert.equal(r2.status, 1);
      assert.ok(r2.blockNumber >= r1.blockNumber);
      assert.equal(await provider.getBalance(a), va);
      assert.equal(await provider.getBalance(b), vb);
      assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
      assert.equal(await provider.getTransactionCount(dev.address, "latest"), before + 2);
      if (!observed) t.diagnostic(`attempt ${attempt}: the first tx was mined before the second was sent`);
    }
    assert.ok(observed, "the second send was accepted while the first was still pending");
  });

  it("4. reusing a nonce fails with \"nonce too low\"", async () => {
    const to = ethers.Wallet.createRandom().address;
    const latest = await provider.getTransactionCount(dev.address, "latest");
    assert.ok(latest >= 3);
    const err = await rejection("send with nonce 0", () =>
      send(to, 1n, { nonce: 0, gasLimit: 21000 }),
    );
    assert.equal(err.code, "NONCE_EXPIRED", `ethers classifies it: ${err.message}`);
    assert.match(errorText(err), /nonce too low/);
    // nothing changed
    assert.equal(await provider.getBalance(to), 0n);
    assert.equal(await provider.getTransactionCount(dev.address, "latest"), latest);
    assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
  });

  it("negative: a tx signed for another chain id is refused", async () => {
    const to = ethers.Wallet.createRandom().address;
    const nonce = await provider.getTransactionCount(dev.address, "pending");
    const fee = await provider.getFeeData();
    const unsigned = {
      type: 2,
      to,
      value: 1n,
      nonce,
      gasLimit: 21000n,
      maxFeePerGas: fee.maxFeePerGas,
      maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
    };
    // type 2 for chain 162
    const raw = await dev.signTransaction({ ...unsigned, chainId: CHAIN_ID + 1 });
    assert.equal(ethers.Transaction.from(raw).chainId, BigInt(CHAIN_ID + 1));
    const err = await rejection("broadcast chain 162 tx", () => provider.broadcastTransaction(raw));
    assert.match(errorText(err), /invalid chain id/);
    // legacy EIP-155 for chain 1
    const rawLegacy = await dev.signTransaction({
      type: 0, to, value: 1n, nonce, gasLimit: 21000n, gasPrice: fee.gasPrice, chainId: 1,
    });
    const err2 = await rejection("broadcast chain 1 legacy tx", () =>
      provider.broadcastTransaction(rawLegacy),
    );
    assert.match(errorText(err2), /invalid chain id/);
    assert.equal(await provider.getBalance(to), 0n);
    assert.equal(await provider.getTransactionCount(dev.address, "pending"), nonce);

    // control: the same tx signed for chain 161 goes through
    const good = await dev.signTransaction({ ...unsigned, chainId: CHAIN_ID });
    const tx = await provider.broadcastTransaction(good);
    const rc = await tx.wait(1, 20_000);
    spent += 1n;
    assert.equal(rc.status, 1);
    assert.equal(await provider.getBalance(to), 1n);
  });

  it("negative: a value above the balance is refused with \"insufficient funds\"", async () => {
    assert.ok(funded, "test 2 funded an address");
    const from = funded.wallet;
    assert.equal(await provider.getBalance(from.address), funded.balance);
    const to = ethers.Wallet.createRandom().address;
    const err = await rejection("send more than the balance", () =>
      from.sendTransaction({ to, value: funded.balance + 1n, gasLimit: 21000 }),
    );
    assert.equal(err.code, "INSUFFICIENT_FUNDS", `ethers classifies it: ${err.message}`);
    assert.match(errorText(err), /insufficient funds/);
    assert.equal(await provider.getBalance(from.address), funded.balance);
    assert.equal(await provider.getBalance(to), 0n);
    assert.equal(await provider.getTransactionCount(from.address, "pending"), 0);

    // control: the whole balance is sendable (no fees are charged)
    const tx = await from.sendTransaction({ to, value: funded.balance, gasLimit: 21000 });
    const rc = await tx.wait(1, 20_000);
    assert.equal(rc.status, 1);
    assert.equal(await provider.getBalance(from.address), 0n);
    assert.equal(await provider.getBalance(to), funded.balance);
  });

  it("negative: contract creation is refused", async () => {
    const nonce = await provider.getTransactionCount(dev.address, "pending");
    // init code that deploys an empty contract
    const data = "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe";
    const err = await rejection("deploy", () =>
      dev.sendTransaction({ to: null, data, gasLimit: 200000 }),
    );
    assert.match(errorText(err), /contract creation is not permitted/);
    assert.equal(await provider.getTransactionCount(dev.address, "pending"), nonce);
    assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
    // ContractFactory.deploy goes the same way
    const factory = new ethers.ContractFactory([], data, dev);
    const err2 = await rejection("ContractFactory.deploy", () => factory.deploy({ gasLimit: 200000 }));
    assert.match(errorText(err2), /contract creation is not permitted/);
  });

  it("eth_getTransactionByHash: pending with blockNumber null, then mined", async () => {
    // A block comes every 200 ms, so the tx may be mined before the first
    // look-up; try a few times to see it pending at least once.
    let seenPending = null;
    for (let i = 0; i < 5 && !seenPending; i++) {
      const to = ethers.Wallet.createRandom().address;
      const value = randomAmount();
      const tx = await send(to, value, { gasLimit: 21000 });
      const raw = await provider.send("eth_getTransactionByHash", [tx.hash]);
      assert.ok(raw, "the node knows the tx it just accepted");
      assert.equal(raw.hash, tx.hash);
      assert.equal(ethers.getAddress(raw.from), dev.address);
      assert.equal(ethers.getAddress(raw.to), to);
      assert.equal(BigInt(raw.value), value);
      assert.equal(Number(BigInt(raw.nonce)), tx.nonce);
      if (raw.blockNumber === null) {
        assert.equal(raw.blockHash, null, "pending: blockHash null");
        assert.equal(raw.transactionIndex, null, "pending: transactionIndex null");
        seenPending = { tx, to, value };
        // ethers sees it as unmined
        const et = await provider.getTransaction(tx.hash);
        assert.ok(et.blockNumber === null || typeof et.blockNumber === "number");
      }
      const rc = await tx.wait(1, 20_000);
      spent += value;
      assert.equal(rc.status, 1);
      const mined = await provider.send("eth_getTransactionByHash", [tx.hash]);
      assert.equal(Number(BigInt(mined.blockNumber)), rc.blockNumber);
      assert.equal(mined.blockHash, rc.blockHash);
      assert.equal(Number(BigInt(mined.transactionIndex)), rc.index);
      const et = await provider.getTransaction(tx.hash);
      assert.equal(et.blockNumber, rc.blockNumber);
      assert.equal(await provider.getBalance(to), value);
    }
    assert.ok(seenPending, "a just-sent tx was seen pending (blockNumber null) at least once");
    // negative: an unknown hash is null
    assert.equal(await provider.send("eth_getTransactionByHash", [ethers.hexlify(ethers.randomBytes(32))]), null);
    assert.equal(await provider.getTransactionReceipt(ethers.hexlify(ethers.randomBytes(32))), null);
  });

  it("eth_getTransactionCount: pending >= latest", async () => {
    const to = ethers.Wallet.createRandom().address;
    const value = randomAmount();
    const tx = await send(to, value, { gasLimit: 21000 });
    const [latest, pending] = await Promise.all([
      provider.getTransactionCount(dev.address, "latest"),
      provider.getTransactionCount(dev.address, "pending"),
    ]);
    assert.ok(pending >= latest, `pending ${pending} >= latest ${latest}`);
    assert.ok(pending >= tx.nonce + 1, "pending counts the accepted tx");
    await tx.wait(1, 20_000);
    spent += value;
    const after = await provider.getTransactionCount(dev.address, "latest");
    assert.equal(after, tx.nonce + 1);
    assert.equal(await provider.getTransactionCount(dev.address, "pending"), after);
    // supply is conserved: no fees, no rewards
    assert.equal(await provider.getBalance(dev.address), DEVELOPER_GENESIS - spent);
    assert.ok(spent > 0n && spent < 100n * LST);
  });
});
