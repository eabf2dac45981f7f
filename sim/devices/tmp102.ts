/*
 * Register-level model of the TI TMP102 digital temperature sensor.
 * Datasheet: TI SBOS397 ("TMP102 Low-Power Digital Temperature Sensor").
 *
 * Modelled: the pointer register (7.5.1), the temperature register in 12-bit
 * normal and 13-bit extended mode (7.5.2 and its temperature data format table),
 * the configuration register with its power-up value and read-only bits
 * (7.5.3), the limit registers and their power-up values (7.5.4).
 * Not modelled yet: conversion timing and the ALERT comparator; a read
 * returns the temperature at the moment of the read.
 */

import type { I2CTarget } from "./bus";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

/** Pointer register values P1..P0 (7.5.1). */
const Pointer = Object.freeze({ temperature: 0, configuration: 1, low: 2, high: 3 } as const);

/** Configuration register bits, byte 1 in bits 15..8 (7.5.3). */
const Config = Object.freeze({
  oneShot: 0x8000,
  resolution: 0x6000, // R1 R0, read-only 11: 12-bit converter
  shutdown: 0x0100,
  extendedMode: 0x0010,
  powerUp: 0x60a0,
} as const);

/** 0.0625 degC per least significant bit in both modes (7.5.2). */
const DEGREES_PER_LSB = 0.0625;

/** Converts degrees C to the register's left-justified two's complement form (7.5.2). */
export function tmp102Encode(celsius: number, extended: boolean): number {
  const bits = extended ? 13 : 12;
  const max = (1 << (bits - 1)) - 1, min = -(1 << (bits - 1));
  const counts = Math.max(min, Math.min(max, Math.round(celsius / DEGREES_PER_LSB)));
  const word = (counts & ((1 << bits) - 1)) << (16 - bits);
  return extended ? word | 1 : word; // bit 0 flags 13-bit data (7.5.2)
}

export class TMP102Model extends SimulatedChip implements I2CTarget {
  readonly name = "tmp102";
  #pointer: number = Pointer.temperature;
  #config: number = Config.powerUp;
  #low = 0x4b00;  // 75 degC (7.5.4)
  #high = 0x5000; // 80 degC (7.5.4)
  readonly #environment: Pick<Environment, "temperature">;

  constructor(environment: Pick<Environment, "temperature">) {
    super();
    this.#environment = environment;
  }

  /** Current register contents by pointer value, for tests. */
  register(pointer: number): number {
    switch (pointer & 3) {
      case Pointer.temperature: {
        // outOfRange: the scale's most negative code, -128 degC (12-bit) or -256 degC (13-bit), which the chip never converts to.
        if (this.faults.outOfRange) return (this.#config & Config.extendedMode) !== 0 ? 0x8001 : 0x8000;
        return tmp102Encode(this.#environment.temperature(this.now()), (this.#config & Config.extendedMode) !== 0);
      }
      case Pointer.configuration: return this.#config;
      case Pointer.low: return this.#low;
      default: return this.#high;
    }
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // P7..P2 are always 0 (7.5.1); the chip ignores them.
    this.#pointer = bytes[0] & 3;
    if (bytes.length < 3) return;
    const value = (bytes[1] << 8) | bytes[2];
    switch (this.#pointer) {
      case Pointer.configuration:
        // R1/R0 are read-only; OS reads back 0 after a one-shot completes in this model's instant conversion.
        this.#config = (value & ~(Config.resolution | Config.oneShot | 0x0020 | 0x000f)) | Config.resolution | (this.#config & 0x0020);
        break;
      case Pointer.low: this.#low = value & 0xfff0; break;
      case Pointer.high: this.#high = value & 0xfff0; break;
      default: break; // the temperature register is read-only
    }
  }

  read(count: number): Uint8Array {
    const word = this.register(this.#pointer);
    const out = new Uint8Array(count);
    // Each read transaction starts at the most significant byte (7.5, two-wire timing).
    for (let i = 0; i < count; i++) out[i] = i % 2 === 0 ? word >> 8 : word & 0xff;
    return out;
  }
}
