// Independent-implementation compatibility: the root CID `lst-block add
// --public` gives a file equals the one ipfs-unixfs-importer gives it with
// the 2025 profile (CIDv1, sha2-256, 1 MiB chunks, raw leaves, balanced DAG
// of width 1024): boundary sizes, seeded random sizes up to 8 MiB, and one
// file past one DAG level (1025 MiB + 1 byte, streamed to both at once).
//
// The content is seeded (printed as a diagnostic; LST_COMPAT_SEED=N replays
// a run).  Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  LST_BLOCK,
  MiB,
  addPublicStream,
  checkAddResult,
  mulberry32,
  pickSeed,
  referenceImport,
  requireBins,
  runJSON,
  runOK,
  seededBytes,
  seededChunks,
  tempHome,
} from "./block.mjs";

describe("UnixFS CIDs: lst-block add --public against ipfs-unixfs-importer", () => {
  let home;
  let remove;
  let seed;

  before(() => {
    requireBins(LST_BLOCK);
    ({ home, remove } = tempHome("ufs"));
    seed = pickSeed();
  });
  after(() => remove?.());

  // add from stdin, compare with the importer; returns the add result
  async function same(label, data) {
    const out = checkAddResult(runJSON(LST_BLOCK, home, ["add", "--public", "-"], { input: data }), {
      size: data.length,
    });
    const ref = await referenceImport([data]);
    assert.equal(out.root, ref.root, `${label}: ${data.length} bytes (seed ${seed})`);
    assert.equal(out.files[0].cid, ref.root, `${label}: the file's cid is the root`);
    return out;
  }

  it("boundary sizes: 0, 1, 1 MiB - 1, 1 MiB, 1 MiB + 1, 2 MiB, 2 MiB + 1", async (t) => {
    t.diagnostic(`seed ${seed} (LST_COMPAT_SEED=${seed} replays)`);
    for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB, 2 * MiB + 1]) {
      await same(`boundary ${size}`, seededBytes(seed, `boundary-${size}`, size));
    }
  });

  it("the 0-byte file is the raw leaf of nothing", () => {
    // bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku is
    // CIDv1(raw, sha2-256("")); a UnixFS node for it would be a bafybei...
    const out = runJSON(LST_BLOCK, home, ["add", "--public", "-"], { input: Buffer.alloc(0) });
    assert.equal(out.root, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  });

  it("seeded random sizes up to 8 MiB, near chunk boundaries and anywhere", async (t) => {
    const rand = mulberry32(seed);
    const sizes = [];
    for (let i = 0; i < 3; i++) sizes.push(Math.floor(rand() * 8 * MiB) + 1);
    for (let i = 0; i < 3; i++) sizes.push((2 + Math.floor(rand() * 6)) * MiB + Math.floor(rand() * 5) - 2);
    t.diagnostic(`seed ${seed}: sizes ${sizes.join(" ")}`);
    for (const [i, size] of sizes.entries()) {
      await same(`random #${i}`, seededBytes(seed, `random-${i}`, size));
    }
  });

  it("one changed byte changes the root, as it does for the importer", async () => {
    const data = seededBytes(seed, "flip", 3 * MiB + 7);
    const a = await same("before the flip", data);
    data[2 * MiB + 3] ^= 0x01;
    const b = await same("after the flip", data);
    assert.notEqual(a.root, b.root, "a changed leaf must change the root");
  });

  it("a file given by path: the same root, and cat gives the bytes back", async () => {
    const data = seededBytes(seed, "path", 4 * MiB + 123);
    const file = path.join(home, "input.bin");
    fs.writeFileSync(file, data);
    const out = checkAddResult(runJSON(LST_BLOCK, home, ["add", "--public", file]), { size: data.length });
    const ref = await referenceImport([data]);
    assert.equal(out.root, ref.root);
    const back = runOK(LST_BLOCK, home, ["cat", out.root]);
    assert.ok(back.equals(data), `cat ${out.root}: ${back.length} bytes, not the ${data.length} added`);
    fs.rmSync(file);
  });

  it("past one DAG level: 1025 MiB + 1 byte streamed to lst-block and the importer at once", async (t) => {
    const size = 1025 * MiB + 1; // 1026 leaves: two level-1 nodes under the root
    const started = Date.now();
    const add = addPublicStream(home, seededChunks(seed, "big", size));
    const [ref, out] = await Promise.all([referenceImport(add.chunks), add.result]);
    t.diagnostic(`1025 MiB + 1: ${((Date.now() - started) / 1000).toFixed(1)} s for both`);
    checkAddResult(out, { size });
    assert.equal(add.stats.bytes, size, "every byte went to both");
    assert.equal(out.root, ref.root, `1025 MiB + 1 bytes (seed ${seed})`);
  });
});
