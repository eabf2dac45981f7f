/*
 * `embedded:io/socket/tcp` for the XS host: a proxy for the Node host's TCP
 * class (sim/node/modules/tcp.ts) on the other side of the bridge, so both
 * hosts share one implementation of the socket's behaviour.
 */

import { call, onEvent } from "../bridge";

interface TCPOptions {
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

const sockets = new Map<number, TCP>();

onEvent("tcp", (header) => {
  const socket = sockets.get(header.id as number);
  if (socket) socket.deliver(header.what as string, header.count as number, header.message as string);
});

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export default class TCP {
  readonly #id: number;
  readonly #options: TCPOptions;
  target: unknown;

  constructor(options: TCPOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TCP options must be an object");
    const { onReadable, onWritable, onError, target, ...settings } = options;
    this.#id = call("tcp.open", settings).header.id as number;
    this.#options = { onReadable, onWritable, onError };
    this.target = target;
    sockets.set(this.#id, this);
  }

  /** Called by the bridge for socket events. */
  deliver(what: string, count: number, message: string): void {
    if (what === "readable") this.#options.onReadable?.call(this, count);
    else if (what === "writable") this.#options.onWritable?.call(this, count);
    else {
      sockets.delete(this.#id);
      this.#options.onError?.call(this, new Error(message));
    }
  }

  get format(): string {
    return call("tcp.format", { id: this.#id }).header.format as string;
  }
  set format(value: string) {
    call("tcp.format", { id: this.#id, format: value });
  }

  get remoteAddress(): string | undefined {
    return call("tcp.remote", { id: this.#id }).header.address as string | undefined;
  }
  get remotePort(): number | undefined {
    return call("tcp.remote", { id: this.#id }).header.port as number | undefined;
  }

  read(request?: number | ArrayBuffer | ArrayBufferView): number | ArrayBuffer | undefined {
    if (request === undefined || typeof request === "number") {
      const answer = call("tcp.read", { id: this.#id, count: request });
      if (answer.header.value !== undefined) return answer.header.value as number;
      if (answer.header.none) return undefined;
      return answer.payload.slice().buffer;
    }
    const into = bytesOf(request);
    const answer = call("tcp.read", { id: this.#id, count: into.length });
    if (answer.header.none) return undefined;
    into.set(answer.payload);
    return into.length;
  }

  write(value: number | ArrayBuffer | ArrayBufferView): number | undefined {
    const payload = typeof value === "number" ? Uint8Array.of(value) : bytesOf(value);
    return call("tcp.write", { id: this.#id }, payload).header.writable as number | undefined;
  }

  close(): void {
    if (!sockets.delete(this.#id)) return;
    call("tcp.close", { id: this.#id });
  }
}
