// ethers.Contract against the native LST token contract of a running
// lst-chain: the ABI in contracts/token.abi.json, calls, transactions,
// events through eth_getLogs, and reverts that ethers decodes.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";
import { startChain, errorText, LST, DEVELOPER_GENESIS, FOUNDATION_GENESIS } from "./chain.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ABI = JSON.parse(fs.readFileSync(path.join(here, "../../contracts/token.abi.json"), "utf8"));
const TOKEN = "0x4c53540000000000000000000000000000000001";

describe("ethers.Contract against the native LST token", () => {
  let chain, provider, dev, fnd, token;

  before(() => {
    chain = startChain();
    provider = new ethers.JsonRpcProvider(chain.rpc, undefined, { pollingInterval: 100, cacheTimeout: -1 });
    dev = new ethers.Wallet(chain.developer.privateKey, provider);
    fnd = new ethers.Wallet(chain.foundation.privateKey, provider);
    token = new ethers.Contract(TOKEN, ABI, dev);
  });

  after(() => {
    provider?.destroy();
    chain?.stop();
  });

  it("reads name, symbol, decimals, supply and balances", async () => {
    assert.equal(await token.name(), "Lightstreams Token");
    assert.equal(await token.symbol(), "LST");
    assert.equal(await token.decimals(), 18n);
    assert.equal(await token.totalSupply(), DEVELOPER_GENESIS + FOUNDATION_GENESIS);
    assert.equal(await token.balanceOf(dev.address), await provider.getBalance(dev.address));
    assert.notEqual(await provider.getCode(TOKEN), "0x");
  });

  it("transfer moves native LST and emits Transfer", async () => {
    const to = ethers.Wallet.createRandom().address;
    const tx = await token.transfer(to, 5n * LST);
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    assert.equal(await provider.getBalance(to), 5n * LST);
    const ev = rc.logs.map((l) => token.interface.parseLog(l)).find((e) => e?.name === "Transfer");
    assert.ok(ev, "a Transfer event in the receipt");
    assert.equal(ev.args.from, dev.address);
    assert.equal(ev.args.to, to);
    assert.equal(ev.args.value, 5n * LST);
    const found = await token.queryFilter(token.filters.Transfer(null, to), 0, "latest");
    assert.equal(found.length, 1);
    assert.equal(found[0].transactionHash, rc.hash);
  });

  it("a transfer beyond the balance reverts with its reason, and nothing moves", async () => {
    const poor = ethers.Wallet.createRandom().connect(provider);
    const before = await provider.getBalance(fnd.address);
    await assert.rejects(token.connect(poor).transfer.staticCall(fnd.address, 1n), (e) => {
      assert.match(errorText(e), /insufficient balance/);
      return true;
    });
    assert.equal(await provider.getBalance(fnd.address), before);
  });

  it("approve, allowance and transferFrom", async () => {
    const spender = ethers.Wallet.createRandom().address;
    await (await token.approve(fnd.address, 3n * LST)).wait();
    assert.equal(await token.allowance(dev.address, fnd.address), 3n * LST);
    const asFnd = token.connect(fnd);
    await (await asFnd.transferFrom(dev.address, spender, 2n * LST)).wait();
    assert.equal(await provider.getBalance(spender), 2n * LST);
    assert.equal(await token.allowance(dev.address, fnd.address), 1n * LST);
    await assert.rejects(asFnd.transferFrom.staticCall(dev.address, spender, 2n * LST), (e) => {
      assert.match(errorText(e), /insufficient allowance/);
      return true;
    });
  });

  it("eth_call of a transfer changes nothing on chain", async () => {
    const to = ethers.Wallet.createRandom().address;
    assert.equal(await token.transfer.staticCall(to, 1n), true);
    assert.equal(await provider.getBalance(to), 0n);
  });
});
