// Shared helpers for the chain-*.test.mjs files: a fresh single-validator
// dev chain (lst-chain init --dev + lst-chain daemon --detach) in a temporary
// LST_HOME, the dev keys, and a few polling helpers.  Not a test file itself
// (run.sh only runs ./*.test.mjs).
//
// The binaries are found through LST_BIN_DIR (default: ../../build/bin
// relative to this file).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const binDir = process.env.LST_BIN_DIR
  ? path.resolve(process.env.LST_BIN_DIR)
  : path.resolve(here, "../../build/bin");
export const LST_CHAIN = path.join(binDir, "lst-chain");
export const LST_SIGN = path.join(binDir, "lst-sign");

/** Chain id of `lst-chain init --dev`. */
export const CHAIN_ID = 161;
/** 1 LST in Photons. */
export const LST = 10n ** 18n;
/** Genesis balances of `lst-chain init --dev`. */
export const DEVELOPER_GENESIS = 999_000_000n * LST;
export const FOUNDATION_GENESIS = 1_000_000n * LST;

/** Default block interval asked of the daemon (ms); keeps the run short. */
export const BLOCK_MS = 200;

function run(bin, args, env, input) {
  const r = spawnSync(bin, args, {
    input: input ?? "",
    encoding: "utf8",
    env,
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return r;
}

function runJSON(bin, args, env) {
  const r = run(bin, args, env);
  assert.equal(
    r.status,
    0,
    `${path.basename(bin)} ${args.join(" ")} exited ${r.status}: ${r.stderr}`,
  );
  try {
    return JSON.parse(r.stdout);
  } catch {
    assert.fail(`${path.basename(bin)} ${args.join(" ")}: stdout is not JSON: ${r.stdout}`);
  }
}

/**
 * Start a fresh dev chain, a block every blockMs.  Returns
 *   { home, rpc, pid, chainId, developer, foundation, stop() }
 * where developer/foundation are { address, privateKey }.  stop() is
 * idempotent: lst-chain stop, SIGKILL if that did not work, remove the home.
 * A process 'exit' hook calls it too, so a crash never leaves a daemon.
 */
export function startChain({ blockMs = BLOCK_MS } = {}) {
  for (const b of [LST_CHAIN, LST_SIGN]) {
    assert.ok(fs.existsSync(b), `${b} not found (build with make, or set LST_BIN_DIR)`);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "lst-compat-chain-"));
  const env = { ...process.env, LST_HOME: home, LST_BLOCK_MS: String(blockMs) };
  let pid = null;
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", stop);
    if (pid != null) {
      let ok = false;
      try {
        ok = run(LST_CHAIN, ["stop"], env).status === 0;
      } catch {
        ok = false;
      }
      if (!ok) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    fs.rmSync(home, { recursive: true, force: true });
  };
  process.on("exit", stop);

  try {
    const init = runJSON(LST_CHAIN, ["init", "--dev"], env);
    assert.equal(init.chain_id, CHAIN_ID, "init --dev chain id");
    const d = runJSON(LST_CHAIN, ["daemon", "--detach", "--rpc", "127.0.0.1:0"], env);
    pid = d.pid;
    assert.match(d.rpc, /^http:\/\/127\.0\.0\.1:\d+$/, "daemon rpc address");
    const key = (name) => {
      const k = runJSON(LST_SIGN, ["export", "--hex", name], env);
      return { address: k.address, privateKey: k.private_key };
    };
    const developer = key("developer");
    const foundation = key("foundation");
    assert.equal(developer.address, init.developer);
    assert.equal(foundation.address, init.foundation);
    return { home, rpc: d.rpc, pid, chainId: CHAIN_ID, developer, foundation, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn() until it returns a value other than null/undefined/false. */
export async function until(what, fn, { timeout = 20_000, interval = 50 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v != null && v !== false) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(interval);
  }
}

/**
 * Everything an error says: its message, short message, details, the
 * messages of its causes and any nested RPC error objects (ethers keeps the
 * node's error under info.error, viem under cause/details, web3 under
 * cause/innerError).  Used to check the node's words reached the client.
 */
export function errorText(err) {
  const seen = new Set();
  const out = [];
  const walk = (e, depth) => {
    if (e == null || depth > 8) return;
    if (typeof e === "string") {
      out.push(e);
      return;
    }
    if (typeof e !== "object" || seen.has(e)) return;
    seen.add(e);
    for (const k of ["message", "shortMessage", "details", "reason"]) {
      if (typeof e[k] === "string") out.push(e[k]);
    }
    for (const k of ["cause", "error", "info", "innerError", "data", "errors"]) {
      if (e[k] != null) walk(e[k], depth + 1);
    }
    if (Array.isArray(e)) for (const x of e) walk(x, depth + 1);
  };
  walk(err, 0);
  return out.join("\n");
}

/** Run fn, require it to reject, return the error. */
export async function rejection(what, fn) {
  try {
    const v = await fn();
    assert.fail(`${what}: expected a refusal, got ${JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x))}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return e;
  }
}

/** A random odd amount between 1 and 2 LST, so exact checks mean something. */
export function randomAmount() {
  const r = BigInt(Math.floor(Math.random() * 1e15)) * 1000n + 123n;
  return LST + r;
}

/** Raw JSON-RPC call (for checks that should not go through a client). */
export async function rpcCall(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const j = await res.json();
  if (j.error) {
    const e = new Error(`${method}: ${j.error.message}`);
    e.rpc = j.error;
    throw e;
  }
  return j.result;
}
