// Independent-client compatibility: viem (public + wallet client, local
// account from privateKeyToAccount, defineChain for chain 161) against a
// fresh single-validator `lst-chain daemon`.
//
// One chain per file (started in `before`, stopped in `after`); the tests in
// the describe block run in order and share it.  Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isAddressEqual,
  BaseError,
  NonceTooLowError,
} from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
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

const randomAddress = () => privateKeyToAccount(generatePrivateKey()).address;

describe("viem against lst-chain", () => {
  let chain;
  let lst; // the viem chain definition
  let pub; // public client (JSON-RPC batches on)
  let wallet; // wallet client of the developer key
  let account;
  let spent = 0n;

  before(() => {
    chain = startChain();
    lst = defineChain({
      id: CHAIN_ID,
      name: "Lightstreams dev",
      nativeCurrency: { name: "Lightstreams", symbol: "LST", decimals: 18 },
      rpcUrls: { default: { http: [chain.rpc] } },
    });
    account = privateKeyToAccount(chain.developer.privateKey);
    assert.equal(account.address, chain.developer.address);
    pub = createPublicClient({
      chain: lst,
      transport: http(chain.rpc, { batch: true }),
      pollingInterval: 100,
    });
    wallet = createWalletClient({
      account,
      chain: lst,
      transport: http(chain.rpc),
      pollingInterval: 100,
    });
  });

  after(() => {
    chain?.stop();
  });

  const waitOk = async (hash) => {
    const rc = await pub.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 20_000 });
    assert.equal(rc.status, "success", `receipt of ${hash}`);
    return rc;
  };

  it("1. reads the chain id and blocks", async () => {
    assert.equal(await pub.getChainId(), CHAIN_ID);
    assert.equal(await wallet.getChainId(), CHAIN_ID);

    const b1 = await pub.getBlock({ blockTag: "latest" });
    assert.equal(typeof b1.number, "bigint");
    assert.match(b1.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(b1.baseFeePerGas > 0n, `baseFeePerGas ${b1.baseFeePerGas}`);
    assert.ok(b1.timestamp > 0n);

    const byHash = await pub.getBlock({ blockHash: b1.hash });
    assert.equal(byHash.number, b1.number);
    assert.equal(byHash.hash, b1.hash);

    const b2 = await until("a new block", async () => {
      if ((await pub.getBlockNumber({ cacheTime: 0 })) <= b1.number) return null;
      return pub.getBlock({ blockNumber: b1.number + 1n });
    });
    assert.equal(b2.number, b1.number + 1n);
    assert.equal(b2.parentHash, b1.hash);
    assert.ok(b2.timestamp > b1.timestamp, `timestamp ${b2.timestamp} > ${b1.timestamp}`);
    assert.ok(b2.baseFeePerGas > 0n);

    // fee helpers work on this chain (type 2 fees from the block base fee)
    const fees = await pub.estimateFeesPerGas();
    assert.ok(fees.maxFeePerGas > 0n && fees.maxPriorityFeePerGas > 0n);
    assert.ok((await pub.getGasPrice()) > 0n);

    // negative: a block far in the future does not exist
    await rejection("future block", () => pub.getBlock({ blockNumber: b2.number + 1_000_000n }));
  });

  it("2. sends LST to a new address, waits for the receipt, reads balances", async () => {
    const to = randomAddress();
    const value = randomAmount();
    assert.equal(await pub.getBalance({ address: account.address }), DEVELOPER_GENESIS - spent);
    assert.equal(await pub.getBalance({ address: to }), 0n);
    const nonce = await pub.getTransactionCount({ address: account.address });

    const hash = await wallet.sendTransaction({ to, value });
    const rc = await waitOk(hash);
    spent += value;
    assert.equal(rc.transactionHash, hash);
    assert.ok(isAddressEqual(rc.from, account.address), `receipt from ${rc.from}`);
    assert.ok(isAddressEqual(rc.to, to), `receipt to ${rc.to}`);
    const tx = await pub.getTransaction({ hash });
    assert.equal(tx.nonce, nonce);
    assert.equal(tx.value, value);
    assert.equal(tx.blockNumber, rc.blockNumber);
    assert.equal(tx.type, "eip1559", "viem sends type 2 on a chain with a base fee");
    const blk = await pub.getBlock({ blockNumber: rc.blockNumber });
    assert.equal(blk.hash, rc.blockHash);
    assert.ok(blk.transactions.includes(hash));

    assert.equal(await pub.getBalance({ address: to }), value);
    assert.equal(await pub.getBalance({ address: account.address }), DEVELOPER_GENESIS - spent);
    assert.equal(await pub.getTransactionCount({ address: account.address }), nonce + 1);
  });

  it("3. a second send before the first is mined gets the next nonce", async (t) => {
    // The first tx must still be unmined once the second is accepted; a
    // block may come in between, so try again (a few times) if it did.
    let observed = false;
    for (let attempt = 1; attempt <= 6 && !observed; attempt++) {
      const a = randomAddress();
      const b = randomAddress();
      const va = randomAmount();
      const vb = randomAmount();
      const before = await pub.getTransactionCount({ address: account.address });
      const h1 = await wallet.sendTransaction({ to: a, value: va });
      const h2 = await wallet.sendTransaction({ to: b, value: vb });
      const first = await rpcCall(chain.rpc, "eth_getTransactionByHash", [h1]);
      observed = first.blockNumber === null;
      const [r1, r2] = await Promise.all([waitOk(h1), waitOk(h2)]);
      spent += va + vb;
      const [t1, t2] = await Promise.all([pub.getTransaction({ hash: h1 }), pub.getTransaction({ hash: h2 })]);
      assert.equal(t1.nonce, before);
      assert.equal(t2.nonce, before + 1, "second send got the next nonce");
      assert.ok(r2.blockNumber >= r1.blockNumber);
      assert.equal(await pub.getBalance({ address: a }), va);
      assert.equal(await pub.getBalance({ address: b }), vb);
      assert.equal(await pub.getBalance({ address: account.address }), DEVELOPER_GENESIS - spent);
      assert.equal(await pub.getTransactionCount({ address: account.address }), before + 2);
      if (!observed) t.diagnostic(`attempt ${attempt}: the first tx was mined before the second was sent`);
    }
    assert.ok(observed, "the second send was accepted while the first was still pending");
  });

  it("4. reusing a nonce fails with \"nonce too low\"", async () => {
    const to = randomAddress();
    const latest = await pub.getTransactionCount({ address: account.address });
    assert.ok(latest >= 3);
    const err = await rejection("send with nonce 0", () =>
      wallet.sendTransaction({ to, value: 1n, nonce: 0 }),
    );
    assert.ok(err instanceof BaseError, `a viem error: ${err}`);
    assert.ok(
      err.walk((e) => e instanceof NonceTooLowError),
      `viem classifies it as NonceTooLowError: ${err.message}`,
    );
    assert.match(errorText(err), /nonce too low/);
    assert.equal(await pub.getBalance({ address: to }), 0n);
    assert.equal(await pub.getTransactionCount({ address: account.address }), latest);
    assert.equal(await pub.getBalance({ address: account.address }), DEVELOPER_GENESIS - spent);
  });
});
