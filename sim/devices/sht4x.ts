/*
 * Register-level model of the Sensirion SHT4x (SHT40, SHT41, SHT43, SHT45)
 * humidity and temperature sensor.
 * Datasheet: Sensirion "Datasheet SHT4x" (v6.x): Table 4 (timing), 4.3 (I2C
 * sequence), 4.4 (checksum), 4.5 (commands), 4.6 (conversion), serial
 * number, soft reset, 4.9 (heater).
 *
 * Modelled: the 8-bit commands (4.5); measurements at high, medium and low
 * precision that take the datasheet's maximum time (Table 4) and NACK a
 * read before then (4.3); the six-byte response, a CRC after each word
 * (4.4), readable once; the 32-bit serial number; soft reset, during which
 * the chip does not answer (tSR, Table 4); the six heater pulses, each
 * ending in a high-precision measurement of the heated sensor (4.9), with a
 * `heating` flag for tests.
 * Not modelled: the general-call reset; how much the heater warms the die
 * is not in the datasheet: the model adds 0.05 degC per mJ of heat
 * (10 degC for 200 mW over 1 s), enough to tell a heated reading apart.
 *
 * A byte that is not a command is not acknowledged (the model's choice: the
 * datasheet lists only valid commands); a command while a measurement or
 * a heater pulse is under way is acknowledged and ignored.
 */

import { I2CNackError, type I2CTarget } from "./bus";
import { crc8Sensirion, SimulatedChip } from "./chip";
import type { Environment } from "./environment";

type Precision = "high" | "medium" | "low";

/** 8-bit commands (4.5). */
const Command = Object.freeze({ readSerial: 0x89, softReset: 0x94 } as const);

/** Measurement commands (4.5) and their maximum durations in ms (Table 4). */
const Measure: Readonly<Record<number, { precision: Precision; ms: number }>> = Object.freeze({
  0xfd: { precision: "high", ms: 8.3 },
  0xf6: { precision: "medium", ms: 4.5 },
  0xe0: { precision: "low", ms: 1.6 },
});

/** Heater commands: power in mW, pulse length in ms at its maximum (4.5, 4.9, Table 4), then a high-precision measurement. */
const Heat: Readonly<Record<number, { power: number; ms: number }>> = Object.freeze({
  0x39: { power: 200, ms: 1100 }, 0x32: { power: 200, ms: 110 },
  0x2f: { power: 110, ms: 1100 }, 0x24: { power: 110, ms: 110 },
  0x1e: { power: 20, ms: 1100 }, 0x15: { power: 20, ms: 110 },
});

/** Soft reset time tSR, ms (Table 4, max). */
const SOFT_RESET_MS = 1;
/** The model's heater warming, degC per mJ (not from the datasheet, see above). */
const DEGREES_PER_MJ = 0.05;

/** Raw temperature word for degrees C: the inverse of T = -45 + 175 * S_T / (2^16 - 1) (4.6). */
export function sht4xEncodeTemperature(celsius: number): number {
  return Math.max(0, Math.min(65535, Math.round(((celsius + 45) * 65535) / 175)));
}

/** Raw humidity word for percent RH: the inverse of RH = -6 + 125 * S_RH / (2^16 - 1) (4.6). */
export function sht4xEncodeHumidity(percent: number): number {
  return Math.max(0, Math.min(65535, Math.round(((percent + 6) * 65535) / 125)));
}

export interface SHT4xModelOptions {
  /** The address it answers at, for NACK messages (0x44, 0x45 or 0x46, 5.1). */
  address?: number;
  /** Its 32-bit serial number. */
  serial?: number;
}

type Pending =
  | { kind: "measure"; due: number; warming: number; heatUntil: number }   // data from `due` on
  | { kind: "serial" };

export class SHT4xModel extends SimulatedChip implements I2CTarget {
  readonly name = "sht4x";
  /** The 32-bit serial number. */
  serial: number;
  readonly #address: number;
  readonly #environment: Pick<Environment, "temperature" | "humidity">;
  #pending: Pending | undefined;
  #resetUntil = -Infinity;
  /** The last command taken, for tests. */
  lastCommand: number | undefined;

  constructor(environment: Pick<Environment, "temperature" | "humidity">, options: SHT4xModelOptions = {}) {
    super();
    this.#environment = environment;
    this.#address = options.address ?? 0x44;
    this.serial = (options.serial ?? 0x0d0e0f10) >>> 0;
  }

  /** A heater pulse is under way (4.9). */
  get heating(): boolean {
    const pending = this.#pending;
    return pending?.kind === "measure" && this.now() < pending.heatUntil;
  }

  write(bytes: Uint8Array): void {
    const now = this.now();
    if (now < this.#resetUntil) throw new I2CNackError(this.#address, "write");
    if (bytes.length === 0) return; // an address poll
    const command = bytes[0];
    const measure = Measure[command], heat = Heat[command];
    if (bytes.length !== 1 || (!measure && !heat && command !== Command.readSerial && command !== Command.softReset))
      throw new I2CNackError(this.#address, "write");
    if (this.#busy(now)) return;
    this.lastCommand = command;
    if (measure) this.#pending = { kind: "measure", due: now + measure.ms, warming: 0, heatUntil: now };
    else if (heat) {
      const heatUntil = now + heat.ms;
      this.#pending = { kind: "measure", due: heatUntil + Measure[0xfd].ms, warming: DEGREES_PER_MJ * heat.power * (heat.ms / 1100), heatUntil };
    }
    else if (command === Command.readSerial) this.#pending = { kind: "serial" };
    else {
      this.#pending = undefined;
      this.#resetUntil = now + SOFT_RESET_MS;
    }
  }

  read(count: number): Uint8Array {
    const now = this.now();
    const pending = this.#pending;
    // Resetting, nothing asked for, or still measuring: the read header is not acknowledged (4.3).
    if (now < this.#resetUntil || !pending || this.#busy(now)) throw new I2CNackError(this.#address, "read");
    let words: number[];
    if (pending.kind === "serial") words = [this.serial >>> 16, this.serial & 0xffff];
    else {
      // outOfRange: S_T = 0xFFFF, 130 degC, the top of the scale and 5 degC above the highest temperature the chip operates at ("Features", 2.2).
      const t = this.faults.outOfRange ? 0xffff : sht4xEncodeTemperature(this.#environment.temperature(pending.due) + pending.warming);
      words = [t, sht4xEncodeHumidity(this.#environment.humidity(pending.due))];
    }
    this.#pending = undefined;
    const bytes = new Uint8Array(count).fill(0xff);
    words.forEach((word, i) => {
      const frame = Uint8Array.of(word >> 8, word & 0xff, 0);
      const crc = crc8Sensirion(frame, 0, 2);
      frame[2] = this.faults.corruptCrc ? crc ^ 0xff : crc;
      for (let j = 0; j < 3 && i * 3 + j < count; j++) bytes[i * 3 + j] = frame[j];
    });
    return bytes;
  }

  /** A measurement (or heater pulse) under way; `busy` keeps it from ever finishing. */
  #busy(now: number): boolean {
    const pending = this.#pending;
    return pending?.kind === "measure" && (now < pending.due || this.faults.busy === true);
  }
}
