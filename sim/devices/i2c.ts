/*
 * A simulated I2C bus and the ECMA-419 I2C and SMBus classes over it.
 *
 * Runs wherever the firmware runs (Node host, XS host, the Moddable desktop
 * simulator), so it follows the firmware's rules: no Node APIs, and no state
 * made at module load. Buses are created on first use, because a module the
 * Moddable simulator preloads keeps what it builds in read-only memory.
 *
 * Transfers follow the ECMA-419 I2C class (2nd edition, 9.4): `write(buffer,
 * stop)`, `read(countOrBuffer, stop)`; a target that does not acknowledge makes
 * the call throw, as Moddable's implementations do.
 */

import { simulatedI2CBus } from "./board";
import { I2CNackError, type I2CTarget, type SimulatedI2CBus } from "./bus";

function checkAddress(field: string, address: unknown): number {
  if (typeof address !== "number" || !Number.isInteger(address) || address < 0 || address > 0x7f)
    throw new RangeError(`${field} must be a 7-bit I2C address (0 to 0x7f), not ${String(address)}`);
  return address;
}

type BufferSource = ArrayBuffer | ArrayBufferView;

function bytesOf(buffer: BufferSource): Uint8Array {
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError("buffer must be an ArrayBuffer or a view of one");
}

export interface SimulatedI2COptions {
  address: number;
  port?: number;
  hz?: number;
  data?: number | string;
  clock?: number | string;
  format?: "buffer";
}

/** ECMA-419 I2C class on a simulated bus. */
export class SimulatedI2C {
  readonly #address: number;
  #bus: SimulatedI2CBus | undefined;

  constructor(options: SimulatedI2COptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("I2C options must be an object");
    this.#address = checkAddress("address", options.address);
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0) throw new RangeError(`port must be a bus number, not ${String(port)}`);
    if (options.hz !== undefined && !(options.hz > 0)) throw new RangeError(`hz must be a positive frequency, not ${String(options.hz)}`);
    if (options.format !== undefined && options.format !== "buffer") throw new RangeError(`format must be "buffer"`);
    this.#bus = simulatedI2CBus(port);
  }

  get format(): "buffer" {
    return "buffer";
  }
  set format(value: "buffer") {
    if (value !== "buffer") throw new RangeError(`format must be "buffer"`);
  }

  get address(): number {
    return this.#address;
  }

  write(buffer: BufferSource, stop = true): void {
    const bytes = bytesOf(buffer).slice();
    const target = this.#target("write");
    this.#glitch(target, bytes.length);
    target.write(bytes, stop);
  }

  read(count: number, stop?: boolean): ArrayBuffer;
  read(buffer: BufferSource, stop?: boolean): void;
  read(countOrBuffer: number | BufferSource, stop = true): ArrayBuffer | undefined {
    if (typeof countOrBuffer === "number") {
      if (!Number.isInteger(countOrBuffer) || countOrBuffer < 1) throw new RangeError(`read count must be a positive integer, not ${countOrBuffer}`);
      return this.#transferIn(countOrBuffer, stop).slice().buffer;
    }
    const into = bytesOf(countOrBuffer);
    into.set(this.#transferIn(into.length, stop));
    return undefined;
  }

  close(): void {
    this.#bus = undefined;
  }

  #transferIn(count: number, stop: boolean): Uint8Array {
    const target = this.#target("read");
    this.#glitch(target, count);
    const bytes = target.read(count, stop);
    if (bytes.length !== count) throw new Error(`simulated chip at 0x${this.#address.toString(16)} returned ${bytes.length} of ${count} bytes`);
    return bytes;
  }

  #target(what: string): I2CTarget {
    if (!this.#bus) throw new Error("I2C is closed");
    const target = this.#bus.target(this.#address);
    if (!target || target.faults?.absent) throw new I2CNackError(this.#address, what);
    return target;
  }

  /** An injected bus error: the transfer breaks after `busErrorAfter` bytes (once). */
  #glitch(target: I2CTarget, bytes: number): void {
    const after = target.faults?.busErrorAfter;
    if (after === undefined) return;
    if (after < bytes) {
      delete target.faults!.busErrorAfter;
      throw new Error(`I2C bus error after ${after} of ${bytes} bytes at address 0x${this.#address.toString(16)}`);
    }
    target.faults!.busErrorAfter = after - bytes;
  }
}

/** ECMA-419 SMBus class (register reads and writes) on a simulated bus. */
export class SimulatedSMBus extends SimulatedI2C {
  readUint8(register: number): number {
    this.write(Uint8Array.of(register), false);
    return new Uint8Array(this.read(1))[0];
  }
  writeUint8(register: number, value: number): void {
    this.write(Uint8Array.of(register, value));
  }
  readUint16(register: number, bigEndian = false): number {
    this.write(Uint8Array.of(register), false);
    const bytes = new Uint8Array(this.read(2));
    return bigEndian ? (bytes[0] << 8) | bytes[1] : bytes[0] | (bytes[1] << 8);
  }
  writeUint16(register: number, value: number, bigEndian = false): void {
    const high = (value >> 8) & 0xff, low = value & 0xff;
    this.write(bigEndian ? Uint8Array.of(register, high, low) : Uint8Array.of(register, low, high));
  }
  readBuffer(register: number, count: number): ArrayBuffer;
  readBuffer(register: number, buffer: BufferSource): void;
  readBuffer(register: number, countOrBuffer: number | BufferSource): ArrayBuffer | undefined {
    this.write(Uint8Array.of(register), false);
    if (typeof countOrBuffer === "number") return this.read(countOrBuffer);
    this.read(countOrBuffer);
    return undefined;
  }
  writeBuffer(register: number, buffer: BufferSource): void {
    const bytes = bytesOf(buffer);
    const out = new Uint8Array(bytes.length + 1);
    out[0] = register;
    out.set(bytes, 1);
    this.write(out);
  }
}
