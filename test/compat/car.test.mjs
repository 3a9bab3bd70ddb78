// Independent-implementation compatibility of CARv1: our `lst-block export`
// read by @ipld/car (the roots, every block's CID against its bytes, the
// file reassembled by ipfs-unixfs-exporter); the IPLD project's
// carv1-basic.car (dag-cbor, CIDv0 dag-pb and raw blocks) imported by
// `lst-block import`; a CAR written by @ipld/car's CarWriter from the
// importer's blocks imported and read back with `lst-block cat`.  Forgeries:
// a block whose bytes do not match its CID, and a block over 2 MiB, are
// refused by import (exit 6) and not stored.  Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CarReader, CarWriter } from "@ipld/car";
import { exporter } from "ipfs-unixfs-exporter";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { equals } from "multiformats/bytes";
import * as dagPB from "@ipld/dag-pb";
import {
  LST_BLOCK,
  MiB,
  checkAddResult,
  parseJSON,
  pickSeed,
  referenceImport,
  requireBins,
  run,
  runJSON,
  runOK,
  seededBytes,
  tempHome,
  vectorsDir,
} from "./block.mjs";

const EXIT_NOT_FOUND = 3;
const EXIT_INVALID = 6;

async function readCar(bytes) {
  const reader = await CarReader.fromBytes(bytes);
  const roots = (await reader.getRoots()).map(String);
  const blocks = [];
  for await (const b of reader.blocks()) blocks.push(b);
  return { roots, blocks };
}

async function writeCar(roots, blocks) {
  const { writer, out } = CarWriter.create(roots);
  const parts = [];
  const collecting = (async () => {
    for await (const c of out) parts.push(c);
  })();
  for (const b of blocks) await writer.put(b);
  await writer.close();
  await collecting;
  return Buffer.concat(parts);
}

/** Does the block's sha2-256 multihash match its bytes? */
async function hashMatches({ cid, bytes }) {
  if (cid.multihash.code !== sha256.code) return false;
  return equals((await sha256.digest(bytes)).digest, cid.multihash.digest);
}

/** A read-only blockstore over CAR blocks, for ipfs-unixfs-exporter. */
function carBlockstore(blocks) {
  const m = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
  return {
    async *get(cid) {
      const b = m.get(cid.toString());
      if (!b) throw new Error(`block ${cid} not in the CAR`);
      yield b;
    },
  };
}

async function exportBytes(root, store) {
  const entry = await exporter(root, store);
  const parts = [];
  for await (const c of entry.content()) parts.push(c);
  return Buffer.concat(parts);
}

/** `lst-block has` of one CID in home: its exit status. */
function hasStatus(home, cid) {
  return run(LST_BLOCK, home, ["has", cid]).status;
}

