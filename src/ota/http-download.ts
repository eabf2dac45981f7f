/*
 * One firmware image over HTTP/1.1, streamed: each body chunk goes to the
 * caller (flash and hash) as it arrives and is never gathered in RAM.
 *
 * The request is `GET <path>` with `Connection: close`, plus
 * `Range: bytes=<offset>-` to resume. The response must be 200 with
 * Content-Length equal to `size`, or 206 with
 * `Content-Range: bytes <offset>-<size-1>/<size>`; no transfer or content
 * coding. The header is parsed from a buffer of MAX_HEADER_BYTES (a longer
 * one is refused); the body is never copied or gathered.
 *
 * Promises:
 * - bad arguments throw from the constructor: TypeError/RangeError naming the
 *   field, and DownloadError "url" for a url this client cannot fetch
 *   (`parseHttpUrl` checks one without downloading);
 * - every other failure reaches `onError` once, never from inside the
 *   constructor or `close()` (a socket that refuses to open is reported
 *   from a 0 ms timer);
 * - `onStart` once, before any `onData`; `onData` gets views of the buffers
 *   the socket's read() returned, never a byte past the image's end;
 *   `onDone` as soon as `size - start offset` body bytes arrived (bytes past
 *   them in the same read are "too-long"; later ones are never read);
 * - after `onDone`, `onError` or `close()` nothing is called and the socket
 *   is closed; `close()` is silent and safe twice;
 * - if a callback throws, the download closes and the exception propagates.
 */

import { resolveHost, type ResolverOptions } from "mqtt/resolver";
import type { TimerHandle, Timers } from "mqtt/timers";
import type { SocketInstance, SocketOptions } from "mqtt/transport";
import { checkResponse, DownloadError, type DownloadFailure, encodeGet, type HttpTarget, parseHttpUrl, parseResponseHead } from "ota/http-message";

export { DownloadError, type DownloadFailure, parseHttpUrl } from "ota/http-message";

export const MAX_HEADER_BYTES = 2048;
const DEFAULT_IDLE_TIMEOUT_MS = 15000;

export interface DownloadOptions {
  /** `{io: TCP, ...}`, as the MQTT transport takes it. */
  socket: SocketOptions;
  /**
   * For https:// URLs: a TLS socket's options (`{io: TLS, TCP: {io: TCP}, secure: {certificate: CA}}`,
   * `host` the server name, by default the URL's host). Without it https:// is refused ("url").
   */
  secureSocket?: SocketOptions;
  /** The DNS resolver for a URL that names its host (`{io: Resolver}`, src/mqtt/resolver.ts); without it such a URL is refused ("url"). */
  dns?: ResolverOptions;
  url: string;
  /** Resume: ask for the bytes from here on. Default 0. */
  offset?: number;
  /** The whole image's size in bytes (from the signed manifest). */
  size: number;
  timers: Timers;
  /** No bytes for this long while connecting, in the header or in the body -> "timeout". Default 15000. */
  idleTimeoutMs?: number;
  /** The header was accepted; the body starts at `offset`: the one asked for (206) or 0 (200, the server ignored Range). */
  onStart(start: { readonly offset: number }): void;
  /** Body bytes, in order. */
  onData(bytes: Uint8Array): void;
  /** Every body byte up to `size` arrived. */
  onDone(): void;
  onError(error: DownloadError): void;
}

type State =
  /** Looking the URL's host name up, or waiting for the socket's first onWritable. */
  | "connecting"
  /** Connected; sending the request and collecting the response header. */
  | "header"
  /** Header accepted; counting body bytes down. */
  | "body"
  /** onDone, onError or close(): nothing more happens. */
  | "ended";

export class HttpDownload {
  #state: State = "connecting";
  #socket: SocketInstance | undefined;
  /** Request bytes the socket has not taken yet. */
  #request: Uint8Array | undefined;
  #header: Uint8Array | undefined;
  #headerLength = 0;
  /** Bytes in the header line being scanned, CR not counted: 0 at a LF means the header ended. */
  #lineLength = 0;
  #start = 0;
  #remaining = 0;
  #received = 0;
  #lastActivity: number;
  #timer: TimerHandle | undefined;
  /** Cancels the host name look-up in progress. */
  #cancelLookup: (() => void) | undefined;
  /** The address the URL's host name resolved to. */
  #resolved: string | undefined;
  readonly #target: HttpTarget;
  readonly #offset: number;
  readonly #size: number;
  readonly #idleTimeoutMs: number;
  readonly #options: DownloadOptions;

