/*
 * Register-level model of an LM75-family thermometer:
 * - "lm75b" (default): NXP LM75B, 11-bit temperature, 0.125 degC/LSB, the
 *   5 unused LSBs read 0 (NXP LM75B Rev. 6.1, 7.4.3, Tables 9 and 10);
 * - "lm75": the classic 9-bit LM75, 0.5 degC/LSB, D6..D0 undefined (National
 *   LM75 1.12; here they read 1010101b, so a driver that uses them is caught).
 *
 * Modelled: the pointer register (P1..P0; P7..P2 are 0 by the datasheets, and
 * ignored here), the 8-bit Conf register (power-up 00h, B7..B5 kept 0;
 * NXP Table 8, National 1.13) read and written one byte at a time, the
 * read-only Temp register, the Tos and Thyst registers (power-up 5000h =
 * 80 degC and 4B00h = 75 degC, 9 bits kept, the 7 LSBs read 0 on the LM75B;
 * NXP 7.4.4 and Table 5), and conversion timing: a conversion every 100 ms
 * while not shut down (NXP 7.1; "about 100 ms" National 1.13), none in
 * shutdown (B0 = 1), the first one 100 ms after power-up or wake-up. The
 * Temp register is double-buffered: read early, it holds the previous result;
 * before the first conversion it reads 0000h (NXP Table 5 gives no power-up
 * value: "n/a"). The chip powers up at its first bus transfer.
 * Not modelled: the OS output and its fault queue, the bus timeout.
 *
 * Faults: busy (the converter stops: the Temp register keeps its content,
 * as a real failure would look; no LM75 register can show it), outOfRange
 * (Temp reads 8000h, -128 degC, below the chip's -55 degC).
 */

import type { I2CTarget } from "./bus";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

/** Pointer values (NXP 7.4.1 Table 7). */
const Pointer = Object.freeze({ temperature: 0, configuration: 1, hysteresis: 2, overTemperature: 3 } as const);

/** Conf register bits (NXP Table 8). */
const Conf = Object.freeze({ shutdown: 0x01, writable: 0x1f } as const);

/** Power-up values (NXP Table 5; National 1.14). */
const POWER_UP = Object.freeze({ configuration: 0x00, hysteresis: 0x4b00, overTemperature: 0x5000 } as const);

const CONVERSION_MS = 100;
/** D6..D0 of a classic LM75's Temp register are undefined (National 1.12); the model fills them with this. */
const UNDEFINED_BITS = 0x55;

export type LM75Variant = "lm75b" | "lm75";

/** Degrees C to a Temp register word: LM75B 11 bits (NXP 7.4.3), LM75 9 bits with D6..D0 0 here. */
export function lm75Encode(celsius: number, variant: LM75Variant = "lm75b"): number {
  const bits = variant === "lm75b" ? 11 : 9;
  const lsb = variant === "lm75b" ? 0.125 : 0.5;
  const max = (1 << (bits - 1)) - 1, min = -(1 << (bits - 1));
  const counts = Math.max(min, Math.min(max, Math.round(celsius / lsb)));
  return (counts & ((1 << bits) - 1)) << (16 - bits);
}

export interface LM75ModelOptions {
  variant?: LM75Variant;
}

export class LM75Model extends SimulatedChip implements I2CTarget {
  readonly name = "lm75";
  readonly variant: LM75Variant;
  readonly #environment: Pick<Environment, "temperature">;
  #pointer: number = Pointer.temperature;
  #conf: number = POWER_UP.configuration;
  #hysteresis: number = POWER_UP.hysteresis;
  #overTemperature: number = POWER_UP.overTemperature;
  #temperature = 0x0000;
  #started = false;
  /** When the current run of conversions started, and how many results it has delivered. */
  #runStart = 0;
  #delivered = 0;

  constructor(environment: Pick<Environment, "temperature">, options: LM75ModelOptions = {}) {
    super();
    this.#environment = environment;
    const variant = options.variant ?? "lm75b";
    if (variant !== "lm75b" && variant !== "lm75") throw new RangeError(`LM75Model: variant must be "lm75b" or "lm75", not ${String(variant)}`);
    this.variant = variant;
  }

  /** A register's content (the Conf register in the low byte), for tests. */
  register(pointer: number): number {
    this.#run();
    switch (pointer & 3) {
      case Pointer.temperature: return this.#temperatureWord();
      case Pointer.configuration: return this.#conf;
      case Pointer.hysteresis: return this.#hysteresis;
      default: return this.#overTemperature;
    }
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#run();
    this.#pointer = bytes[0] & 3;
    if (bytes.length < 2) return;
    switch (this.#pointer) {
      case Pointer.configuration: {
        const conf = bytes[1] & Conf.writable;
        if ((this.#conf & Conf.shutdown) && !(conf & Conf.shutdown)) this.#startRun(this.now()); // woken: converting again
        this.#conf = conf;
        break;
      }
      case Pointer.hysteresis:
        if (bytes.length >= 3) this.#hysteresis = ((bytes[1] << 8) | bytes[2]) & 0xff80;
        break;
      case Pointer.overTemperature:
        if (bytes.length >= 3) this.#overTemperature = ((bytes[1] << 8) | bytes[2]) & 0xff80;
        break;
      default: break; // Temp is read-only
    }
  }

  read(count: number): Uint8Array {
    this.#run();
    const out = new Uint8Array(count);
    if (this.#pointer === Pointer.configuration) {
      out.fill(this.#conf); // an 8-bit register: every byte read returns it (an assumption past the first)
      return out;
    }
    const word = this.#pointer === Pointer.temperature ? this.#temperatureWord()
      : this.#pointer === Pointer.hysteresis ? this.#hysteresis : this.#overTemperature;
    for (let i = 0; i < count; i++) out[i] = i % 2 === 0 ? word >> 8 : word & 0xff;
    return out;
  }

  #temperatureWord(): number {
    if (this.faults.outOfRange) return 0x8000;
    return this.variant === "lm75" ? this.#temperature | UNDEFINED_BITS : this.#temperature;
  }

  #startRun(at: number): void {
    this.#runStart = at;
    this.#delivered = 0;
  }

  /** Power-up on first use, then the conversions completed by now. */
  #run(): void {
    const now = this.now();
    if (!this.#started) {
      this.#started = true;
      this.#startRun(now);
    }
    if (this.faults.busy || (this.#conf & Conf.shutdown)) return;
    const completed = Math.floor((now - this.#runStart) / CONVERSION_MS);
    if (completed > this.#delivered) {
      this.#delivered = completed;
      this.#temperature = lm75Encode(this.#environment.temperature(this.#runStart + completed * CONVERSION_MS), this.variant);
    }
  }
}
