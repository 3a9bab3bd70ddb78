// Independent-client compatibility of our IPFS Trustless Gateway
// (`lst-swarm serve`): @helia/verified-fetch, on a Helia node whose only
// router and block broker point at our gateway (no libp2p, no delegated
// routing, no public gateways: nothing leaves 127.0.0.1), fetches
// ipfs://ROOT of a public 3 MiB file and gets the same bytes; plain fetch()
// checks the raw block response headers (Content-Type, nosniff, Etag,
// If-None-Match), a CAR answer @ipld/car reads, and the error statuses.
// Run with run.sh.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { CarReader } from "@ipld/car";
import { createHeliaLight } from "helia";
import { fallbackRouter } from "@helia/fallback-router";
import { trustlessGatewayBlockBroker } from "@helia/trustless-gateway-client";
import { createVerifiedFetchWithHelia } from "@helia/verified-fetch";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { equals } from "multiformats/bytes";
import {
  LST_BLOCK,
  LST_SWARM,
  MiB,
  checkAddResult,
  freePort,
  parseJSON,
  pickSeed,
  requireBins,
  run,
  runJSON,
  seededBytes,
  sleep,
  tempHome,
} from "./block.mjs";

/**
 * verified-fetch over a Helia node that knows one provider, our gateway.
 * The router is not marked 'fallback': Helia 7 waits forever when it has
 * only fallback routers.
 */
async function clientFor(url) {
  const gw = fallbackRouter({ gateways: [url], shuffle: false });
  const helia = await createHeliaLight({
    blockBrokers: [trustlessGatewayBlockBroker({ allowInsecure: true, allowLocal: true })],
    routers: [{ name: "lst-gateway", findProviders: (cid, o) => gw.findProviders(cid, o) }],
  }).start();
  const vf = await createVerifiedFetchWithHelia(helia);
  return {
    fetch: vf,
    stop: async () => {
      await vf.stop();
      await helia.stop();
    },
  };
}

