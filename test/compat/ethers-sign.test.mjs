// Independent-client compatibility: lst-sign against ethers v6.
//
// Every test runs lst-sign in a fresh temporary LST_HOME (removed afterwards)
// and checks what it produces with ethers, and what ethers produces with it.
// The binary is found through LST_BIN_DIR (default: ../../build/bin relative
// to this file).  Run with test/compat/run.sh or `node --test`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";

const here = path.dirname(fileURLToPath(import.meta.url));
const binDir = process.env.LST_BIN_DIR
  ? path.resolve(process.env.LST_BIN_DIR)
  : path.resolve(here, "../../build/bin");
const LST_SIGN = path.join(binDir, "lst-sign");

// Exit codes of lst-sign used below.
const EXIT_BAD_SIG = 4; // a signature or password that does not check out
const EXIT_BAD_TX = 6; // a raw transaction that is refused

// A well-known test key (web3.js docs); never holds anything.
const KNOWN_PK =
  "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const KNOWN_ADDR = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";

const TO = "0x3535353535353535353535353535353535353535";

// ---------------------------------------------------------------- helpers

/** A fresh LST_HOME for test context t, removed when the test ends. */
function freshHome(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lst-compat-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Write a file inside dir and return its path. */
function writeFile(dir, name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
}

/** Run lst-sign; returns {status, stdout, stderr}. */
function lst(home, args, input) {
  const r = spawnSync(LST_SIGN, args, {
    input: input ?? "",
    encoding: "utf8",
    env: { ...process.env, LST_HOME: home },
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return r;
}

/** Run lst-sign, require exit 0, parse stdout as one JSON value. */
function lstJSON(home, args, input) {
  const r = lst(home, args, input);
  assert.equal(
    r.status,
    0,
    `lst-sign ${args.join(" ")} exited ${r.status}: ${r.stderr}`,
  );
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    assert.fail(`lst-sign ${args.join(" ")}: stdout is not JSON: ${r.stdout}`);
  }
}

/** Import a hex private key (unencrypted store) under a name. */
function importHex(home, pk, name = "k") {
  const out = lstJSON(
    home,
    ["import", "--insecure-plaintext-key", "--name", name],
    pk.replace(/^0x/, "") + "\n",
  );
  return out;
}

/** lst-sign tx JSON (snake_case) -> ethers TransactionLike. */
function toEthersTx(j) {
  const tx = {
    type: j.type ?? 0,
    chainId: BigInt(j.chain_id),
    nonce: Number(BigInt(j.nonce)),
    to: j.to ?? null,
    value: BigInt(j.value ?? 0),
    data: j.data ?? "0x",
    gasLimit: BigInt(j.gas),
  };
  if (tx.type === 2) {
    tx.maxFeePerGas = BigInt(j.max_fee_per_gas);
    tx.maxPriorityFeePerGas = BigInt(j.max_priority_fee_per_gas);
  } else {
    tx.gasPrice = BigInt(j.gas_price);
  }
  if (tx.type === 1 || tx.type === 2) {
    tx.accessList = (j.access_list ?? []).map((e) => ({
      address: e.address,
      storageKeys: e.storage_keys,
    }));
  }
  return tx;
}

/** ethers Transaction -> lst-sign tx JSON (quantities as decimal strings). */
function toLstTx(tx) {
  const j = {
    type: tx.type ?? 0,
    chain_id: String(tx.chainId),
    nonce: String(tx.nonce),
    value: String(tx.value ?? 0n),
    data: tx.data ?? "0x",
    gas: String(tx.gasLimit),
  };
  if (tx.to != null) j.to = tx.to;
  if (j.type === 2) {
    j.max_fee_per_gas = String(tx.maxFeePerGas);
    j.max_priority_fee_per_gas = String(tx.maxPriorityFeePerGas);
  } else {
    j.gas_price = String(tx.gasPrice);
  }
  if (j.type === 1 || j.type === 2) {
    j.access_list = (tx.accessList ?? []).map((e) => ({
      address: e.address,
      storage_keys: e.storageKeys,
    }));
  }
  return j;
}

const lc = (s) => (s == null ? s : s.toLowerCase());

/** Assert an ethers-parsed Transaction carries the fields of lst JSON j. */
function assertSameFields(parsed, j) {
  const want = toEthersTx(j);
  assert.equal(parsed.type, want.type, "type");
  assert.equal(parsed.chainId, want.chainId, "chainId");
  assert.equal(BigInt(parsed.nonce), BigInt(want.nonce), "nonce");
  assert.equal(lc(parsed.to), lc(want.to), "to");
  assert.equal(parsed.value, want.value, "value");
  assert.equal(lc(parsed.data), lc(want.data), "data");
  assert.equal(parsed.gasLimit, want.gasLimit, "gasLimit");
  if (want.type === 2) {
    assert.equal(parsed.maxFeePerGas, want.maxFeePerGas, "maxFeePerGas");
    assert.equal(
      parsed.maxPriorityFeePerGas,
      want.maxPriorityFeePerGas,
      "maxPriorityFeePerGas",
    );
  } else {
    assert.equal(parsed.gasPrice, want.gasPrice, "gasPrice");
  }
  if (want.accessList) {
    assert.deepEqual(
      parsed.accessList.map((e) => ({
        address: lc(e.address),
        storageKeys: e.storageKeys.map(lc),
      })),
      want.accessList.map((e) => ({
        address: lc(e.address),
        storageKeys: e.storageKeys.map(lc),
      })),
      "accessList",
    );
  }
}

/** Assert lst-sign decode output d carries the fields of ethers Transaction tx. */
function assertDecodedFields(d, tx) {
  assert.equal(Number(d.type ?? 0), tx.type, "type");
  assert.equal(BigInt(d.chain_id), tx.chainId, "chain_id");
  assert.equal(BigInt(d.nonce), BigInt(tx.nonce), "nonce");
  assert.equal(lc(d.to ?? null), lc(tx.to), "to");
  assert.equal(BigInt(d.value), tx.value, "value");
  assert.equal(lc(d.data), lc(tx.data), "data");
  assert.equal(BigInt(d.gas), tx.gasLimit, "gas");
  if (tx.type === 2) {
    assert.equal(BigInt(d.max_fee_per_gas), tx.maxFeePerGas, "max_fee_per_gas");
    assert.equal(
      BigInt(d.max_priority_fee_per_gas),
      tx.maxPriorityFeePerGas,
      "max_priority_fee_per_gas",
    );
  } else {
    assert.equal(BigInt(d.gas_price), tx.gasPrice, "gas_price");
  }
  if (tx.type === 1 || tx.type === 2) {
    assert.deepEqual(
      (d.access_list ?? []).map((e) => ({
        address: lc(e.address),
        storageKeys: e.storage_keys.map(lc),
      })),
      tx.accessList.map((e) => ({
        address: lc(e.address),
        storageKeys: e.storageKeys.map(lc),
      })),
      "access_list",
    );
  }
  assert.equal(lc(d.r), lc(tx.signature.r), "r");
  assert.equal(lc(d.s), lc(tx.signature.s), "s");
}

/**
 * Flip the low bit of the last byte of s in a signed raw tx.  For every
 * encoding lst and ethers produce, s is the last RLP item and a full 32-byte
 * string (or shorter, but always last), so the last byte of raw is in s.
 */
function tamperS(raw) {
  const b = ethers.getBytes(raw);
  const c = Uint8Array.from(b);
  c[c.length - 1] ^= 0x01;
  return ethers.hexlify(c);
}

/** Set the top bit of s (makes it >= n/2: non-canonical per EIP-2). */
function highS(raw) {
  const tx = ethers.Transaction.from(raw);
  const n = ethers.N;
  const s = n - BigInt(tx.signature.s);
  const yParity = tx.signature.yParity ^ 1;
  // rebuild the signed payload with s' = n - s and flipped parity: same
  // signer, but malleated (high-s) signature.
  const u = tx.unsignedSerialized;
  const fields = ethers.decodeRlp(
    tx.type === 0 ? u : ethers.dataSlice(u, 1),
  );
  let v;
  if (tx.type === 0) {
    v = ethers.toBeArray(tx.chainId * 2n + 35n + BigInt(yParity));
    fields.splice(6, 3); // drop EIP-155 chainId,0,0
  } else {
    v = yParity === 0 ? "0x" : "0x01";
  }
  const body = ethers.encodeRlp([
    ...fields,
    ethers.hexlify(v),
    ethers.toBeHex(BigInt(tx.signature.r)),
    ethers.toBeHex(s),
  ]);
  return tx.type === 0 ? body : ethers.concat([ethers.toBeHex(tx.type, 1), body]);
}

// ------------------------------------------------------------- fixtures

const LEGACY = {
  chain_id: 1,
  nonce: 7,
  to: TO,
  value: "1000000000000000000",
  data: "0x",
  gas: 21000,
  gas_price: "20000000000",
};

const LEGACY_DATA = {
  chain_id: "0x2a",
  nonce: "0x0",
  to: "0x1111111111111111111111111111111111111111",
  value: 0,
  // ERC-20 transfer(0x3535..35, 1000)
  data:
    "0xa9059cbb" +
    "0000000000000000000000003535353535353535353535353535353535353535" +
    "00000000000000000000000000000000000000000000000000000000000003e8",
  gas: 60000,
  gas_price: "0x3b9aca00",
};

const TYPE2 = {
  type: 2,
  chain_id: 8453,
  nonce: 300,
  to: TO,
  value: "12345678901234567890",
  data: "0xdeadbeef",
  gas: "90000",
  max_fee_per_gas: "30000000000",
  max_priority_fee_per_gas: "0x3b9aca00",
  access_list: [
    {
      address: "0x1111111111111111111111111111111111111111",
      storage_keys: [
        "0x0000000000000000000000000000000000000000000000000000000000000001",
        "0x00000000000000000000000000000000000000000000000000000000000000ff",
      ],
    },
    { address: "0x2222222222222222222222222222222222222222", storage_keys: [] },
  ],
};

// Contract creation (no `to`), big values, zero nonce.
const CREATE = {
  chain_id: 1337,
  nonce: 0,
  value: "0",
  data: "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe",
  gas: 200000,
  gas_price: 1,
};

const CASES = [
  ["legacy EIP-155", LEGACY],
  ["legacy with data", LEGACY_DATA],
  ["type 2 with access list", TYPE2],
  ["legacy contract creation", CREATE],
];

// ---------------------------------------------------------------- tests

test("lst-sign binary is present", () => {
  assert.ok(
    fs.existsSync(LST_SIGN),
    `${LST_SIGN} not found (build with make, or set LST_BIN_DIR)`,
  );
});

// 1. lst-sign signs, ethers parses and re-signs byte-identically.
for (const [name, txj] of CASES) {
  test(`1. ${name}: signed by lst-sign (keygen key), parsed by ethers`, (t) => {
    const home = freshHome(t);
    const key = lstJSON(home, ["keygen", "--insecure-plaintext-key", "--name", "gen"]);
    assert.match(key.address, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(key.address, ethers.getAddress(key.address), "EIP-55 checksum");
    assert.equal(ethers.computeAddress(key.public_key), key.address);

    const out = lstJSON(home, ["sign", "--from", "gen"], JSON.stringify(txj));
    assert.equal(out.from, key.address);

    const parsed = ethers.Transaction.from(out.raw);
    assert.equal(parsed.from, key.address, "from");
    assert.equal(parsed.hash, out.hash, "hash");
    assert.equal(ethers.keccak256(out.raw), out.hash, "hash = keccak(raw)");
    assertSameFields(parsed, txj);

    // negative: the same tx with another nonce has another hash, and a
    // tampered s no longer recovers to the signer
    const other = lstJSON(
      home,
      ["sign", "--from", "gen"],
      JSON.stringify({ ...txj, nonce: Number(BigInt(txj.nonce)) + 1 }),
    );
    assert.notEqual(other.hash, out.hash);
    assert.equal(ethers.Transaction.from(other.raw).nonce, Number(BigInt(txj.nonce)) + 1);
    let tamperedFrom = null;
    try {
      tamperedFrom = ethers.Transaction.from(tamperS(out.raw)).from;
    } catch {
      tamperedFrom = "(refused)";
    }
    assert.notEqual(tamperedFrom, key.address);
  });

  test(`1. ${name}: known key, lst-sign raw == ethers Wallet.signTransaction raw`, async (t) => {
    const home = freshHome(t);
    const imp = importHex(home, KNOWN_PK);
    assert.equal(imp.address, KNOWN_ADDR);

    const out = lstJSON(home, ["sign", "--from", KNOWN_ADDR], JSON.stringify(txj));
    const wallet = new ethers.Wallet(KNOWN_PK);
    const raw = await wallet.signTransaction(toEthersTx(txj));
    assert.equal(out.raw, raw, "byte-identical raw (RFC 6979, low s)");
    assert.equal(out.hash, ethers.Transaction.from(raw).hash);
    assert.equal(out.from, wallet.address);

    // negative: ethers signing a different tx (value + 1, or another
    // chain) gives a different raw
    const diff = await wallet.signTransaction({
      ...toEthersTx(txj),
      value: BigInt(txj.value) + 1n,
    });
    assert.notEqual(out.raw, diff);
    const otherChain = await wallet.signTransaction({
      ...toEthersTx(txj),
      chainId: BigInt(txj.chain_id) + 1n,
    });
    assert.notEqual(out.raw, otherChain);
  });
}

test("1. quantities as integers, decimal strings and 0x strings sign the same", async (t) => {
  const home = freshHome(t);
  importHex(home, KNOWN_PK);
  const forms = [
    { ...LEGACY, nonce: 7, gas: 21000, gas_price: 20000000000, chain_id: 1 },
    { ...LEGACY, nonce: "7", gas: "21000", gas_price: "20000000000", chain_id: "1" },
    { ...LEGACY, nonce: "0x7", gas: "0x5208", gas_price: "0x4a817c800", chain_id: "0x1",
      value: "0xde0b6b3a7640000" },
  ];
  const want = await new ethers.Wallet(KNOWN_PK).signTransaction(toEthersTx(LEGACY));
  for (const f of forms) {
    assert.equal(lstJSON(home, ["sign"], JSON.stringify(f)).raw, want, JSON.stringify(f));
  }
  // negative: a different gas price is a different tx
  const r = lstJSON(home, ["sign"], JSON.stringify({ ...LEGACY, gas_price: "20000000001" }));
  assert.notEqual(r.raw, want);
});

test("1. --batch: each JSON line signs like ethers", async (t) => {
  const home = freshHome(t);
  importHex(home, KNOWN_PK);
  const wallet = new ethers.Wallet(KNOWN_PK);
  const txs = [0, 1, 2, 3, 4].map((n) =>
    n % 2 ? { ...TYPE2, nonce: n } : { ...LEGACY, nonce: n },
  );
  const r = lst(home, ["sign", "--batch", "--from", "k"], txs.map((x) => JSON.stringify(x)).join("\n") + "\n");
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, txs.length);
  for (let i = 0; i < txs.length; i++) {
    assert.equal(lines[i].raw, await wallet.signTransaction(toEthersTx(txs[i])), `line ${i}`);
    assert.equal(ethers.Transaction.from(lines[i].raw).nonce, i);
  }
  // negative: lines are not interchangeable
  assert.notEqual(lines[0].raw, lines[2].raw);
});

// 2. ethers signs, lst-sign decodes.
for (const [name, txj] of CASES) {
  test(`2. ${name}: signed by ethers, decoded by lst-sign`, async (t) => {
    const home = freshHome(t);
    const wallet = ethers.Wallet.createRandom();
    const raw = await wallet.signTransaction(toEthersTx(txj));
    const tx = ethers.Transaction.from(raw);

    const d = lstJSON(home, ["decode"], raw + "\n");
    assert.equal(d.from, wallet.address, "from (EIP-55)");
    assert.equal(d.hash, tx.hash, "hash");
    assertDecodedFields(d, tx);

    // --chain-id: accepted for its own chain, refused for another
    assert.equal(lst(home, ["decode", "--chain-id", String(tx.chainId)], raw).status, 0);
    const wrongChain = lst(home, ["decode", "--chain-id", String(tx.chainId + 1n)], raw);
    assert.notEqual(wrongChain.status, 0, "decode --chain-id other chain must fail");

    // negative: flip a bit in s -> refused (exit 6) or another sender
    const bad = lst(home, ["decode"], tamperS(raw) + "\n");
    if (bad.status === 0) {
      const bd = JSON.parse(bad.stdout);
      assert.notEqual(bd.from, wallet.address, "tampered tx must not recover the signer");
      assert.notEqual(bd.hash, tx.hash);
    } else {
      assert.equal(bad.status, EXIT_BAD_TX, `tampered tx: ${bad.stderr}`);
    }

    // negative: the malleated (high-s) twin of a valid signature is refused
    // (EIP-2), as ethers refuses it too
    const hs = highS(raw);
    const hsTx = ethers.Transaction.from(hs);
    assert.equal(hsTx.from, wallet.address, "control: the high-s twin is built right");
    assert.throws(() => hsTx.signature.s, /non-canonical s/, "ethers flags high s");
    const hr = lst(home, ["decode"], hs + "\n");
    assert.equal(hr.status, EXIT_BAD_TX, `high-s tx must be refused: ${hr.stdout}${hr.stderr}`);
  });
}

test("2. decode refuses truncated and garbage input with exit 6", async (t) => {
  const home = freshHome(t);
  const raw = await new ethers.Wallet(KNOWN_PK).signTransaction(toEthersTx(TYPE2));
  // positive control
  assert.equal(lst(home, ["decode"], raw).status, 0);
  for (const bad of [raw.slice(0, -2), raw + "00", "0x1234", "0xzz", "0x"]) {
    const r = lst(home, ["decode"], bad + "\n");
    assert.equal(r.status, EXIT_BAD_TX, `decode ${bad.slice(0, 20)}…: exit ${r.status}`);
  }
});

// 3. Messages (EIP-191 personal_sign).
const MESSAGES = [
  "hello",
  "Grüße, 世界 🌍",
  "line one\nline two",
  "0x1234", // a hex-looking string is still text, as in ethers
  "",
];

for (const msg of MESSAGES) {
  test(`3. message ${JSON.stringify(msg)}: lst-sign <-> ethers`, async (t) => {
    const home = freshHome(t);
    importHex(home, KNOWN_PK);
    const wallet = new ethers.Wallet(KNOWN_PK);

    // lst-sign signs, ethers verifies
    const s = lstJSON(home, ["sign-message", "--from", "k", msg]);
    assert.equal(s.address, KNOWN_ADDR);
    assert.equal(s.message_hash, ethers.hashMessage(msg), "message_hash");
    assert.equal(ethers.verifyMessage(msg, s.signature), KNOWN_ADDR);
    assert.equal(s.signature, await wallet.signMessage(msg), "same signature as ethers");
    // negative: another message does not verify to the signer
    assert.notEqual(ethers.verifyMessage(msg + "!", s.signature), KNOWN_ADDR);

    // ethers signs (random key), lst-sign verifies
    const w2 = ethers.Wallet.createRandom();
    const sig = await w2.signMessage(msg);
    const ok = lst(home, ["verify-message", "--address", w2.address, "--signature", sig, msg]);
    assert.equal(ok.status, 0, `verify-message: ${ok.stderr}`);
    // lower-case address is the same address
    const okl = lst(home, ["verify-message", "--address", w2.address.toLowerCase(), "--signature", sig, msg]);
    assert.equal(okl.status, 0, `verify-message lower-case address: ${okl.stderr}`);
    // negatives: another message, another address
    const bad = lst(home, ["verify-message", "--address", w2.address, "--signature", sig, msg + "!"]);
    assert.equal(bad.status, EXIT_BAD_SIG, "different message must exit 4");
    const bad2 = lst(home, ["verify-message", "--address", KNOWN_ADDR, "--signature", sig, msg]);
    assert.equal(bad2.status, EXIT_BAD_SIG, "different address must exit 4");
  });
}

test("3. message on stdin is signed byte-for-byte", async (t) => {
  const home = freshHome(t);
  importHex(home, KNOWN_PK);
  const msg = "from stdin, no trailing newline";
  const r = lst(home, ["sign-message", "--from", "k"], msg);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(ethers.verifyMessage(msg, s.signature), KNOWN_ADDR);
  const w2 = ethers.Wallet.createRandom();
  const sig = await w2.signMessage(msg);
  assert.equal(lst(home, ["verify-message", "-a", w2.address, "-s", sig], msg).status, 0);
  // negative: a trailing newline is part of the message
  assert.equal(lst(home, ["verify-message", "-a", w2.address, "-s", sig], msg + "\n").status, EXIT_BAD_SIG);
});

// 4. Keystore v3.
test("4. keystore exported by lst-sign opens in ethers", async (t) => {
  const home = freshHome(t);
  importHex(home, KNOWN_PK);
  const pw = "correct horse battery staple";
  const pwFile = writeFile(home, "ks-pw", pw + "\n");
  const json = lst(home, ["export", "--keystore", "--keystore-passphrase-file", pwFile, "k"]);
  assert.equal(json.status, 0, json.stderr);
  const ks = JSON.parse(json.stdout);
  assert.equal(ks.version, 3);
  assert.ok(ethers.isKeystoreJson(json.stdout), "ethers recognises the keystore");

  const w = await ethers.Wallet.fromEncryptedJson(json.stdout, pw);
  assert.equal(w.address, KNOWN_ADDR);
  assert.equal(w.privateKey, KNOWN_PK);

  // negative: the wrong password is refused by ethers
  await assert.rejects(ethers.Wallet.fromEncryptedJson(json.stdout, pw + "x"));
});

test("4. keystore exported with the key passphrase (encrypted key) opens in ethers", async (t) => {
  const home = freshHome(t);
  const pw = "key passphrase";
  const pwFile = writeFile(home, "pw", pw + "\n");
  const key = lstJSON(home, ["--passphrase-file", pwFile, "keygen", "--name", "enc"]);
  assert.equal(key.encrypted, true);
  const json = lst(home, ["--passphrase-file", pwFile, "export", "--keystore", "enc"]);
  assert.equal(json.status, 0, json.stderr);
  const w = await ethers.Wallet.fromEncryptedJson(json.stdout, pw);
  assert.equal(w.address, key.address);
  // the same key signs a tx that ethers attributes to it
  const out = lstJSON(home, ["--passphrase-file", pwFile, "sign", "--from", "enc"], JSON.stringify(LEGACY));
  assert.equal(out.raw, await w.signTransaction(toEthersTx(LEGACY)));
  // negative: a wrong key passphrase cannot sign
  const badPw = writeFile(home, "bad", "nope\n");
  const r = lst(home, ["--passphrase-file", badPw, "sign", "--from", "enc"], JSON.stringify(LEGACY));
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout.trim(), "");
});

test("4. keystore written by ethers (scrypt N=1024) imports into lst-sign", async (t) => {
  const home = freshHome(t);
  const wallet = ethers.Wallet.createRandom();
  const pw = "ethers-pw";
  // Wallet.prototype.encrypt takes no scrypt options; encryptKeystoreJson does.
  const json = await ethers.encryptKeystoreJson(
    { address: wallet.address, privateKey: wallet.privateKey },
    pw,
    { scrypt: { N: 1024 } },
  );
  const parsedKs = JSON.parse(json);
  // ethers writes "Crypto" (capital C), as geth once did
  assert.equal((parsedKs.crypto ?? parsedKs.Crypto).kdfparams.n, 1024);
  const ksFile = writeFile(home, "ethers.json", json);
  const pwFile = writeFile(home, "ks-pw", pw + "\n");

  // negative first: the wrong password exits 4 and imports nothing
  const wrongFile = writeFile(home, "wrong-pw", "not-" + pw + "\n");
  const bad = lst(home, [
    "import", "--keystore", ksFile, "--keystore-passphrase-file", wrongFile, "--insecure-plaintext-key",
  ]);
  assert.equal(bad.status, EXIT_BAD_SIG, `wrong password: exit ${bad.status} ${bad.stderr}`);
  assert.equal(lst(home, ["address", wallet.address]).status === 0, false, "nothing imported");

  const imp = lstJSON(home, [
    "import", "--keystore", ksFile, "--keystore-passphrase-file", pwFile, "--insecure-plaintext-key",
    "--name", "from-ethers",
  ]);
  assert.equal(imp.address, wallet.address);
  const hex = lstJSON(home, ["export", "--hex", "from-ethers"]);
  assert.equal(hex.address, wallet.address);
  assert.equal(hex.private_key, wallet.privateKey);
});

test("4. keystore written by ethers Wallet.encrypt (default scrypt) imports into lst-sign", async (t) => {
  const home = freshHome(t);
  const wallet = ethers.Wallet.createRandom();
  const pw = "default-params";
  const json = await wallet.encrypt(pw);
  const ksFile = writeFile(home, "ethers.json", json);
  const pwFile = writeFile(home, "ks-pw", pw + "\n");
  const imp = lstJSON(home, [
    "import", "--keystore", ksFile, "--keystore-passphrase-file", pwFile, "--insecure-plaintext-key",
  ]);
  assert.equal(imp.address, wallet.address);
  // negative: the wrong password exits 4
  const wrongFile = writeFile(home, "wrong-pw", pw.toUpperCase() + "\n");
  const home2 = freshHome(t);
  const bad = lst(home2, [
    "import", "--keystore", ksFile, "--keystore-passphrase-file", wrongFile, "--insecure-plaintext-key",
  ]);
  assert.equal(bad.status, EXIT_BAD_SIG);
});
