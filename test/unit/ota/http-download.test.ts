/*
 * The update agent's image download (src/ota/http-download.ts,
 * src/ota/http-message.ts): against a real node:http server and raw node:net
 * servers that misbehave, through the Node host's ECMA-419 TCP socket; and,
 * where exact splits or time matter, through a scripted socket on a virtual
 * clock. Every run checks the callback contract: onStart before onData,
 * exactly one of onDone/onError, last.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Net, { setHostsFile } from "../../../sim/node/modules/net";
import TCP from "../../../sim/node/modules/tcp";
import { NetResolver } from "../../../src/mqtt/resolver";
import type { SocketCallbacks, SocketConstructor } from "../../../src/mqtt/transport";
import { DownloadError, type DownloadFailure, type DownloadOptions, HttpDownload, MAX_HEADER_BYTES, parseHttpUrl } from "../../../src/ota/http-download";
import { realTimers } from "../../helpers/real-timers";
import { VirtualTimers } from "../../helpers/virtual-timers";
import { randomChunks, seededRandom } from "../mqtt/random";

const SIZE = 300 * 1024;
const IMAGE = (() => {
  const random = seededRandom(419);
  return Buffer.from(Array.from({ length: SIZE }, () => Math.floor(random() * 256)));
})();

interface Run {
  events: string[];
  start: number | undefined;
  body: Buffer;
  chunks: Uint8Array[];
  error: DownloadError | undefined;
  done: boolean;
  download: HttpDownload;
}

type Extra = Partial<DownloadOptions>;

/** Starts a download; `run.events` records every callback. */
function begin(url: string, size: number, extra: Extra = {}): Run {
  const run = { events: [] as string[], start: undefined as number | undefined, chunks: [] as Uint8Array[], error: undefined as DownloadError | undefined, done: false } as Run;
  Object.defineProperty(run, "body", { get: () => Buffer.concat(run.chunks) });
  run.download = new HttpDownload({
    socket: { io: TCP as unknown as SocketConstructor },
    url, size, timers: realTimers,
    onStart(start) { run.events.push(`start ${start.offset}`); run.start = start.offset; },
    onData(bytes) { run.events.push("data"); run.chunks.push(bytes); },
    onDone() { run.events.push("done"); run.done = true; },
    onError(error) { run.events.push(`error ${error.reason}`); run.error = error; },
    ...extra,
  });
  return run;
}

const ended = (run: Run) => run.done || run.error !== undefined;

/** The callback contract every download keeps. */
function checkContract(run: Run): void {
  const terminal = run.events.filter((event) => event === "done" || event.startsWith("error"));
  assert.equal(terminal.length, 1, `one onDone or onError: ${run.events.join(", ")}`);
  assert.equal(run.events.at(-1), terminal[0], "nothing after onDone/onError");
  const first = run.events.indexOf("data");
  if (first >= 0) assert.match(run.events[0], /^start /, "onStart before onData");
  assert.equal(run.download.received, run.chunks.reduce((sum, chunk) => sum + chunk.length, 0));
}

/** Downloads over the network; resolves once ended and a little quiet time showed nothing follows. */
async function download(url: string, size: number, extra: Extra = {}): Promise<Run> {
  const run = begin(url, size, extra);
  while (!ended(run)) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 30));
  checkContract(run);
  return run;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

const head = (status: string, fields: Record<string, string | number>) =>
  Buffer.from(`HTTP/1.1 ${status}\r\n${Object.entries(fields).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);

/** A raw TCP server: `respond` gets each connection once its request header arrived. */
async function rawServer(respond: (socket: net.Socket, request: string) => void | Promise<void>) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    let request = "";
    socket.on("data", (data) => {
      const before = request;
      request += data.toString("latin1");
      if (!before.includes("\r\n\r\n") && request.includes("\r\n\r\n")) void respond(socket, request);
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/image.bin`,
    close: () => { for (const socket of sockets) socket.destroy(); server.close(); },
  };
}

