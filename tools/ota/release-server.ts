/*
 * The static HTTP server `npm run release -- --serve` starts on the release
 * folder, for tests and demos: GET and HEAD, byte ranges ("Range: bytes=N-"
 * and "N-M", answered 206 with Content-Range, as a download resuming after a
 * dropped link asks), nothing outside the folder.
 */

import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createSecureServer } from "node:https";
import type { AddressInfo } from "node:net";
import { isAbsolute, join, relative, resolve } from "node:path";

export interface ReleaseServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Called for every request: method, path, range, status. */
  onRequest?(line: string): void;
  /** Send at most this many bytes per second (a slow link, for tests and demos). */
  bytesPerSecond?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

const CHUNK = 8192;

/** Streams `file`'s bytes start..end to `response`, paced to `rate` bytes per second when given. */
function send(file: string, start: number, end: number, response: ServerResponse, rate?: number): void {
  const stream = createReadStream(file, { start, end, highWaterMark: CHUNK });
  if (!rate) {
    stream.pipe(response);
    return;
  }
  stream.on("data", (chunk) => {
    stream.pause();
    response.write(chunk);
    setTimeout(() => stream.resume(), (1000 * chunk.length) / rate);
  });
  stream.on("end", () => response.end());
  response.on("close", () => stream.destroy());
}

export async function serveReleases(dir: string, options: ServeOptions = {}): Promise<ReleaseServer> {
  const root = resolve(dir);
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const range = request.headers.range;
    let path: string;
    try {
      path = decodeURIComponent((request.url ?? "/").split("?")[0]);
    }
    catch {
      path = "";
    }
    const file = join(root, path);
    const answer = (status: number, text?: string) => {
      options.onRequest?.(`${request.method} ${path}${range ? ` (${range})` : ""} -> ${status}`);
      if (text !== undefined) {
        response.writeHead(status, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) });
        response.end(text);
      }
    };
    if (request.method !== "GET" && request.method !== "HEAD") return answer(405, "only GET and HEAD\n");
    if (!path) return answer(400, "bad request path\n");
    const inside = relative(root, file);
    if (!inside || inside.startsWith("..") || isAbsolute(inside)) return answer(403, "outside the release folder\n");
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return answer(404, "not found\n");
      size = stat.size;
    }
    catch {
      return answer(404, "not found\n");
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!match || Number(match[1]) >= size || (match[2] && Number(match[2]) < Number(match[1]))) {
        answer(416);
        response.writeHead(416, { "Content-Range": `bytes */${size}` });
        response.end();
        return;
      }
      start = Number(match[1]);
      end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
      status = 206;
    }
    const headers: Record<string, string | number> = { "Content-Type": "application/octet-stream", "Content-Length": end - start + 1, "Accept-Ranges": "bytes" };
    if (status === 206) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    answer(status);
    response.writeHead(status, headers);
    if (request.method === "HEAD") return response.end();
    send(file, start, end, response, options.bytesPerSecond);
  };
  const server: Server = options.tls ? createSecureServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://${address.address}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
