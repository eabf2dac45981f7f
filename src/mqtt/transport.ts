/*
 * Byte transport: one MQTT connection over an ECMA-419 socket.
 *
 * The socket class comes in options (`{io: TCP}`, or a TLS socket class with
 * its own extra options), as ECMA-419 network clients take it. The transport
 * turns the socket's callbacks into packets and a closed event:
 *
 * - `onOpen()` once, when the socket first reports it is writable (connected);
 * - `onPacket(packet)` for each packet read, in order;
 * - `onClose(error)` once, when the link ends for any reason: the peer closed,
 *   a socket error, malformed bytes, or `close()`. After it nothing else is called.
 *
 * Writes never exceed what `onWritable` granted (Moddable's sockets throw
 * "would block" past it); the rest waits in a queue that drains as the socket
 * grants room. `queued` tells how many bytes wait.
 */

import { MalformedPacketError } from "./errors";
import type { Packet } from "./packets";
import { PacketReader } from "./reader";

/** The ECMA-419 TCP socket surface the transport uses. */
export interface SocketInstance {
  read(): ArrayBuffer | undefined;
  write(bytes: ArrayBuffer | ArrayBufferView): unknown;
  close(): void;
}

export interface SocketCallbacks {
  address: string;
  port: number;
  nodelay?: boolean;
  onReadable(this: unknown, count: number): void;
  onWritable(this: unknown, count: number): void;
  onError(this: unknown, error?: unknown): void;
}

export interface SocketConstructor {
  new (options: SocketCallbacks & Record<string, unknown>): SocketInstance;
}

/** `{io: TCP}` plus any options the socket class takes (e.g. TLS settings). */
export interface SocketOptions {
  io: SocketConstructor;
  [option: string]: unknown;
}

/** Why a connection ended. */
export type LinkEndReason =
  | "closed"        // close() was called
  | "peer-closed"   // the broker or network closed the connection
  | "socket"        // the socket reported an error or refused to open
  | "dns"           // the broker's host name could not be resolved (no socket was opened)
  | "malformed";    // bytes that are not MQTT arrived

export class LinkError extends Error {
  override readonly name = "LinkError";
  readonly reason: LinkEndReason;
  constructor(reason: LinkEndReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

export interface TransportOptions {
  socket: SocketOptions;
  address: string;
  port: number;
  maxPacketSize?: number;
  onOpen(): void;
  onPacket(packet: Packet): void;
  onClose(error: LinkError): void;
}

export class Transport {
  #socket: SocketInstance | undefined;
  #writable = 0;
  #open = false;
  #queue: Uint8Array[] = [];
  #queueHead = 0;
  #queued = 0;
  #ending = false;
  readonly #reader: PacketReader;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#reader = new PacketReader({ maxPacketSize: options.maxPacketSize });
    const transport = this;
    const { io, ...extra } = options.socket;
    try {
      this.#socket = new io({
        ...extra,
        address: options.address,
        port: options.port,
        nodelay: true,
        onReadable(count: number) { transport.#readable(count); },
        onWritable(count: number) { transport.#grant(count); },
        onError(error?: unknown) { transport.#end(new LinkError(transport.#open ? "peer-closed" : "socket", transport.#open ? "connection closed by the broker or the network" : `cannot connect to ${options.address}:${options.port}`, error)); },
      });
    }
    catch (error) {
      // Refused synchronously (bad address, no socket): report like any other failure, but not re-entrantly.
      this.#socket = undefined;
      throw new LinkError("socket", `cannot open a socket to ${options.address}:${options.port}: ${(error as Error)?.message ?? String(error)}`, error);
    }
  }

  /** Bytes waiting for the socket to take them. */
  get queued(): number {
    return this.#queued;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Queues an encoded packet; writes at once as far as the socket allows. */
  send(bytes: Uint8Array): void {
    if (!this.#socket) return;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#open) this.#flush();
  }

  /** Ends the link now, dropping unsent bytes; `onClose` follows with reason "closed" unless it already ended. */
  close(): void {
    this.#end(new LinkError("closed", "connection closed by the client"));
  }

  /** Ends the link once every queued byte is written (the caller bounds the wait with `close()`). */
  end(): void {
    this.#ending = true;
    if (!this.#open || this.#queued === 0) this.close();
  }

  #grant(count: number): void {
    if (!this.#socket) return;
    this.#writable = count;
    if (!this.#open) {
      this.#open = true;
      this.#options.onOpen();
    }
    this.#flush();
  }

  #flush(): void {
    const socket = this.#socket;
    while (socket && this.#writable > 0 && this.#queueHead < this.#queue.length) {
      const bytes = this.#queue[this.#queueHead];
      const take = Math.min(bytes.length, this.#writable);
      const chunk = take === bytes.length ? bytes : bytes.subarray(0, take);
      try {
        socket.write(chunk);
      }
      catch (error) {
        this.#end(new LinkError("socket", `write failed: ${(error as Error)?.message ?? String(error)}`, error));
        return;
      }
      this.#writable -= take;
      this.#queued -= take;
      if (take === bytes.length) {
        this.#queue[this.#queueHead++] = EMPTY;
        if (this.#queueHead === this.#queue.length) {
          this.#queue.length = 0;
          this.#queueHead = 0;
        }
      }
      else this.#queue[this.#queueHead] = bytes.subarray(take);
    }
    if (this.#ending && this.#queued === 0) this.close();
  }

  #readable(count: number): void {
    const socket = this.#socket;
    if (!socket || count <= 0) return;
    const data = socket.read();
    if (!data) return;
    try {
      this.#reader.push(new Uint8Array(data), (packet) => {
        if (this.#socket) this.#options.onPacket(packet);
      });
    }
    catch (error) {
      if (error instanceof MalformedPacketError) this.#end(new LinkError("malformed", error.message, error));
      else throw error;
    }
  }

  #end(error: LinkError): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    this.#open = false;
    this.#queue = [];
    this.#queueHead = 0;
    this.#queued = 0;
    try {
      socket.close();
    }
    catch {
      // Already closed by the host; nothing more to release.
    }
    this.#options.onClose(error);
  }
}

const EMPTY = new Uint8Array(0);
