/*
 * What the Node host's ECMA-419 stream sockets share (`embedded:io/socket/tcp`
 * in ./tcp.ts, `embedded:io/socket/tcp/tls` in ./tls.ts): the callback and
 * buffer rules of Moddable's lwIP socket (modules/io/socket/lwip/tcp.c), on a
 * node:net or node:tls socket that a subclass opens and hands to `attach()`:
 *
 * - the first `onWritable(count)` means ready (connected; for TLS, the
 *   handshake finished); `write()` before that throws "not ready", and writing
 *   more than the last granted count throws "would block" (the send buffer is
 *   `capacity` bytes, refilled as Node flushes it to the kernel);
 * - `onReadable(count)` reports bytes buffered; `read()` takes all of them,
 *   `read(n)` n of them, `read(buffer)` fills the buffer;
 * - `onError(error)` once when the peer closes or the connection fails, after
 *   buffered bytes have been read; never after `close()`.
 *
 * Callbacks run from Node's event loop, never inside a call the firmware made.
 */

import net from "node:net";

/** lwIP's TCP_SND_BUF in Moddable's ESP32 builds (4 x TCP_MSS of 1436). */
export const SEND_BUFFER = 5744;

export type Format = "buffer" | "number";

/** The options every stream socket takes. */
export interface StreamSocketOptions<Self> {
  address?: string;
  port?: number;
  nodelay?: boolean;
  format?: Format;
  onReadable?: (this: Self, count: number) => void;
  onWritable?: (this: Self, count: number) => void;
  onError?: (this: Self, error?: Error) => void;
  target?: unknown;
}

/** Checks `address` (an IP address, as lwIP takes) and `port`; returns them. */
export function checkEndpoint(options: { address?: unknown; port?: unknown }): { address: string; port: number } {
  const address = options.address;
  if (typeof address !== "string" || net.isIP(address) === 0) throw new Error("invalid address");
  const port = options.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError("invalid port");
  return { address, port };
}

type Callback = ((this: unknown, count: number) => void) | undefined;

export abstract class StreamSocket {
  #socket: net.Socket | undefined;
  #chunks: Buffer[] = [];
  #available = 0;
  #unflushed = 0;
  /** Written this turn, not yet handed to Node: `#pendingLength` bytes of `#pending`. */
  #pending: Buffer | undefined;
  #pendingLength = 0;
  /** Turn buffers Node has finished writing, for reuse. */
  #spare: Buffer[] = [];
  #ready = false;
  #failed: Error | undefined;
  #format: Format;
  readonly #capacity: number;
  readonly #onReadable: Callback;
  readonly #onWritable: Callback;
  readonly #onError: ((this: unknown, error?: Error) => void) | undefined;
  target: unknown;

