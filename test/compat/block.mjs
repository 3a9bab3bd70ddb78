// Shared helpers for the IPFS compat tests (unixfs-cid, car, gateway): the
// lst-block / lst-swarm binaries in a temporary home, the reference importer
// (ipfs-unixfs-importer with the 2025 profile written out), and seeded,
// reproducible content.  Not a test file itself (run.sh only runs
// ./*.test.mjs).
//
// The binaries are found through LST_BIN_DIR (default: ../../build/bin
// relative to this file); the shared vectors through LST_VECTORS (default:
// ../shared/vectors relative to the repository, as the unit tests do).

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
export const binDir = process.env.LST_BIN_DIR
  ? path.resolve(process.env.LST_BIN_DIR)
  : path.resolve(repo, "build/bin");
export const LST_BLOCK = path.join(binDir, "lst-block");
export const LST_SWARM = path.join(binDir, "lst-swarm");
export const vectorsDir = process.env.LST_VECTORS
  ? path.resolve(repo, process.env.LST_VECTORS)
  : path.resolve(repo, "../shared/vectors");

export const MiB = 1 << 20;

/** The 2025 profile (IPIP-499 "unixfs-v1-2025"), every option spelt out. */
export const IMPORTER_OPTIONS = Object.freeze({
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: MiB }),
  layout: balanced({ maxChildrenPerNode: 1024 }),
});

export function requireBins(...bins) {
  for (const b of bins) {
    assert.ok(fs.existsSync(b), `${b} not found (build with make, or set LST_BIN_DIR)`);
  }
}

/**
 * A fresh empty home directory, removed when the process exits (or earlier
 * through the returned remove()).
 */
export function tempHome(tag = "block") {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `lst-compat-${tag}-`));
  const remove = () => {
    process.removeListener("exit", remove);
    fs.rmSync(home, { recursive: true, force: true });
  };
  process.on("exit", remove);
  return { home, remove };
}

/**
 * Run a binary with --home; stdout as a Buffer.  input: bytes for stdin
 * (through a temporary file, so a program that stops reading early, as it
 * should on bad input, does not turn into EPIPE here), or {file} to
 * redirect stdin from a file.
 */
export function run(bin, home, args, { input, timeout = 120_000 } = {}) {
  let file = null;
  let tmp = null;
  if (input && input.file) file = input.file;
  else if (input != null && input.length > 0) {
    tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lst-compat-in-")), "stdin");
    fs.writeFileSync(tmp, input);
    file = tmp;
  }
  const fd = fs.openSync(file ?? "/dev/null", "r");
  try {
    const r = spawnSync(bin, ["--home", home, ...args], {
      stdio: [fd, "pipe", "pipe"],
      maxBuffer: 256 * MiB,
      timeout,
    });
    if (r.error) throw r.error;
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString() };
  } finally {
    fs.closeSync(fd);
    if (tmp) fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
}

function describeRun(bin, args, r) {
  return `${path.basename(bin)} ${args.join(" ")} exited ${r.status}${r.signal ? ` (${r.signal})` : ""}: ${r.stderr}`;
}

/** Parse one JSON object, or one per line (JSON Lines) when lines is set. */
export function parseJSON(what, text, { lines = false } = {}) {
  const s = text.toString().trim();
  try {
    return lines ? s.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l)) : JSON.parse(s);
  } catch {
    assert.fail(`${what}: stdout is not JSON: ${s.slice(0, 500)}`);
  }
}

/** Run, require exit 0, parse stdout as JSON. */
export function runJSON(bin, home, args, opts) {
  const r = run(bin, home, args, opts);
  assert.equal(r.status, 0, describeRun(bin, args, r));
  return parseJSON(`${path.basename(bin)} ${args.join(" ")}`, r.stdout);
}

/** Run, require exit 0, return stdout (a Buffer). */
export function runOK(bin, home, args, opts) {
  const r = run(bin, home, args, opts);
  assert.equal(r.status, 0, describeRun(bin, args, r));
  return r.stdout;
}

/**
 * Check the shape of `lst-block add` output and return it.
 * {"root","files":[{"path","size","cid"}],"blocks","bytes","encrypted"}
 */