async function withRaw(respond: (socket: net.Socket, request: string) => void | Promise<void>, size: number, extra: Extra = {}): Promise<Run> {
  const server = await rawServer(respond);
  try {
    return await download(server.url, size, extra);
  }
  finally {
    server.close();
  }
}

function expectFailure(run: Run, reason: DownloadFailure, message: RegExp): void {
  assert.equal(run.done, false);
  assert.ok(run.error instanceof DownloadError);
  assert.equal(run.error.reason, reason, run.error.message);
  assert.match(run.error.message, message);
}

describe("HTTP download from a node:http server", () => {
  let server: http.Server;
  let base: string;
  const requests: http.IncomingHttpHeaders[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      requests.push(request.headers);
      if (request.url === "/missing.bin") {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("no such image");
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
      if (request.url === "/image.bin" && range) {
        const from = Number(range[1]);
        response.writeHead(206, { "Content-Range": `bytes ${from}-${SIZE - 1}/${SIZE}`, "Content-Length": SIZE - from });
        response.end(IMAGE.subarray(from));
        return;
      }
      // "/norange.bin" ignores Range, as some servers do.
      response.writeHead(200, { "Content-Length": SIZE, "Content-Type": "application/octet-stream" }).end(IMAGE);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => server.close());

  it("downloads the whole image, byte for byte, with a plain GET", async () => {
    const run = await download(`${base}/image.bin`, SIZE);
    assert.equal(run.error, undefined);
    assert.equal(run.start, 0);
    assert.ok(run.body.equals(IMAGE), "body equals the image");
    assert.equal(run.download.received, SIZE);
    const headers = requests.at(-1)!;
    assert.equal(headers.host, base.slice("http://".length));
    assert.equal(headers.connection, "close");
    assert.equal(headers.range, undefined);
  });

  it("downloads from a URL that names its host, looked up with the dns option; Host is the name", async () => {
    const folder = mkdtempSync(join(tmpdir(), "xs-sensor-hosts-"));
    writeFileSync(join(folder, "hosts"), "127.0.0.1 images.test\n");
    setHostsFile(join(folder, "hosts"));
    try {
      const port = base.slice(base.lastIndexOf(":") + 1);
      const run = await download(`http://images.test:${port}/image.bin`, SIZE, { dns: { io: NetResolver, net: Net } });
      assert.equal(run.error, undefined);
      assert.ok(run.body.equals(IMAGE));
      assert.equal(requests.at(-1)!.host, `images.test:${port}`);
      const lost = await download(`http://gone.invalid:${port}/image.bin`, SIZE, { dns: { io: NetResolver, net: Net } });
      assert.equal(lost.error?.reason, "connect");
      assert.match(lost.error?.message ?? "", /host name "gone\.invalid" not found/);
    }
    finally {
      setHostsFile(undefined);
    }
  });

  it("resumes from an offset: Range, 206, exactly the tail", async () => {
    const offset = 123_457;
    const run = await download(`${base}/image.bin`, SIZE, { offset });
    assert.equal(run.error, undefined);
    assert.equal(requests.at(-1)!.range, `bytes=${offset}-`);
    assert.equal(run.start, offset);
    assert.equal(run.body.length, SIZE - offset);
    assert.ok(run.body.equals(IMAGE.subarray(offset)), "body equals the tail");
  });

  it("reports offset 0 when the server ignores Range and sends the whole image", async () => {
    const run = await download(`${base}/norange.bin`, SIZE, { offset: 5000 });
    assert.equal(run.error, undefined);
    assert.equal(requests.at(-1)!.range, "bytes=5000-");
    assert.equal(run.start, 0);
    assert.ok(run.body.equals(IMAGE));
  });

  it("fails with reason status and the code on 404", async () => {
    const run = await download(`${base}/missing.bin`, SIZE);
    expectFailure(run, "status", /^HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/missing\.bin$/);
    assert.equal(run.error!.status, 404);
    assert.deepEqual(run.chunks, []);
  });

  it("refuses a size the server's Content-Length contradicts", async () => {
    const run = await download(`${base}/image.bin`, SIZE + 1);
    expectFailure(run, "protocol", new RegExp(`server has ${SIZE} bytes \\(Content-Length\\), the manifest says ${SIZE + 1}`));
  });
});

describe("HTTP download from misbehaving servers", () => {
  const BODY = IMAGE.subarray(0, 20_000);

  it("reports truncated, with how many of how many, when the server closes mid-body", async () => {
    const run = await withRaw((socket) => {
      socket.write(head("200 OK", { "Content-Length": BODY.length }));
      socket.end(BODY.subarray(0, BODY.length / 2));
    }, BODY.length);
    expectFailure(run, "truncated", /closed after 10000 of 20000 body bytes; resume from offset 10000/);
    assert.ok(run.body.equals(BODY.subarray(0, 10_000)), "the half that came was delivered");
  });

  it("reports truncated when the server closes inside the header", async () => {
    const run = await withRaw((socket) => { socket.end("HTTP/1.1 200 OK\r\nContent-Le"); }, 100);
    expectFailure(run, "truncated", /before the response header was complete \(27 bytes/);
  });

  it("reports too-long when the server sends more than its Content-Length", async () => {
    const run = await withRaw((socket) => {
      socket.end(Buffer.concat([head("200 OK", { "Content-Length": 1000 }), IMAGE.subarray(0, 1100)]));
    }, 1000);
    expectFailure(run, "too-long", /more than the 1000 body bytes it announced/);
    assert.ok(run.body.equals(IMAGE.subarray(0, 1000)), "never a byte past the image's end");
  });

  it("refuses chunked transfer coding, saying so", async () => {
    const run = await withRaw((socket) => {
      socket.end(Buffer.concat([head("200 OK", { "Transfer-Encoding": "chunked" }), Buffer.from("3e8\r\n"), IMAGE.subarray(0, 1000), Buffer.from("\r\n0\r\n\r\n")]));
    }, 1000);
    expectFailure(run, "protocol", /Transfer-Encoding: chunked is not supported \(no chunked transfer coding\)/);
    assert.deepEqual(run.chunks, []);
  });

  it("reassembles a response dribbled one byte per write", async () => {
    const body = IMAGE.subarray(0, 300);
    const run = await withRaw(async (socket) => {
      socket.setNoDelay(true);
      const bytes = Buffer.concat([head("206 Partial Content", { "Content-Range": `bytes 700-999/1000`, "Content-Length": 300, Server: "dribbler" }), body]);
      for (const byte of bytes) {
        if (socket.destroyed) return;
        socket.write(Buffer.of(byte));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      socket.end();
    }, 1000, { offset: 700 });
    assert.equal(run.error, undefined);
    assert.equal(run.start, 700);
    assert.ok(run.body.equals(body));
    assert.ok(run.chunks.length > 10, `the body came in many reads (${run.chunks.length})`);
  });

  it("skips a 100 Continue and takes header and body from one read, as views", async () => {
    const body = IMAGE.subarray(0, 1000);
    const response = Buffer.concat([Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"), head("200 OK", { "Content-Length": 1000 }), body]);
    const run = await withRaw((socket) => { socket.end(response); }, 1000);
    assert.equal(run.error, undefined);
    assert.ok(run.body.equals(body));
    const first = run.chunks[0];
    assert.equal(first.byteOffset, response.length - 1000, "a view past the header, not a copy");
  });

  it("times out when the server accepts and never answers", async () => {
    const started = performance.now();
    const run = await withRaw(() => undefined, 1000, { idleTimeoutMs: 200 });
    expectFailure(run, "timeout", /^no response header from 127\.0\.0\.1:\d+ within 200 ms$/);
    const took = performance.now() - started;
    assert.ok(took >= 190 && took < 2000, `took ${took} ms`);
  });

  it("refuses a bad status line", async () => {
    const run = await withRaw((socket) => { socket.end("HTTP/1.1 OK\r\nContent-Length: 3\r\n\r\nabc"); }, 3);
    expectFailure(run, "protocol", /not an HTTP\/1\.x status line: "HTTP\/1\.1 OK"/);
  });

  it("reports connect when the port refuses", async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const run = await download(`http://127.0.0.1:${port}/image.bin`, 10);
    expectFailure(run, "connect", new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it("calls nothing after close()", async () => {
    const server = await rawServer((socket) => {
      socket.write(head("200 OK", { "Content-Length": 2000 }));
      socket.write(IMAGE.subarray(0, 1000));
      setTimeout(() => socket.end(IMAGE.subarray(1000, 2000)), 50);
    });
    const run = begin(server.url, 2000);
    while (!run.chunks.length) await new Promise((resolve) => setTimeout(resolve, 5));
    run.download.close();
    run.download.close();
    const seen = run.events.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    server.close();
    assert.equal(run.events.length, seen, `nothing after close: ${run.events.join(", ")}`);
    assert.ok(!ended(run));
  });
});

describe("HTTP download URLs", () => {
  const bad: [string, RegExp][] = [
    ["https://10.0.0.2/fw.bin", /https:\/\/ needs the CA that signed the image server's certificate \(config ota.ca\)/],
    ["http://updates.example.com/fw.bin", /host "updates\.example\.com" is a name and this device has no DNS resolver/],
    ["http://10.0.0.2", /no path/],
    ["http://10.0.0.2:8080", /no path/],
    ["http://10.0.0.2:0/fw.bin", /port 0 is out of range 1-65535/],
    ["http://10.0.0.2:65536/fw.bin", /port 65536 is out of range/],
    ["http://10.0.0.2:/fw.bin", /bad host or port/],
    ["http://256.0.0.1/fw.bin", /neither a host name nor an IPv4 address/],
    ["http://[::1]/fw.bin", /IPv6/],
    ["http://user:pw@10.0.0.2/fw.bin", /user names and passwords/],
    ["http://10.0.0.2/fw image.bin", /percent-encode/],
    ["ftp://10.0.0.2/fw.bin", /expected http:\/\/<host name or IPv4 address>\[:port\]\/path/],
    [`http://10.0.0.2/${"a".repeat(1100)}`, /at most 1024/],
  ];
  for (const [url, message] of bad) {
    it(`refuses ${url.slice(0, 40)} at once, with reason url`, () => {
      let called = false;
      assert.throws(() => begin(url, 10, { onError: () => { called = true; } }), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.equal(error.reason, "url");
        assert.match(error.message, message);
        return true;
      });
      assert.equal(called, false);
    });
  }

  it("takes an IPv4 address, localhost, a default port and a query", () => {
    assert.deepEqual(parseHttpUrl("http://192.168.1.10:8080/sim/0.2.0.bin"), { address: "192.168.1.10", port: 8080, host: "192.168.1.10:8080", name: "192.168.1.10", path: "/sim/0.2.0.bin", secure: false });
    assert.deepEqual(parseHttpUrl("http://localhost/a?b=c#part"), { address: "127.0.0.1", port: 80, host: "localhost", name: "localhost", path: "/a?b=c", secure: false });
    assert.equal(parseHttpUrl("http://LOCALHOST:8080/a").address, "127.0.0.1");
    assert.deepEqual(parseHttpUrl("HTTP://10.0.0.2/"), { address: "10.0.0.2", port: 80, host: "10.0.0.2", name: "10.0.0.2", path: "/", secure: false });
    assert.deepEqual(parseHttpUrl("https://10.0.0.2/fw.bin"), { address: "10.0.0.2", port: 443, host: "10.0.0.2", name: "10.0.0.2", path: "/fw.bin", secure: true });
    assert.deepEqual(parseHttpUrl("https://10.0.0.2:8443/fw.bin"), { address: "10.0.0.2", port: 8443, host: "10.0.0.2:8443", name: "10.0.0.2", path: "/fw.bin", secure: true });
  });

  it("refuses bad arguments with RangeError or TypeError", () => {
    assert.throws(() => begin("http://10.0.0.2/a", 0), /RangeError: size must be a positive integer, got 0/);
    assert.throws(() => begin("http://10.0.0.2/a", 10, { offset: 10 }), /RangeError: offset must be an integer from 0 to size - 1 \(9\), got 10/);
    assert.throws(() => begin("http://10.0.0.2/a", 10, { idleTimeoutMs: 0 }), /RangeError: idleTimeoutMs/);
    assert.throws(() => begin("http://10.0.0.2/a", 10, { onData: undefined as never }), /TypeError: onData must be a function/);
  });
});

/** An ECMA-419 socket the test scripts: nothing happens until the test calls open, deliver or fail. */
class ScriptedSocket {
  static last: ScriptedSocket;
  readonly options: SocketCallbacks;
  readonly writes: Buffer[] = [];
  closed = false;
  grant = 0;
  #incoming: Buffer[] = [];
  /** The buffer the last read() returned. */
  lastRead: ArrayBuffer | undefined;

  constructor(options: SocketCallbacks) {
    this.options = options;
    ScriptedSocket.last = this;
  }
  read(): ArrayBuffer | undefined {
    if (!this.#incoming.length) return undefined;
    const bytes = new Uint8Array(Buffer.concat(this.#incoming));
    this.#incoming = [];
    return (this.lastRead = bytes.buffer);
  }
  write(bytes: ArrayBuffer | ArrayBufferView): number {
    const view = ArrayBuffer.isView(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(bytes);
    if (view.length > this.grant) throw new Error("would block");
    this.grant -= view.length;
    this.writes.push(Buffer.from(view));
    return this.grant;
  }
  close(): void {
    this.closed = true;
  }

  open(grant = 5744): void {
    this.grant = grant;
    this.options.onWritable.call(this, grant);
  }
  deliver(bytes: Uint8Array | string): void {
    if (this.closed) return;
    this.#incoming.push(Buffer.from(bytes as Uint8Array));
    this.options.onReadable.call(this, this.#incoming.reduce((sum, chunk) => sum + chunk.length, 0));
  }
  fail(): void {
    if (!this.closed) this.options.onError.call(this, new Error("connection closed by peer"));
  }
  get request(): string {
    return Buffer.concat(this.writes).toString("latin1");
  }
}

function scripted(size: number, extra: Extra = {}) {
  const timers = new VirtualTimers();
  const run = begin("http://10.0.0.2:8080/fw/image.bin", size, { socket: { io: ScriptedSocket as unknown as SocketConstructor }, timers, ...extra });
  return { run, socket: ScriptedSocket.last, timers };
}

describe("HTTP download on a scripted socket", () => {
  const body = IMAGE.subarray(0, 500);
  const response = Buffer.concat([head("200 OK", { "Content-Type": "application/octet-stream", "Content-Length": 500 }), body]);

  it("a name the DNS server never answers for is reported as such, and the idle time starts only once there is an address", () => {
    const silent = { io: class { resolve() {} close() {} } };
    const timers = new VirtualTimers();
    const run = begin("http://images.lan/fw.bin", 500, { socket: { io: ScriptedSocket as unknown as SocketConstructor }, dns: silent, timers, idleTimeoutMs: 1000 });
    timers.advance(999);
    assert.deepEqual(run.events, []);
    timers.advance(1);
    assert.deepEqual(run.events, ["error connect"]);
    assert.match(run.error!.message, /no answer for host name "images\.lan" within 1000 ms/);

    let answer: ((host: string, address: string) => void) | undefined;
    const slow = { io: class { resolve(request: { onResolved(host: string, address: string): void }) { answer = request.onResolved; } close() {} } };
    const late = begin("http://images.lan/fw.bin", 500, { socket: { io: ScriptedSocket as unknown as SocketConstructor }, dns: slow, timers, idleTimeoutMs: 1000 });
    timers.advance(900);
    answer!("images.lan", "10.0.0.9");
    timers.advance(999);
    assert.deepEqual(late.events, [], "a full idle time for the connection after a slow answer");
    assert.equal(ScriptedSocket.last.options.address, "10.0.0.9");
    timers.advance(1);
    assert.deepEqual(late.events, ["error timeout"]);
  });

  it("sends the request in as many writes as the socket grants room for", () => {
    const { run, socket } = scripted(500, { offset: 20 });
    for (let grants = 0; grants < 100 && !socket.request.endsWith("\r\n\r\n"); grants++) socket.open(7);
    assert.ok(socket.writes.every((write) => write.length <= 7));
    assert.equal(socket.request, "GET /fw/image.bin HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nRange: bytes=20-\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n");
    assert.deepEqual(run.events, []);
  });

  it("gets the same bytes however the response is split into reads (every two-way split, random splits)", () => {
    for (let cut = 0; cut <= response.length; cut++) {
      const { run, socket } = scripted(500);
      socket.open();
      socket.deliver(response.subarray(0, cut));
      socket.deliver(response.subarray(cut));
      checkContract(run);
      assert.ok(run.done && run.body.equals(body), `split at ${cut}`);
      assert.ok(socket.closed);
    }
    const random = seededRandom(9112);
    for (let round = 0; round < 200; round++) {
      const { run, socket } = scripted(500);
      socket.open();
      for (const chunk of randomChunks(response, random)) socket.deliver(chunk);
      checkContract(run);
      assert.ok(run.done && run.body.equals(body), `round ${round}`);
    }
  });

  it("hands body bytes over as views of the buffer read() returned", () => {
    const { run, socket } = scripted(500);
    socket.open();
    socket.deliver(response);
    assert.equal(run.chunks.length, 1);
    assert.equal(run.chunks[0].buffer, socket.lastRead);
  });

  const refusals: [string, Buffer, number, DownloadFailure, RegExp][] = [
    ["200 without Content-Length", head("200 OK", {}), 0, "protocol", /no Content-Length/],
    ["conflicting Content-Length fields", Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 500\r\nContent-Length: 501\r\n\r\n"), 0, "protocol", /conflicting Content-Length values 500 and 501/],
    ["a bad Content-Length", head("200 OK", { "Content-Length": "5e2" }), 0, "protocol", /bad Content-Length "5e2"/],
    ["206 to a request without Range", head("206 Partial Content", { "Content-Range": "bytes 0-499/500" }), 0, "protocol", /206 Partial Content to a request without Range/],
    ["206 with another range", head("206 Partial Content", { "Content-Range": "bytes 100-499/500" }), 200, "protocol", /Content-Range: bytes 100-499\/500; expected bytes 200-499\/500/],
    ["206 of another file", head("206 Partial Content", { "Content-Range": "bytes 200-599/600" }), 200, "protocol", /server has 600 bytes \(Content-Range\), the manifest says 500/],
    ["206 without Content-Range", head("206 Partial Content", { "Content-Length": 300 }), 200, "protocol", /without Content-Range; expected bytes 200-499\/500/],
    ["206 whose Content-Length disagrees", head("206 Partial Content", { "Content-Range": "bytes 200-499/500", "Content-Length": 299 }), 200, "protocol", /Content-Length 299 with Content-Range/],
    ["gzip content coding", head("200 OK", { "Content-Length": 500, "Content-Encoding": "gzip" }), 0, "protocol", /Content-Encoding: gzip/],
    ["a folded header line", Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n folded\r\n\r\n"), 0, "protocol", /malformed header line " folded"/],
    ["a redirect", head("301 Moved Permanently", { Location: "http://10.0.0.3/fw.bin" }), 0, "status", /HTTP 301 Moved Permanently .*redirects are not followed \(Location: http:\/\/10\.0\.0\.3\/fw\.bin\)/],
    ["416", head("416 Range Not Satisfiable", { "Content-Range": "bytes */100" }), 200, "status", /HTTP 416 .*shorter than 201 bytes; download from offset 0/],
    ["a binary greeting", Buffer.from("\x00\x01\x02\r\n\r\n", "latin1"), 0, "protocol", /not an HTTP\/1\.x status line: "\?\?\?"/],
  ];
  for (const [what, bytes, offset, reason, message] of refusals) {
    it(`refuses ${what}`, () => {
      const { run, socket } = scripted(500, { offset });
      socket.open();
      socket.deliver(bytes);
      checkContract(run);
      expectFailure(run, reason, message);
      assert.ok(socket.closed);
    });
  }

  it("refuses a header over MAX_HEADER_BYTES, arriving in pieces", () => {
    const { run, socket } = scripted(500);
    socket.open();
    socket.deliver("HTTP/1.1 200 OK\r\n");
    for (let i = 0; i < 100 && !ended(run); i++) socket.deliver(`X-Filler-${i}: ${"x".repeat(30)}\r\n`);
    expectFailure(run, "protocol", new RegExp(`header from 10\\.0\\.0\\.2:8080 is over ${MAX_HEADER_BYTES} bytes`));
    checkContract(run);
  });

  it("times out while connecting, in the header and in the body, counting from the last byte", () => {
    {
      const { run, timers } = scripted(500, { idleTimeoutMs: 1000 });
      timers.advance(999);
      assert.deepEqual(run.events, []);
      timers.advance(1);
      expectFailure(run, "timeout", /^no connection to 10\.0\.0\.2:8080 within 1000 ms$/);
    }
    {
      const { run, socket, timers } = scripted(500, { idleTimeoutMs: 1000 });
      timers.advance(600);
      socket.open();
      timers.advance(600);
      socket.deliver("HTTP/1.1 200 OK\r\n");
      timers.advance(999);
      assert.deepEqual(run.events, []);
      timers.advance(1);
      expectFailure(run, "timeout", /^no complete response header from 10\.0\.0\.2:8080 within 1000 ms$/);
      assert.ok(socket.closed);
    }
    {
      const { run, socket, timers } = scripted(500, { idleTimeoutMs: 1000 });
      socket.open();
      socket.deliver(response.subarray(0, response.length - 100));
      timers.advance(900);
      socket.deliver(response.subarray(response.length - 100, response.length - 50));
      timers.advance(900);
      assert.deepEqual(run.events, ["start 0", "data", "data"]);
      timers.advance(100);
      expectFailure(run, "timeout", /^10\.0\.0\.2:8080 sent nothing for 1000 ms after 450 of 500 body bytes$/);
      assert.equal(timers.pending, 0);
    }
  });

  it("reports a socket that cannot be opened from a timer, not from the constructor", () => {
    class Refusing {
      constructor() { throw new Error("no sockets left"); }
    }
    const { run, timers } = scripted(500, { socket: { io: Refusing as unknown as SocketConstructor } });
    assert.deepEqual(run.events, []);
    timers.advance(0);
    expectFailure(run, "connect", /^cannot open a socket to 10\.0\.0\.2:8080: no sockets left$/);
    timers.advance(60_000);
    checkContract(run);
  });

  it("closes the download when a callback throws, and lets the exception through", () => {
    const { run, socket } = scripted(500, { onData: () => { throw new Error("flash write failed"); } });
    socket.open();
    assert.throws(() => socket.deliver(response), /flash write failed/);
    assert.ok(socket.closed);
    socket.options.onError.call(socket, new Error("late"));
    assert.deepEqual(run.events, ["start 0"]);
  });

  it("stops when the caller closes from inside onStart", () => {
    const { run, socket } = scripted(500, { onStart: () => run.download.close() });
    socket.open();
    socket.deliver(response);
    assert.deepEqual(run.events, []);
    assert.ok(socket.closed);
  });
});
