// Independent-client compatibility: web3.js v4 (accounts.wallet.add +
// eth.sendTransaction over HTTP) against a fresh single-validator
// `lst-chain daemon`.
//
// One chain per file (started in `before`, stopped in `after`); the tests in
// the describe block run in order and share it.  Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Web3 } from "web3";
import {
  startChain,
  until,
  errorText,
  rejection,
  randomAmount,
  rpcCall,
  CHAIN_ID,
  DEVELOPER_GENESIS,
} from "./chain.mjs";

describe("web3 v4 against lst-chain", () => {
  let chain;
  let web3;
  let from; // the developer address, as web3's wallet has it
  let spent = 0n;

  before(() => {
    chain = startChain();
    web3 = new Web3({
      provider: chain.rpc,
      config: {
        transactionPollingInterval: 100,
        transactionPollingTimeout: 20_000,
        transactionSendTimeout: 20_000,
      },
    });
    const w = web3.eth.accounts.wallet.add(chain.developer.privateKey);
    from = w[0].address;
    assert.equal(web3.utils.toChecksumAddress(from), chain.developer.address);
    assert.equal(web3.eth.transactionPollingInterval, 100);
  });

  after(() => {
    web3?.eth.accounts.wallet.clear();
    chain?.stop();
  });

  const newAddress = () => web3.eth.accounts.create().address;

  /** Start a send; resolve {hash, receipt} where receipt is a promise. */
  const startSend = (tx) =>
    new Promise((resolve, reject) => {
      const pe = web3.eth.sendTransaction({ from, ...tx });
      pe.once("transactionHash", (hash) => resolve({ hash, receipt: pe }));
      pe.catch(reject);
    });

  it("1. reads the chain id and blocks", async () => {
    assert.equal(await web3.eth.getChainId(), BigInt(CHAIN_ID));
    assert.equal(await web3.eth.net.getId(), BigInt(CHAIN_ID));

    const b1 = await web3.eth.getBlock("latest");
    assert.equal(typeof b1.number, "bigint");
    assert.match(b1.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(b1.baseFeePerGas > 0n, `baseFeePerGas ${b1.baseFeePerGas}`);
    assert.ok(b1.timestamp > 0n);

    const byHash = await web3.eth.getBlock(b1.hash);
    assert.equal(byHash.number, b1.number);
    assert.equal(byHash.hash, b1.hash);

    const b2 = await until("a new block", async () => {
      if ((await web3.eth.getBlockNumber()) <= b1.number) return null;
      return web3.eth.getBlock(b1.number + 1n);
    });
    assert.equal(b2.number, b1.number + 1n);
    assert.equal(b2.parentHash, b1.hash);
    assert.ok(b2.timestamp > b1.timestamp, `timestamp ${b2.timestamp} > ${b1.timestamp}`);
    assert.ok(b2.baseFeePerGas > 0n);
    assert.ok((await web3.eth.getGasPrice()) > 0n);
  });

  it("2. sends LST to a new address, waits for the receipt, reads balances", async () => {
    const to = newAddress();
    const value = randomAmount();
    assert.equal(await web3.eth.getBalance(from), DEVELOPER_GENESIS - spent);
    assert.equal(await web3.eth.getBalance(to), 0n);
    const nonce = await web3.eth.getTransactionCount(from, "latest");

    const rc = await web3.eth.sendTransaction({ from, to, value });
    spent += value;
    assert.equal(rc.status, 1n, "receipt status success");
    assert.equal(rc.from.toLowerCase(), from.toLowerCase());
    assert.equal(rc.to.toLowerCase(), to.toLowerCase());
    const tx = await web3.eth.getTransaction(rc.transactionHash);
    assert.equal(tx.nonce, nonce);
    assert.equal(tx.value, value);
    assert.equal(tx.blockNumber, rc.blockNumber);
    assert.equal(tx.type, 2n, "web3 sends type 2 on a chain with a base fee");
    const blk = await web3.eth.getBlock(rc.blockNumber);
    assert.equal(blk.hash, rc.blockHash);
    assert.ok(blk.transactions.includes(rc.transactionHash));

    assert.equal(await web3.eth.getBalance(to), value);
    assert.equal(await web3.eth.getBalance(from), DEVELOPER_GENESIS - spent);
    assert.equal(await web3.eth.getTransactionCount(from, "latest"), nonce + 1n);
  });

  it("3. a second send before the first is mined gets the next nonce", async (t) => {
    // web3 v4 fills the nonce from eth_getTransactionCount(from, defaultBlock)
    // and defaultBlock is "latest", so out of the box a second send before
    // the first is mined reuses the first nonce (web3/web3.js#7175, open).
    // The client-side remedy is defaultBlock "pending", which makes web3 ask
    // the node for its pending count: that is what this test checks.  The
    // wallet signs with the root Web3 context (web3/accounts.js), so the
    // nonce comes from web3.defaultBlock, not web3.eth.defaultBlock.
    //
    // The first tx must still be unmined once the second is accepted; a
    // block may come in between, so try again (a few times) if it did.
    let observed = false;
    for (let attempt = 1; attempt <= 6 && !observed; attempt++) {
      const a = newAddress();
      const b = newAddress();
      const va = randomAmount();
      const vb = randomAmount();
      const before = await web3.eth.getTransactionCount(from, "latest");
      assert.equal(web3.defaultBlock, "latest");
      web3.defaultBlock = "pending";
      web3.eth.defaultBlock = "pending";
      let s1, s2;
      try {
        s1 = await startSend({ to: a, value: va });
        s2 = await startSend({ to: b, value: vb });
      } finally {
        web3.defaultBlock = "latest";
        web3.eth.defaultBlock = "latest";
      }
      const first = await rpcCall(chain.rpc, "eth_getTransactionByHash", [s1.hash]);
      observed = first.blockNumber === null;
      const [r1, r2] = await Promise.all([s1.receipt, s2.receipt]);
      spent += va + vb;
      assert.equal(r1.status, 1n);
      assert.equal(r2.status, 1n);
      const [t1, t2] = await Promise.all([
        web3.eth.getTransaction(s1.hash),
        web3.eth.getTransaction(s2.hash),
      ]);
      assert.equal(t1.nonce, before);
      assert.equal(t2.nonce, before + 1n, "second send got the next nonce");
      assert.ok(r2.blockNumber >= r1.blockNumber);
      assert.equal(await web3.eth.getBalance(a), va);
      assert.equal(await web3.eth.getBalance(b), vb);
      assert.equal(await web3.eth.getBalance(from), DEVELOPER_GENESIS - spent);
      assert.equal(await web3.eth.getTransactionCount(from, "latest"), before + 2n);
      if (!observed) t.diagnostic(`attempt ${attempt}: the first tx was mined before the second was sent`);
    }
    assert.ok(observed, "the second send was accepted while the first was still pending");
  });

  it("4. reusing a nonce fails with \"nonce too low\"", async () => {
    const to = newAddress();
    const latest = await web3.eth.getTransactionCount(from, "latest");
    assert.ok(latest >= 3n);
    const err = await rejection("send with nonce 0", () =>
      web3.eth.sendTransaction({ from, to, value: 1n, nonce: 0n }),
    );
    assert.match(errorText(err), /nonce too low/);
    assert.equal(await web3.eth.getBalance(to), 0n);
    assert.equal(await web3.eth.getTransactionCount(from, "latest"), latest);
    assert.equal(await web3.eth.getBalance(from), DEVELOPER_GENESIS - spent);
  });
});
