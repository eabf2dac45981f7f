/*
 * An in-memory ECMA-419 TCP socket for client tests, with the test playing
 * the network and the broker. Nothing happens by itself: the test opens,
 * feeds, starves, cuts or refuses the connection, and every callback runs
 * inside that call, so tests are exact and fast.
 *
 * It behaves as Moddable's lwIP socket does (see sim/node/modules/tcp.ts):
 * writable grants bound each write ("would block" past them), and write
 * before the connection opens throws "not ready".
 */

import { PacketReader } from "../../src/mqtt/reader";
import type { Packet } from "../../src/mqtt/packets";

interface Callbacks {
  address: string;
  port: number;
  onReadable?: (count: number) => void;
  onWritable?: (count: number) => void;
  onError?: (error?: Error) => void;
}

export class FakeSocket {
  /** Every socket created, newest last. */
  static readonly all: FakeSocket[] = [];
  static get last(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }
  static reset(): void {
    FakeSocket.all.length = 0;
  }

  readonly options: Callbacks;
  /** Bytes the client wrote, in order, one entry per write call. */
  readonly writes: Uint8Array[] = [];
  #incoming: Uint8Array[] = [];
  #grant = 0;
  #open = false;
  closed = false;
  /** accept() was called. */
  opened = false;
  readonly #reader = new PacketReader();
  #decoded: Packet[] = [];

  constructor(options: Callbacks) {
    this.options = options;
    FakeSocket.all.push(this);
  }

  // The socket interface the client uses.
  read(): ArrayBuffer | undefined {
    if (!this.#incoming.length) return undefined;
    const total = this.#incoming.reduce((sum, bytes) => sum + bytes.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const bytes of this.#incoming) { out.set(bytes, at); at += bytes.length; }
    this.#incoming = [];
    return out.buffer;
  }

  write(bytes: ArrayBuffer | ArrayBufferView): number {
    if (!this.#open) throw new Error("not ready");
    const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.length > this.#grant) throw new Error("would block");
    this.#grant -= view.length;
    this.writes.push(view.slice());
    this.#reader.push(view.slice(), (packet) => this.#decoded.push(packet));
    return this.#grant;
  }

  close(): void {
    this.closed = true;
  }

  // What the test does.
  /** The connection opens; the client may write `grant` bytes. */
  accept(grant = 5744): void {
    this.opened = true;
    this.#open = true;
    this.#grant = grant;
    this.options.onWritable?.(grant);
  }

  /** More send buffer frees up. */
  grant(count: number): void {
    this.#grant = count;
    this.options.onWritable?.(count);
  }

  /** Bytes from the broker. */
  deliver(bytes: Uint8Array): void {
    this.#incoming.push(bytes);
    this.options.onReadable?.(this.#incoming.reduce((sum, b) => sum + b.length, 0));
  }

  /** The connection fails or the peer closes it. */
  fail(message = "connection reset"): void {
    this.options.onError?.(new Error(message));
  }

  /** Packets the client sent, decoded; `take()` returns them and forgets them. */
  take(): Packet[] {
    const packets = this.#decoded;
    this.#decoded = [];
    return packets;
  }
}