  constructor(options: DownloadOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("HttpDownload options must be an object");
    const { size, offset = 0, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS, timers } = options;
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size) throw new RangeError(`offset must be an integer from 0 to size - 1 (${size - 1}), got ${offset}`);
    if (typeof idleTimeoutMs !== "number" || !(idleTimeoutMs > 0) || !Number.isFinite(idleTimeoutMs)) throw new RangeError(`idleTimeoutMs must be a positive number, got ${idleTimeoutMs}`);
    if (typeof options.socket?.io !== "function") throw new TypeError("socket.io must be a socket class, e.g. {io: TCP}");
    if (typeof timers?.set !== "function" || typeof timers.now !== "function") throw new TypeError("timers must implement Timers");
    for (const name of ["onStart", "onData", "onDone", "onError"] as const) {
      if (typeof options[name] !== "function") throw new TypeError(`${name} must be a function`);
    }
    this.#target = parseHttpUrl(options.url);
    const chosen = this.#target.secure ? options.secureSocket : options.socket;
    if (!chosen) throw new DownloadError("url", `url ${JSON.stringify(options.url)}: https:// needs the CA that signed the image server's certificate (config ota.ca)`);
    this.#options = options;
    this.#offset = offset;
    this.#size = size;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#request = encodeGet(this.#target, offset);
    this.#lastActivity = timers.now();

