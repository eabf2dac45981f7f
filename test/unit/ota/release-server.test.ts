/*
 * The release folder's HTTP server (tools/ota/release-server.ts): files and
 * byte ranges as a resuming device asks for them, and nothing else: no path
 * outside the folder (encoded ".." included), a malformed path answered 400
 * without taking the server down.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { serveReleases } from "../../../tools/ota/release-server";
import { temporaryDirectory } from "../../helpers/brokers";

/** The status code the server answers to a raw request line (fetch would normalise the path first). */
async function status(url: string, path: string): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.on("data", (chunk) => { text += chunk; });
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
    socket.on("error", reject);
  });
}

describe("release server", () => {
  it("serves files and ranges from a folder given with a trailing slash, and refuses everything outside it", async () => {
    const base = temporaryDirectory("release-server");
    mkdirSync(join(base, "releases/sim"), { recursive: true });
    mkdirSync(join(base, "secret"));
    const image = Buffer.alloc(5000, 7);
    writeFileSync(join(base, "releases/sim/1.0.0.bin"), image);
    writeFileSync(join(base, "secret/key.pem"), "private");
    const server = await serveReleases(`${join(base, "releases")}/`);
    try {
      const whole = await fetch(`${server.url}/sim/1.0.0.bin`);
      assert.equal(whole.status, 200);
      assert.deepEqual(Buffer.from(await whole.arrayBuffer()), image);
      const tail = await fetch(`${server.url}/sim/1.0.0.bin`, { headers: { Range: "bytes=4000-" } });
      assert.equal(tail.status, 206);
      assert.equal(tail.headers.get("content-range"), "bytes 4000-4999/5000");
      assert.equal((await tail.arrayBuffer()).byteLength, 1000);
      assert.equal((await fetch(`${server.url}/sim/1.0.0.bin`, { headers: { Range: "bytes=5000-" } })).status, 416);
      assert.equal(await status(server.url, "/../secret/key.pem"), 403);
      assert.equal(await status(server.url, "/..%2fsecret%2fkey.pem"), 403);
      assert.equal(await status(server.url, "/%zz"), 400);
      assert.equal(await status(server.url, "/sim/2.0.0.bin"), 404);
      assert.equal((await fetch(`${server.url}/sim/1.0.0.bin`)).status, 200, "still serving after the bad requests");
    }
    finally {
      await server.close();
    }
  });
});
