/*
 * A simulated 1-Wire bus, and the Moddable SDK's `onewire` class over it
 * (modules/drivers/onewire: search, select, write, read, reset, isPresent,
 * crc). ROM codes are in bus order: family code first, CRC last (Maxim
 * "1-Wire" ROM layout, DS18B20 datasheet "64-bit Lasered ROM Code").
 *
 * Like the I2C bus, it follows the firmware's rules and creates nothing at
 * module load.
 */

import { oneWireBus } from "./board";
import { crc8Maxim } from "./chip";
import type { OneWireDevice, SimulatedOneWireBus } from "./onewire-bus";

type BufferSource = ArrayBuffer | ArrayBufferView;

function bytesOf(value: BufferSource): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Moddable's `onewire` class on a simulated bus. */
export class SimulatedOneWire {
  #bus: SimulatedOneWireBus | undefined;
  #selected: OneWireDevice | undefined;

  constructor(options: { pin: number }) {
    if (typeof options?.pin !== "number" || !Number.isInteger(options.pin) || options.pin < 0) throw new Error("pin missing");
    this.#bus = oneWireBus(options.pin);
  }

  /** ROM codes of the devices present, as ArrayBuffers. */
  search(): ArrayBuffer[] {
    return this.#open().present().map((device) => device.rom.slice().buffer);
  }

  isPresent(rom: BufferSource): boolean {
    return this.#open().find(bytesOf(rom)) !== undefined;
  }

  /** Reset pulse; true when a device answers with a presence pulse. */
  reset(): boolean {
    const bus = this.#open();
    this.#selected = undefined;
    for (const device of bus.devices) device.reset();
    return bus.present().length > 0;
  }

  /** Reset, then Match ROM: only this device listens until the next reset. */
  select(rom: BufferSource): void {
    const code = bytesOf(rom);
    if (code.length !== 8) throw new Error("invalid id");
    this.reset();
    this.#selected = this.#open().find(code);
  }

  write(data: number | BufferSource): void {
    this.#open();
    const bytes = typeof data === "number" ? [data & 0xff] : bytesOf(data);
    for (const byte of bytes) this.#selected?.write(byte);
  }

  /** One byte, or `count` bytes as an ArrayBuffer. Nobody selected: the bus floats high (0xFF). */
  read(): number;
  read(count: number): ArrayBuffer;
  read(count?: number): number | ArrayBuffer {
    this.#open();
    if (count === undefined) return this.#selected ? this.#selected.read() : 0xff;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#selected ? this.#selected.read() : 0xff;
    return out.buffer;
  }

  close(): void {
    this.#bus = undefined;
    this.#selected = undefined;
  }

  static crc(buffer: BufferSource, count?: number): number {
    const bytes = bytesOf(buffer);
    return crc8Maxim(bytes, 0, count === undefined ? bytes.length : Math.min(count, bytes.length));
  }

  static hex(buffer: BufferSource): string {
    let out = "";
    for (const byte of bytesOf(buffer)) out += (byte < 16 ? "0" : "") + byte.toString(16);
    return out;
  }

  #open(): SimulatedOneWireBus {
    if (!this.#bus) throw new Error("OneWire is closed");
    return this.#bus;
  }
}