    const address = this.#target.address;
    if (address) {
      this.#arm(idleTimeoutMs);
      this.#open(chosen, address);
    }
    else {
      if (!options.dns) {
        throw new DownloadError("url", `url ${JSON.stringify(options.url)}: host "${this.#target.name}" is a name and this device has no DNS resolver for downloads`);
      }
      this.#cancelLookup = resolveHost({
        dns: options.dns, host: this.#target.name, timers, timeoutMs: idleTimeoutMs,
        onResolved: (resolved) => {
          // The idle time starts once there is an address to connect to: the look-up has its own limit.
          this.#cancelLookup = undefined;
          this.#resolved = resolved;
          this.#lastActivity = timers.now();
          this.#arm(idleTimeoutMs);
          this.#open(chosen, resolved);
        },
        onError: (error) => {
          this.#cancelLookup = undefined;
          this.#fail("connect", error.message, undefined, error);
        },
      });
    }
  }

  #open(chosen: SocketOptions, address: string): void {
    const download = this;
    const { io, ...extra } = chosen;
    const { timers } = this.#options;
    // TLS checks the certificate against `host`: the configured server name, or the URL's host.
    if (this.#target.secure) extra.host ??= this.#target.name;
    try {
      this.#socket = new io({
        ...extra,
        address,
        port: this.#target.port,
        nodelay: true,
        onReadable(count: number) { if (count > 0) download.#readable(); },
        onWritable(count: number) { download.#writable(count); },
        onError(error?: unknown) { download.#socketError(error); },
      });
    }
    catch (error) {
      timers.clear(this.#timer);
      this.#timer = timers.set(() => this.#fail("connect", `cannot open a socket to ${this.#where()}: ${describe(error)}`, undefined, error), 0);
    }
  }

  /** Body bytes delivered to onData so far. */
  get received(): number {
    return this.#received;
  }

  /** Stops now: closes the socket, calls nothing more. Safe twice. */
  close(): void {
    this.#end();
  }

  #where(): string {
    const { address, name, port } = this.#target;
    const resolved = this.#resolved;
    return address ? `${address}:${port}` : resolved ? `${name} (${resolved}):${port}` : `${name}:${port}`;
  }

  #arm(ms: number): void {
    this.#timer = this.#options.timers.set(() => this.#idle(), ms);
  }

  #idle(): void {
    this.#timer = undefined;
    if (this.#state === "ended") return;
    const quiet = this.#options.timers.now() - this.#lastActivity;
    const limit = this.#idleTimeoutMs;
    if (quiet < limit) {
      this.#arm(Math.max(1, limit - quiet));
      return;
    }
    const where = this.#where();
    const message =
      this.#state === "connecting" ? `no connection to ${where} within ${limit} ms`
      : this.#state === "header" ? `no ${this.#headerLength ? "complete " : ""}response header from ${where} within ${limit} ms`
      : `${where} sent nothing for ${limit} ms after ${this.#received} of ${this.#size - this.#start} body bytes`;
    this.#fail("timeout", message);
  }

  #writable(count: number): void {
    const socket = this.#socket;
    if (!socket || this.#state === "ended") return;
    if (this.#state === "connecting") {
      this.#state = "header";
      this.#lastActivity = this.#options.timers.now();
    }
    const request = this.#request;
    if (!request || count <= 0) return;
    const take = Math.min(count, request.length);
    try {
      socket.write(take === request.length ? request : request.subarray(0, take));
    }
    catch (error) {
      this.#fail("connect", `cannot send the request to ${this.#where()}: ${describe(error)}`, undefined, error);
      return;
    }
    this.#request = take === request.length ? undefined : request.subarray(take);
  }

  #socketError(error: unknown): void {
    const where = this.#where();
    if (this.#state === "connecting") this.#fail("connect", `cannot connect to ${where}: ${describe(error)}`, undefined, error);
    else if (this.#state === "header") this.#fail("truncated", `${where} closed the connection before the response header was complete (${this.#headerLength} bytes of it arrived)`, undefined, error);
    else if (this.#state === "body") {
      const at = this.#start + this.#received;
      this.#fail("truncated", `connection to ${where} closed after ${this.#received} of ${this.#size - this.#start} body bytes; resume from offset ${at}`, undefined, error);
    }
  }

  #readable(): void {
    const socket = this.#socket;
    if (!socket || this.#state === "ended") return;
    const data = socket.read();
    if (!data) return;
    this.#lastActivity = this.#options.timers.now();
    if (this.#state === "connecting") this.#state = "header";
    try {
      this.#receive(new Uint8Array(data));
    }
    catch (error) {
      this.#end();
      throw error;
    }
  }

  #receive(chunk: Uint8Array): void {
    let at = 0;
    while (this.#state === "header" && at < chunk.length) at = this.#scanHeader(chunk, at);
    if (this.#state === "body" && at < chunk.length) this.#body(at === 0 ? chunk : chunk.subarray(at));
  }

  /** Takes header bytes from chunk[from...] up to the empty line; returns where it stopped. */
  #scanHeader(chunk: Uint8Array, from: number): number {
    const header = (this.#header ??= new Uint8Array(MAX_HEADER_BYTES));
    const limit = Math.min(chunk.length, from + header.length - this.#headerLength);
    let line = this.#lineLength;
    let end = -1;
    for (let i = from; i < limit; i++) {
      const b = chunk[i];
      if (b === LF) {
        if (line === 0) {
          end = i + 1;
          break;
        }
        line = 0;
      }
      else if (b !== CR) line++;
    }
    if (end < 0 && limit < chunk.length) {
      this.#fail("protocol", `the response header from ${this.#where()} is over ${MAX_HEADER_BYTES} bytes`);
      return chunk.length;
    }
    const stop = end < 0 ? limit : end;
    header.set(chunk.subarray(from, stop), this.#headerLength);
    this.#headerLength += stop - from;
    this.#lineLength = line;
    if (end >= 0) this.#accept();
    return stop;
  }

  /** The header is complete: start the body, or fail. */
  #accept(): void {
    const head = parseResponseHead(this.#header!, this.#headerLength);
    this.#headerLength = 0;
    this.#lineLength = 0;
    if (typeof head === "string") return this.#fail("protocol", `${this.#where()}: ${head}`);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) return; // interim response: the final one follows
    this.#header = undefined;
    const start = checkResponse(head, { target: this.#target, offset: this.#offset, size: this.#size });
    if (typeof start !== "number") return this.#fail(start.reason, start.message, start.status);
    this.#state = "body";
    this.#start = start;
    this.#remaining = this.#size - start;
    this.#options.onStart({ offset: start });
  }

  #body(bytes: Uint8Array): void {
    const remaining = this.#remaining;
    const extra = bytes.length > remaining;
    const take = extra ? bytes.subarray(0, remaining) : bytes;
    if (take.length) {
      this.#remaining -= take.length;
      this.#received += take.length;
      this.#options.onData(take);
      if (this.#state === "ended") return;
    }
    if (extra) this.#fail("too-long", `${this.#where()} sent more than the ${this.#size - this.#start} body bytes it announced`);
    else if (this.#remaining === 0) {
      this.#end();
      this.#options.onDone();
    }
  }

  #fail(reason: DownloadFailure, message: string, status?: number, cause?: unknown): void {
    if (this.#state === "ended") return;
    this.#end();
    this.#options.onError(new DownloadError(reason, message, status, cause));
  }

  #end(): void {
    this.#state = "ended";
    this.#cancelLookup?.();
    this.#cancelLookup = undefined;
    this.#header = undefined;
    this.#request = undefined;
    if (this.#timer !== undefined) {
      this.#options.timers.clear(this.#timer);
      this.#timer = undefined;
    }
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    try {
      socket.close();
    }
    catch {
      // Already closed by the host; nothing more to release.
    }
  }
}

const CR = 0x0d;
const LF = 0x0a;

function describe(error: unknown): string {
  const message = (error as Error | undefined)?.message;
  return typeof message === "string" && message ? message : "socket error";
}
