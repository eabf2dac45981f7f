/*
 * Streaming packet reader: socket reads in, whole packets out.
 *
 * Takes chunks of any size: a packet split across many reads, or many packets
 * in one read. A packet that lies whole inside one chunk is decoded from a
 * view of that chunk (no copy); only a packet split across reads is assembled
 * into a buffer of exactly its size. Memory is bounded by `maxPacketSize`,
 * checked as soon as the Remaining Length is known, before any allocation.
 *
 * After a MalformedPacketError the stream is out of step and the reader stays
 * failed: the connection must be closed.
 */

import { MAX_REMAINING_LENGTH } from "./constants";
import { checkFirstByte, decodePacket } from "./decoder";
import { MalformedPacketError } from "./errors";
import type { Packet } from "./packets";

const EMPTY = new Uint8Array(0);

const State = {
  /** Waiting for fixed header byte 1. */
  first: 0,
  /** Inside the Remaining Length bytes. */
  length: 1,
  /** Collecting a body split across reads. */
  body: 2,
  /** Stopped after malformed input. */
  failed: 3,
} as const;
Object.freeze(State);
type State = (typeof State)[keyof typeof State];

export interface PacketReaderOptions {
  /** Largest whole packet accepted, in bytes (fixed header included). */
  maxPacketSize?: number;
}

export class PacketReader {
  readonly maxPacketSize: number;
  #state: State = State.first;
  #first = 0;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #body: Uint8Array = EMPTY;
  #filled = 0;
  #failure: MalformedPacketError | undefined;

  constructor(options: PacketReaderOptions = {}) {
    const max = options.maxPacketSize ?? MAX_REMAINING_LENGTH + 5;
    if (!Number.isInteger(max) || max < 2) throw new RangeError(`maxPacketSize must be an integer of at least 2 bytes, not ${String(max)}`);
    this.maxPacketSize = max;
  }

  /** True between packets: no partial packet is buffered. */
  get idle(): boolean {
    return this.#state === State.first;
  }

  /** Bytes held for a packet split across reads. */
  get buffered(): number {
    return this.#state === State.body ? this.#filled : 0;
  }

  /**
   * Feeds bytes; calls `onPacket` for each whole packet, in order. Throws
   * MalformedPacketError for bad input (and keeps throwing afterwards).
   * An exception from `onPacket` propagates; bytes after that packet in this
   * chunk are not consumed.
   */
  push(chunk: Uint8Array, onPacket: (packet: Packet) => void): void {
    // A failed stream is out of step (4.8): refuse every push, an empty one too.
    if (this.#state === State.failed) throw this.#failure!;
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      switch (this.#state) {
        case State.first:
          this.#first = chunk[pos++];
          try {
            checkFirstByte(this.#first);
          }
          catch (error) {
            this.#failWith(error);
          }
          this.#length = 0;
          this.#multiplier = 1;
          this.#lengthBytes = 0;
          this.#state = State.length;
          break;

        case State.length: {
          const byte = chunk[pos++];
          this.#length += (byte & 0x7f) * this.#multiplier;
          this.#multiplier *= 128;
          this.#lengthBytes++;
          if (byte & 0x80) {
            if (this.#lengthBytes === 4) this.#fail(new MalformedPacketError("remaining-length", "Remaining Length runs past four bytes (2.2.3)"));
            break;
          }
          const size = 1 + this.#lengthBytes + this.#length;
          if (size > this.maxPacketSize)
            this.#fail(new MalformedPacketError("too-large", `packet of ${size} bytes exceeds the ${this.maxPacketSize}-byte limit`));
          if (this.#length === 0) {
            this.#state = State.first;
            this.#emit(EMPTY, onPacket);
          }
          else if (end - pos >= this.#length) {
            const body = chunk.subarray(pos, pos + this.#length);
            pos += this.#length;
            this.#state = State.first;
            this.#emit(body, onPacket);
          }
          else {
            this.#body = new Uint8Array(this.#length);
            this.#filled = 0;
            this.#state = State.body;
          }
          break;
        }

        case State.body: {
          const take = Math.min(this.#length - this.#filled, end - pos);
          this.#body.set(chunk.subarray(pos, pos + take), this.#filled);
          this.#filled += take;
          pos += take;
          if (this.#filled === this.#length) {
            const body = this.#body;
            this.#body = EMPTY;
            this.#state = State.first;
            this.#emit(body, onPacket);
          }
          break;
        }

        default:
          throw this.#failure!;
      }
    }
  }

  /** Forgets any partial packet and failure: for a new connection. */
  reset(): void {
    this.#state = State.first;
    this.#body = EMPTY;
    this.#filled = 0;
    this.#failure = undefined;
  }

  #emit(body: Uint8Array, onPacket: (packet: Packet) => void): void {
    let packet: Packet;
    try {
      packet = decodePacket(this.#first, body);
    }
    catch (error) {
      this.#failWith(error);
    }
    onPacket(packet);
  }

  /** Malformed bytes put the stream out of step for good; anything else just propagates. */
  #failWith(error: unknown): never {
    if (error instanceof MalformedPacketError) this.#fail(error);
    throw error;
  }

  #fail(error: MalformedPacketError): never {
    this.#state = State.failed;
    this.#failure = error;
    this.#body = EMPTY;
    throw error;
  }
}