describe("trustless gateway: lst-swarm serve against @helia/verified-fetch", () => {
  let home;
  let remove;
  let url;
  let seed;
  let data;
  let root;
  let client;
  let started = false;
  let serverPid = 0;

  const stopServer = () => {
    if (!started) return;
    started = false;
    process.removeListener("exit", stopServer);
    const r = run(LST_SWARM, home, ["stop"], { timeout: 20_000 });
    if (r.status !== 0) {
      // fallback: the pid serve printed, else the pid file of the detached server
      let pid = serverPid;
      try {
        pid ||= Number(fs.readFileSync(path.join(home, "swarm.pid"), "utf8").trim());
      } catch {
        /* never written */
      }
      try {
        if (pid > 0) process.kill(pid, "SIGKILL");
      } catch {
        /* gone already */
      }
    }
  };

  before(async () => {
    requireBins(LST_BLOCK, LST_SWARM);
    ({ home, remove } = tempHome("gw"));
    seed = pickSeed();
    data = seededBytes(seed, "gateway", 3 * MiB + 77);
    const add = checkAddResult(runJSON(LST_BLOCK, home, ["add", "--public", "-"], { input: data }), {
      size: data.length,
    });
    root = add.root;

    const port = await freePort();
    process.on("exit", stopServer);
    started = true;
    const r = run(LST_SWARM, home, ["serve", "--listen", `127.0.0.1:${port}`, "--detach"], { timeout: 30_000 });
    assert.equal(r.status, 0, `lst-swarm serve exited ${r.status}: ${r.stderr}`);
    const out = parseJSON("lst-swarm serve", r.stdout);
    assert.equal(out.url, `http://127.0.0.1:${port}`, "serve: the url it listens on");
    url = out.url;
    serverPid = Number(out.pid) || 0;
    // up when the identity probe answers
    for (let i = 0; ; i++) {
      try {
        const p = await fetch(`${url}/ipfs/bafkqaaa?format=raw`);
        if (p.status === 200) break;
      } catch {
        /* not listening yet */
      }
      assert.ok(i < 100, "the gateway did not come up within 10 s");
      await sleep(100);
    }
    client = await clientFor(url);
  });

  after(async () => {
    try {
      await client?.stop();
    } finally {
      stopServer();
      remove?.();
    }
  });

  it("verified-fetch of ipfs://ROOT gives the file's bytes", async (t) => {
    t.diagnostic(`seed ${seed} (LST_COMPAT_SEED=${seed} replays), root ${root}`);
    const stats = async () => (await fetch(`${url}/lst/v1/stats`)).json();
    const before = await stats();
    const res = await client.fetch(`ipfs://${root}`, { signal: AbortSignal.timeout(60_000) });
    assert.equal(res.status, 200, `verified-fetch status ${res.status}`);
    const got = Buffer.from(await res.arrayBuffer());
    assert.equal(got.length, data.length, "length");
    assert.ok(got.equals(data), "the same bytes");
    const after = await stats();
    assert.ok(
      after.uploaded_bytes - before.uploaded_bytes >= data.length,
      `the gateway counted its upload: ${before.uploaded_bytes} -> ${after.uploaded_bytes}`,
    );
  });

  it("raw block: status, Content-Type, nosniff, Etag, the block's hash, If-None-Match", async () => {
    const res = await fetch(`${url}/ipfs/${root}?format=raw`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/vnd.ipld.raw");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const etag = res.headers.get("etag");
    assert.equal(etag, `"${root}.raw"`, "Etag");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const cid = CID.parse(root);
    assert.ok(equals((await sha256.digest(bytes)).digest, cid.multihash.digest), "the body hashes to the CID");

    const again = await fetch(`${url}/ipfs/${root}`, {
      headers: { accept: "application/vnd.ipld.raw", "if-none-match": etag },
    });
    assert.equal(again.status, 304, "If-None-Match with the Etag");
    await again.arrayBuffer();

    const head = await fetch(`${url}/ipfs/${root}?format=raw`, { method: "HEAD" });
    assert.equal(head.status, 200, "HEAD");
    assert.equal(head.headers.get("content-type"), "application/vnd.ipld.raw");
  });

  it("CAR of the root: @ipld/car reads it, every block hashes to its CID, the leaves are the file", async () => {
    const res = await fetch(`${url}/ipfs/${root}?format=car`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^application\/vnd\.ipld\.car\b/);
    assert.match(res.headers.get("content-type"), /version=1/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const reader = await CarReader.fromBytes(new Uint8Array(await res.arrayBuffer()));
    assert.deepEqual((await reader.getRoots()).map(String), [root]);
    const leaves = [];
    let n = 0;
    for await (const b of reader.blocks()) {
      n++;
      assert.ok(equals((await sha256.digest(b.bytes)).digest, b.cid.multihash.digest), `block ${b.cid}`);
      if (b.cid.code === raw.code) leaves.push(b.bytes);
    }
    assert.equal(n, 5, "the root and 4 leaves");
    assert.ok(Buffer.concat(leaves).equals(data), "depth-first leaves are the file in order");
  });

  it("errors: 404 for a block not here, 400 for a bad CID, 406 for no acceptable format", async () => {
    const absent = CID.create(1, raw.code, await sha256.digest(seededBytes(seed, "absent-raw", 64)));
    let res = await fetch(`${url}/ipfs/${absent}?format=raw`);
    assert.equal(res.status, 404, "absent block");
    await res.arrayBuffer();
    res = await fetch(`${url}/ipfs/not-a-cid?format=raw`);
    assert.equal(res.status, 400, "bad CID");
    await res.arrayBuffer();
    res = await fetch(`${url}/ipfs/${root}`, { headers: { accept: "text/html" } });
    assert.equal(res.status, 406, "text/html only");
    await res.arrayBuffer();
  });
});
