/*
 * `embedded:io/socket/tcp` for the Node host: the ECMA-419 TCP socket class
 * on node:net, behaving as Moddable's lwIP implementation does
 * (modules/io/socket/lwip/tcp.c), so firmware that works here works there:
 *
 * - `address` must be an IP address (no host names; "invalid address");
 * - the first `onWritable(count)` means connected; `write()` before that
 *   throws "not ready", and writing more than the last granted count throws
 *   "would block" (the send buffer is SEND_BUFFER bytes, refilled as Node
 *   flushes it to the kernel);
 * - `onReadable(count)` reports bytes buffered; `read()` takes all of them,
 *   `read(n)` n of them, `read(buffer)` fills the buffer;
 * - `onError()` once when the peer closes or the connection fails, after
 *   buffered bytes have been read.
 *
 * Callbacks run from Node's event loop, never inside a call the firmware made.
 */

import net from "node:net";

/** lwIP's TCP_SND_BUF in Moddable's ESP32 builds (4 x TCP_MSS of 1436). */
export const SEND_BUFFER = 5744;

type Callback = ((this: TCP, count: number) => void) | undefined;

export interface TCPOptions {
  address?: string;
  host?: string;
  port?: number;
  nodelay?: boolean;
  format?: "buffer" | "number";
  onReadable?: (this: TCP, count: number) => void;
  onWritable?: (this: TCP, count: number) => void;
  onError?: (this: TCP, error?: Error) => void;
  target?: unknown;
}

export default class TCP {
  #socket: net.Socket | undefined;
  #chunks: Buffer[] = [];
  #available = 0;
  #unflushed = 0;
  #ready = false;
  #failed: Error | undefined;
  #format: "buffer" | "number";
  readonly #onReadable: Callback;
  readonly #onWritable: Callback;
  readonly #onError: ((this: TCP, error?: Error) => void) | undefined;
  target: unknown;

  constructor(options: TCPOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TCP options must be an object");
    if (options.host !== undefined && options.address === undefined) throw new RangeError("unimplemented: host names need DNS first; pass address");
    const address = options.address;
    if (typeof address !== "string" || net.isIP(address) === 0) throw new Error("invalid address");
    const port = options.port;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError("invalid port");
    this.#format = options.format ?? "buffer";
    if (this.#format !== "buffer" && this.#format !== "number") throw new RangeError("unimplemented format");
    this.#onReadable = options.onReadable;
    this.#onWritable = options.onWritable;
    this.#onError = options.onError;
    this.target = options.target;

    const socket = net.connect({ host: address, port, noDelay: options.nodelay ?? false });
    this.#socket = socket;
    socket.on("connect", () => {
      this.#ready = true;
      this.#onWritable?.call(this, SEND_BUFFER);
    });
    socket.on("data", (data: Buffer) => {
      this.#chunks.push(data);
      this.#available += data.length;
      this.#onReadable?.call(this, this.#available);
    });
    socket.on("error", (error) => {
      this.#failed ??= error;
    });
    socket.on("close", () => {
      this.#failed ??= new Error("connection closed by peer");
      this.#ready = false;
      this.#socket = undefined;
      this.#deliverError();
    });
  }

  get format(): "buffer" | "number" {
    return this.#format;
  }
  set format(value: "buffer" | "number") {
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
    let bytes: Buffer;
    if (typeof value === "number") bytes = Buffer.from([value & 0xff]);
    else if (ArrayBuffer.isView(value)) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    else if (value instanceof ArrayBuffer) bytes = Buffer.from(value);
    else throw new TypeError("write needs a buffer or a byte");
    if (bytes.length > SEND_BUFFER - this.#unflushed) throw new Error("would block");
    this.#unflushed += bytes.length;
    // Copy: the firmware may reuse its buffer as soon as write returns.
    socket.write(Buffer.from(bytes), () => {
      this.#unflushed -= bytes.length;
      if (this.#ready && !this.#failed) this.#onWritable?.call(this, SEND_BUFFER - this.#unflushed);
    });
    return SEND_BUFFER - this.#unflushed;
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#ready = false;
    this.#chunks = [];
    this.#available = 0;
    this.#failed ??= new Error("closed");
    socket?.destroy();
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
    if (error.message === "closed") return; // closed by the firmware itself: no callback
    onError.call(this, error);
  }
}