  /** `capacity`: the count the first onWritable grants, and the most a write may hold unflushed. */
  protected constructor(options: StreamSocketOptions<never>, capacity: number) {
    this.#format = options.format ?? "buffer";
    if (this.#format !== "buffer" && this.#format !== "number") throw new RangeError("unimplemented format");
    this.#capacity = capacity;
    this.#onReadable = options.onReadable as Callback;
    this.#onWritable = options.onWritable as Callback;
    this.#onError = options.onError as ((this: unknown, error?: Error) => void) | undefined;
    this.target = options.target;
  }

  /**
   * Takes over `socket`: `ready` is its event that means the firmware may
   * write ("connect" for TCP, "secureConnect" for TLS); `reads`: "onread" when the
   * subclass opened it with net's `onread` option and passes data to `received()`.
   */
  protected attach(socket: net.Socket, ready: "connect" | "secureConnect", reads: "data" | "onread" = "data"): void {
    this.#socket = socket;
    socket.on(ready, () => {
      if (this.#socket !== socket) return;
      this.#ready = true;
      this.#onWritable?.call(this, this.#capacity);
    });
    if (reads === "data") socket.on("data", (data: Buffer) => this.received(socket, data));
    socket.on("error", (error) => {
      this.#failed ??= this.describeError(error, this.#ready);
    });
    socket.on("close", () => {
      this.#failed ??= this.describeError(new Error("connection closed by peer"), this.#ready);
      this.#ready = false;
      this.#socket = undefined;
      this.#deliverError();
    });
  }

  /**
   * Bytes arrived on `socket`, which the firmware reads later: `data` must be
   * the socket's to keep. A subclass whose socket reads with `onread` (into one
   * reused buffer, without Node's stream machinery) hands a copy here.
   */
  protected received(socket: net.Socket, data: Buffer): void {
    if (this.#socket !== socket) return;
    this.#chunks.push(data);
    this.#available += data.length;
    this.#onReadable?.call(this, this.#available);
  }

  /** The Error onError reports for what Node reported; `ready` tells whether it came after the socket was ready. */
  protected describeError(error: Error, _ready: boolean): Error {
    return error;
  }

  /** The underlying socket while it is open. */
  protected get socket(): net.Socket | undefined {
    return this.#socket;
  }

  get format(): Format {
    return this.#format;
  }
  set format(value: Format) {
    if (value !== "buffer" && value !== "number") throw new RangeError("unimplemented format");
    this.#format = value;
  }

  get remoteAddress(): string | undefined {
    return this.#socket?.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.#socket?.remotePort;
  }

  read(request?: number | ArrayBuffer | ArrayBufferView): number | ArrayBuffer | undefined {
    if (this.#available === 0) return undefined;
    if (this.#format === "number") return this.#take(1)[0];
    if (request === undefined) return this.#take(this.#available).buffer;
    if (typeof request === "number") {
      if (!(request > 0) || request > this.#available) throw new Error("invalid");
      return this.#take(request).buffer;
    }
    const into = ArrayBuffer.isView(request) ? new Uint8Array(request.buffer, request.byteOffset, request.byteLength) : new Uint8Array(request);
    if (into.length === 0 || into.length > this.#available) throw new Error("invalid");
    into.set(this.#take(into.length));
    return into.length;
  }

  write(value: number | ArrayBuffer | ArrayBufferView): number | undefined {
    if (!this.#ready) throw new Error("not ready");
    const socket = this.#socket;
    if (!socket || this.#failed) return undefined;
    let bytes: Uint8Array;
    if (typeof value === "number") bytes = Uint8Array.of(value & 0xff);
    else if (value instanceof Uint8Array) bytes = value;
    else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
    else throw new TypeError("write needs a buffer or a byte");
    const capacity = this.#capacity;
    if (bytes.length > capacity - this.#unflushed) throw new Error("would block");
    this.#unflushed += bytes.length;
    // Copied, since the firmware may reuse its buffer as soon as write returns, into one buffer
    // per turn: as lwIP does (tcp_write with TCP_WRITE_FLAG_MORE, one tcp_output once the machine
    // is done with the current event), what is written in one turn of the event loop goes out
    // together, on the next turn. Unflushed bytes never exceed the capacity, so neither does it.
    let pending = this.#pending;
    if (!pending) {
      pending = this.#pending = this.#spare.pop() ?? Buffer.allocUnsafe(capacity);
      setImmediate(() => this.#output(socket));
    }
    pending.set(bytes, this.#pendingLength);
    this.#pendingLength += bytes.length;
    return capacity - this.#unflushed;
  }

  /** Hands the turn's writes to Node in one write; one onWritable when the kernel has them. */
  #output(socket: net.Socket): void {
    const pending = this.#pending;
    const length = this.#pendingLength;
    this.#pending = undefined;
    this.#pendingLength = 0;
    if (this.#socket !== socket || !pending || !length) return;
    const capacity = this.#capacity;
    socket.write(pending.subarray(0, length), () => {
      this.#unflushed -= length;
      this.#spare.push(pending);
      if (this.#ready && !this.#failed && this.#socket === socket) this.#onWritable?.call(this, capacity - this.#unflushed);
    });
  }

  /** Stops all callbacks at once; bytes already written still go out, then FIN (as lwIP's tcp_close). */
  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#ready = false;
    this.#chunks = [];
    this.#available = 0;
    this.#failed ??= CLOSED;
    if (!socket) return;
    const pending = this.#pending?.subarray(0, this.#pendingLength);
    this.#pending = undefined;
    this.#pendingLength = 0;
    if (socket.destroyed) return;
    if (pending?.length) socket.end(pending);
    else socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  #take(count: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.#chunks[0];
      const use = Math.min(chunk.length, count - filled);
      out.set(chunk.subarray(0, use), filled);
      filled += use;
      if (use === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(use);
    }
    this.#available -= count;
    if (this.#available === 0 && !this.#socket) queueMicrotask(() => this.#deliverError());
    return out;
  }

  /** onError waits until buffered bytes are read, as lwIP's tcpDeliver does. */
  #deliverError(): void {
    if (this.#available > 0 || !this.#failed || !this.#onError) return;
    const onError = this.#onError;
    const error = this.#failed;
    this.#failed = undefined; // once
    if (error === CLOSED) return; // closed by the firmware itself: no callback
    onError.call(this, error);
  }
}

/** Marks a socket the firmware closed itself. */
const CLOSED = new Error("closed");