describe("CARv1: lst-block export/import against @ipld/car", () => {
  let seed;
  const homes = [];
  const fresh = (tag) => {
    const h = tempHome(tag);
    homes.push(h);
    return h.home;
  };

  before(() => {
    requireBins(LST_BLOCK);
    seed = pickSeed();
  });
  after(() => {
    for (const h of homes) h.remove();
  });

  it("export of a 5 MiB public file: roots, every block's hash, block count, the bytes", async (t) => {
    t.diagnostic(`seed ${seed} (LST_COMPAT_SEED=${seed} replays)`);
    const home = fresh("car-export");
    const data = seededBytes(seed, "export", 5 * MiB + 1234);
    const file = path.join(home, "five.bin");
    fs.writeFileSync(file, data);
    const add = checkAddResult(runJSON(LST_BLOCK, home, ["add", "--public", file]), { size: data.length });

    const car = runOK(LST_BLOCK, home, ["export", add.root]);
    const { roots, blocks } = await readCar(car);
    assert.deepEqual(roots, [add.root], "the CAR's roots");
    assert.equal(blocks.length, add.blocks, "as many blocks as add stored");
    assert.equal(blocks[0].cid.toString(), add.root, "depth-first: the root comes first");
    const seen = new Set();
    for (const b of blocks) {
      assert.ok(await hashMatches(b), `block ${b.cid}: sha2-256 of its bytes`);
      assert.equal(b.cid.version, 1, `block ${b.cid}: CIDv1`);
      assert.ok(b.cid.code === raw.code || b.cid.code === dagPB.code, `block ${b.cid}: raw or dag-pb`);
      assert.ok(b.bytes.length <= MiB || b.cid.code === dagPB.code, `block ${b.cid}: a leaf of at most 1 MiB`);
      seen.add(b.cid.toString());
    }
    assert.equal(seen.size, blocks.length, "no block twice");

    // the same blocks the reference importer makes, and the same bytes back
    const ref = await referenceImport([data], { keep: true });
    assert.equal(ref.root, add.root);
    assert.deepEqual([...seen].sort(), [...ref.blocks.keys()].sort(), "the importer's blocks, no more, no fewer");
    const back = await exportBytes(CID.parse(add.root), carBlockstore(blocks));
    assert.ok(back.equals(data), `ipfs-unixfs-exporter over the CAR: ${back.length} bytes, not the ${data.length} added`);

    // our CAR goes back in elsewhere, and a tampered copy does not
    const other = fresh("car-reimport");
    const imp = runJSON(LST_BLOCK, other, ["import"], { input: car });
    assert.deepEqual(imp.roots, [add.root]);
    assert.equal(imp.blocks, add.blocks);
    assert.ok(runOK(LST_BLOCK, other, ["cat", add.root]).equals(data), "cat after import");

    const bad = Buffer.from(car);
    bad[bad.length - 1] ^= 0x40; // the last byte of the last block
    const { blocks: badBlocks } = await readCar(bad);
    const victim = badBlocks[badBlocks.length - 1];
    assert.equal(await hashMatches(victim), false, "the flipped byte breaks the last block's hash");
    const third = fresh("car-tampered");
    const r = run(LST_BLOCK, third, ["import"], { input: bad });
    assert.equal(r.status, EXIT_INVALID, `import of a tampered CAR: exit ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, /^lst-block: error: /m);
    assert.equal(hasStatus(third, victim.cid.toString()), EXIT_NOT_FOUND, "the tampered block is not stored");
  });

  it("carv1-basic.car from the IPLD project: roots and every block present", async () => {
    const car = path.join(vectorsDir, "ipld/carv1-basic.car");
    const want = JSON.parse(fs.readFileSync(path.join(vectorsDir, "ipld/carv1-basic.json"), "utf8"));
    const home = fresh("car-basic");
    const cids = want.blocks.map((b) => b.cid["/"]);
    for (const c of cids) assert.equal(hasStatus(home, c), EXIT_NOT_FOUND, `${c} absent before the import`);

    const imp = runJSON(LST_BLOCK, home, ["import"], { input: { file: car } });
    assert.deepEqual(imp.roots, want.header.roots.map((r) => r["/"]), "the header's roots");
    assert.equal(imp.blocks, want.blocks.length, "every section");
    assert.equal(
      imp.bytes,
      want.blocks.reduce((n, b) => n + b.blockLength, 0),
      "bytes: the blocks' lengths",
    );
    for (const c of cids) assert.equal(hasStatus(home, c), 0, `lst-block has ${c}`);
    // all at once (a JSON line each), and one that is not there
    const absent = CID.create(1, raw.code, await sha256.digest(Buffer.from("not in carv1-basic"))).toString();
    let r = run(LST_BLOCK, home, ["has", ...cids]);
    assert.equal(r.status, 0, `has of all of them: ${r.stderr}`);
    assert.deepEqual(
      parseJSON("has", r.stdout, { lines: true }),
      cids.map((cid) => ({ cid, has: true })),
    );
    r = run(LST_BLOCK, home, ["has", ...cids, absent]);
    assert.equal(r.status, EXIT_NOT_FOUND, "has with one absent");
    assert.deepEqual(
      parseJSON("has", r.stdout, { lines: true }),
      [...cids.map((cid) => ({ cid, has: true })), { cid: absent, has: false }],
    );
  });

  it("a CAR written by CarWriter from the importer's blocks: import, then cat gives the bytes", async () => {
    const data = seededBytes(seed, "carwriter", 2 * MiB + MiB / 2 + 3);
    const ref = await referenceImport([data], { keep: true });
    const blocks = [...ref.blocks].map(([c, bytes]) => ({ cid: CID.parse(c), bytes }));
    // the importer writes leaves first; CarWriter keeps that order
    const car = await writeCar([ref.cid], blocks);
    const home = fresh("car-writer");
    const imp = runJSON(LST_BLOCK, home, ["import"], { input: car });
    assert.deepEqual(imp.roots, [ref.root]);
    assert.equal(imp.blocks, blocks.length);
    assert.ok(runOK(LST_BLOCK, home, ["cat", ref.root]).equals(data), "cat of the imported root");
    assert.equal(run(LST_BLOCK, home, ["verify", ref.root]).status, 0, "verify of the imported root");
  });

  it("forgeries: a block that does not match its CID, a block over 2 MiB", async () => {
    const data = seededBytes(seed, "forged", MiB + 10);
    const ref = await referenceImport([data], { keep: true });
    const blocks = [...ref.blocks].map(([c, bytes]) => ({ cid: CID.parse(c), bytes: Uint8Array.from(bytes) }));
    const leaf = blocks.find((b) => b.cid.code === raw.code);
    leaf.bytes[0] ^= 1;
    let home = fresh("car-forged");
    let r = run(LST_BLOCK, home, ["import"], { input: await writeCar([ref.cid], blocks) });
    assert.equal(r.status, EXIT_INVALID, `import with a forged block: exit ${r.status}: ${r.stderr}`);
    assert.equal(hasStatus(home, leaf.cid.toString()), EXIT_NOT_FOUND, "the forged block is not stored");
    assert.notEqual(run(LST_BLOCK, home, ["cat", ref.root]).status, 0, "no cat of the forged file");

    // 2 MiB exactly is the largest block; one byte more is refused
    const limit = seededBytes(seed, "limit", 2 * MiB + 1);
    const block = async (b) => ({ cid: CID.create(1, raw.code, await sha256.digest(b)), bytes: b });
    const ok = await block(limit.subarray(0, 2 * MiB));
    const big = await block(limit);
    home = fresh("car-limit");
    const imp = runJSON(LST_BLOCK, home, ["import"], { input: await writeCar([ok.cid], [ok]) });
    assert.equal(imp.blocks, 1);
    assert.equal(hasStatus(home, ok.cid.toString()), 0, "a 2 MiB block is stored");
    r = run(LST_BLOCK, home, ["import"], { input: await writeCar([big.cid], [big]) });
    assert.equal(r.status, EXIT_INVALID, `import of a 2 MiB + 1 block: exit ${r.status}: ${r.stderr}`);
    assert.equal(hasStatus(home, big.cid.toString()), EXIT_NOT_FOUND, "the oversized block is not stored");
  });
});