export function checkAddResult(out, { size, encrypted = false } = {}) {
  assert.equal(typeof out.root, "string", "add: root");
  assert.ok(Array.isArray(out.files), "add: files");
  assert.ok(Number.isInteger(out.blocks) && out.blocks >= 1, `add: blocks ${out.blocks}`);
  assert.ok(Number.isInteger(out.bytes) && out.bytes >= 0, `add: bytes ${out.bytes}`);
  assert.equal(out.encrypted, encrypted, "add: encrypted");
  if (size !== undefined) {
    assert.equal(out.files.length, 1, "add: one file");
    assert.equal(out.files[0].size, size, "add: file size");
  }
  return out;
}

/** Seeded 32-bit PRNG (mulberry32): sizes and choices. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed: LST_COMPAT_SEED if set (to replay a failure), else random. */
export function pickSeed() {
  const s = process.env.LST_COMPAT_SEED;
  if (s && /^\d+$/.test(s)) return Number(s) >>> 0;
  return crypto.randomInt(0, 2 ** 32);
}

/**
 * Reproducible pseudo-random content: the AES-128-CTR keystream under a key
 * derived from (seed, label), so distinct files of one run differ and every
 * chunk is distinct (no deduplication hides an ordering mistake).
 */
export function* seededChunks(seed, label, size, step = MiB) {
  const key = crypto.createHash("sha256").update(`lst-compat ${seed} ${label}`).digest().subarray(0, 16);
  const c = crypto.createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  const zero = Buffer.alloc(step);
  for (let off = 0; off < size; off += step) {
    const n = Math.min(step, size - off);
    yield c.update(n === step ? zero : zero.subarray(0, n));
  }
}

export function seededBytes(seed, label, size) {
  return Buffer.concat([...seededChunks(seed, label, size)], size);
}

/**
 * The importer's root CID (a string) for content (an iterable or async
 * iterable of Uint8Array).  With keep set, the blocks too: Map cid -> bytes.
 */
export async function referenceImport(content, { keep = false } = {}) {
  const blocks = new Map();
  const store = {
    put: async (cid, bytes) => {
      if (keep) blocks.set(cid.toString(), bytes);
      return cid;
    },
  };
  let last;
  for await (const e of importer([{ content }], store, IMPORTER_OPTIONS)) last = e;
  assert.ok(last, "importer yielded nothing");
  return { root: last.cid.toString(), cid: last.cid, blocks };
}

/**
 * `lst-block --home HOME add --public -` fed from an async iterable while
 * the same chunks go on to the caller: returns { chunks, result } where
 * chunks is an async iterable yielding each chunk after it was written to
 * the child (with back-pressure), result a promise of the parsed JSON and
 * stats.bytes the bytes passed through so far.
 */
export function addPublicStream(home, source) {
  const child = spawn(LST_BLOCK, ["--home", home, "add", "--public", "-"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out = [];
  const err = [];
  child.stdout.on("data", (d) => out.push(d));
  child.stderr.on("data", (d) => err.push(d));
  const exited = new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  let stdinError = null;
  child.stdin.on("error", (e) => {
    stdinError = e;
  });
  const write = (chunk) =>
    new Promise((resolve) => {
      if (stdinError || child.stdin.destroyed) return resolve();
      if (child.stdin.write(chunk)) resolve();
      else {
        const done = () => {
          child.stdin.off("drain", done);
          child.stdin.off("close", done);
          resolve();
        };
        child.stdin.on("drain", done);
        child.stdin.on("close", done);
      }
    });
  const stats = { bytes: 0 };
  async function* chunks() {
    try {
      for await (const c of source) {
        await write(c);
        stats.bytes += c.length;
        yield c;
      }
    } finally {
      child.stdin.end();
    }
  }
  const result = exited.then(({ code, signal }) => {
    const stderr = Buffer.concat(err).toString();
    assert.equal(code, 0, `lst-block add --public - exited ${code}${signal ? ` (${signal})` : ""}: ${stderr}`);
    assert.equal(stdinError, null, `writing to lst-block add: ${stdinError}`);
    return parseJSON("lst-block add --public -", Buffer.concat(out));
  });
  return { chunks: chunks(), result, child, stats };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
