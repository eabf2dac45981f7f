/*
 * Register-level model of the Sensirion SHT3x-DIS (SHT30, SHT31, SHT35)
 * humidity and temperature sensor.
 * Datasheet: Sensirion "Datasheet SHT3x-DIS" (v6, Feb 2019); serial number:
 * Sensirion "Electronic Identification Code (EIC) / Serial Number, SHT3x"
 * (v3, Jan 2023); alert limits: Sensirion "Alert Mode of SHT3x- and
 * STS3x-DIS" (v3.1, Nov 2023).
 *
 * Modelled: the 16-bit command set (4.3-4.11), single-shot measurements
 * with and without clock stretching (Table 9) that take the datasheet's
 * maximum time (Table 4) and NACK a read before then (4.4); periodic
 * acquisition at 0.5 to 10 measurements per second and ART (Tables 10, 12)
 * with Fetch Data, which NACKs when nothing new was measured and clears the
 * result (4.6); break (4.8); soft reset, during which the chip does not
 * answer (4.9, tSR in Table 4); the heater (4.10); the status register with
 * its power-up value and clear command (4.11); a CRC after every word sent
 * (4.12); the 32-bit serial number (EIC note); the four alert limits with
 * their power-up values, written words checked against their CRC (alert
 * note, status bit 0).
 * Not modelled: the ALERT pin and the tracking-alert bits, clock
 * stretching's hold on the bus (a stretched read returns at once), the
 * nRESET pin and the general-call reset.
 *
 * Commands that the datasheet does not define, that arrive incomplete, or
 * that come while the chip cannot take them (a measurement command during
 * periodic acquisition: the datasheet asks for a break first, 4.8) are
 * acknowledged and not processed: status bit 1 tells (Table 18). A command
 * during a single-shot measurement is ignored the same way.
 */

import { I2CNackError, type I2CTarget } from "./bus";
import { crc8Sensirion, SimulatedChip } from "./chip";
import type { Environment } from "./environment";

type Repeatability = "high" | "medium" | "low";

/** 16-bit commands other than measurements (Tables 11-19; EIC note; alert note). */
const Command = Object.freeze({
  fetchData: 0xe000,          // Table 11
  art: 0x2b32,                // Table 12: periodic, 4 Hz
  break: 0x3093,              // Table 13
  softReset: 0x30a2,          // Table 14
  heaterOn: 0x306d,           // Table 16
  heaterOff: 0x3066,          // Table 16
  readStatus: 0xf32d,         // Table 17
  clearStatus: 0x3041,        // Table 19
  readSerialStretch: 0x3780,  // EIC note: clock stretching enabled
  readSerial: 0x3682,         // EIC note: clock stretching disabled
} as const);

/** Single-shot measurement commands (Table 9). */
const SingleShot: Readonly<Record<number, { repeatability: Repeatability; stretch: boolean }>> = Object.freeze({
  0x2c06: { repeatability: "high", stretch: true },
  0x2c0d: { repeatability: "medium", stretch: true },
  0x2c10: { repeatability: "low", stretch: true },
  0x2400: { repeatability: "high", stretch: false },
  0x240b: { repeatability: "medium", stretch: false },
  0x2416: { repeatability: "low", stretch: false },
});

/** Periodic acquisition commands: measurements per second and repeatability (Table 10). */
const Periodic: Readonly<Record<number, { mps: number; repeatability: Repeatability }>> = Object.freeze({
  0x2032: { mps: 0.5, repeatability: "high" }, 0x2024: { mps: 0.5, repeatability: "medium" }, 0x202f: { mps: 0.5, repeatability: "low" },
  0x2130: { mps: 1, repeatability: "high" }, 0x2126: { mps: 1, repeatability: "medium" }, 0x212d: { mps: 1, repeatability: "low" },
  0x2236: { mps: 2, repeatability: "high" }, 0x2220: { mps: 2, repeatability: "medium" }, 0x222b: { mps: 2, repeatability: "low" },
  0x2334: { mps: 4, repeatability: "high" }, 0x2322: { mps: 4, repeatability: "medium" }, 0x2329: { mps: 4, repeatability: "low" },
  0x2737: { mps: 10, repeatability: "high" }, 0x2721: { mps: 10, repeatability: "medium" }, 0x272a: { mps: 10, repeatability: "low" },
  [Command.art]: { mps: 4, repeatability: "high" }, // ART: 4 Hz (4.7)
});

/** Maximum measurement durations, ms, VDD >= 2.4 V (Table 4): the model always takes the longest. */
const MEASURE_MS = Object.freeze({ high: 15, medium: 6, low: 4 } as const);

/** Soft reset time tSR, ms (Table 4, max); the EIC note's tIDLE before reading the serial number without stretching. */
const SOFT_RESET_MS = 1.5;
const SERIAL_IDLE_MS = 1;

/** Status register bits (Table 18). Power-up: alert pending and reset detected set. */
export const SHT3xStatus = Object.freeze({
  alertPending: 0x8000,
  heater: 0x2000,
  rhAlert: 0x0800,
  tAlert: 0x0400,
  resetDetected: 0x0010,
  commandFailed: 0x0002,
  writeChecksumFailed: 0x0001,
  powerUp: 0x8010,
  clearable: 0x8c10, // bits 15, 11, 10, 4 (Table 19)
} as const);

/** Alert limit commands, read and write, by limit, and their power-up values (alert note: "limit commands", "default limits"). */
const AlertLimits = Object.freeze([
  { read: 0xe11f, write: 0x611d, powerUp: 0xcd33 }, // high set: 80 %RH, 60 degC
  { read: 0xe114, write: 0x6116, powerUp: 0xc92d }, // high clear: 79 %RH, 58 degC
  { read: 0xe109, write: 0x610b, powerUp: 0x3869 }, // low clear: 22 %RH, -9 degC
  { read: 0xe102, write: 0x6100, powerUp: 0x3466 }, // low set: 20 %RH, -10 degC
] as const);

/** Raw temperature word for degrees C: the inverse of T = -45 + 175 * S_T / (2^16 - 1) (4.13). */
export function sht3xEncodeTemperature(celsius: number): number {
  return Math.max(0, Math.min(65535, Math.round(((celsius + 45) * 65535) / 175)));
}

/** Raw humidity word for percent RH: the inverse of RH = 100 * S_RH / (2^16 - 1) (4.13). */
export function sht3xEncodeHumidity(percent: number): number {
  return Math.max(0, Math.min(65535, Math.round((percent * 65535) / 100)));
}

export interface SHT3xModelOptions {
  /** The address it answers at, for NACK messages (0x44 or 0x45, Table 7). */
  address?: number;
  /** Its 32-bit serial number. */
  serial?: number;
}

type Pending =
  | { kind: "single"; due: number; stretch: boolean }   // a single-shot measurement: data from `due` on
  | { kind: "words"; words: number[]; from: number };   // a response (status, serial, limit, fetched data) readable from `from`

export class SHT3xModel extends SimulatedChip implements I2CTarget {
  readonly name = "sht3x";
  /** The 32-bit serial number (EIC note). */
  serial: number;
  readonly #address: number;
  readonly #environment: Pick<Environment, "temperature" | "humidity">;
  #status: number = SHT3xStatus.powerUp;
  #pending: Pending | undefined;
  #periodic: { start: number; periodMs: number; repeatability: Repeatability; fetched: number; mps: number } | undefined;
  #resetUntil = -Infinity;
  readonly #limits: number[] = AlertLimits.map((limit) => limit.powerUp);
  /** The last command processed, for tests. */
  lastCommand: number | undefined;

  constructor(environment: Pick<Environment, "temperature" | "humidity">, options: SHT3xModelOptions = {}) {
    super();
    this.#environment = environment;
    this.#address = options.address ?? 0x44;
    this.serial = (options.serial ?? 0x1a2b3c4d) >>> 0;
  }

  /** The status register (Table 18), for tests. */
  get status(): number {
    return this.#status;
  }

  get heater(): boolean {
    return (this.#status & SHT3xStatus.heater) !== 0;
  }

  /** Periodic acquisition in force, if any, for tests. */
  get periodic(): { mps: number; repeatability: Repeatability } | undefined {
    const periodic = this.#periodic;
    return periodic && { mps: periodic.mps, repeatability: periodic.repeatability };
  }

  /** Alert limit words: high set, high clear, low clear, low set (alert note), for tests. */
  get alertLimits(): readonly number[] {
    return this.#limits.slice();
  }

  write(bytes: Uint8Array): void {
    const now = this.now();
    // During a soft reset the chip is not on the bus (4.9, tSR).
    if (now < this.#resetUntil) throw new I2CNackError(this.#address, "write");
    if (bytes.length === 0) return; // an address poll: acknowledged, nothing else
    if (bytes.length < 2) return this.#unprocessed();
    if (this.#pending?.kind === "single" && (now < this.#pending.due || this.faults.busy)) return this.#unprocessed();
    const command = (bytes[0] << 8) | bytes[1];
    const limit = AlertLimits.findIndex((entry) => entry.write === command);
    if (limit >= 0) return this.#writeLimit(limit, bytes);
    if (bytes.length !== 2) return this.#unprocessed();
    if (this.#periodic && !this.#takesDuringPeriodic(command)) return this.#unprocessed();
    this.#pending = undefined;
    this.#status &= ~SHT3xStatus.commandFailed;
    this.lastCommand = command;
    const single = SingleShot[command], periodic = Periodic[command];
    if (single) this.#pending = { kind: "single", due: now + MEASURE_MS[single.repeatability], stretch: single.stretch };
    else if (periodic) this.#periodic = { start: now, periodMs: 1000 / periodic.mps, repeatability: periodic.repeatability, fetched: -1, mps: periodic.mps };
    else switch (command) {
      case Command.fetchData: this.#fetch(now); break;
      case Command.break: this.#periodic = undefined; break;
      case Command.softReset: this.#reset(now); break;
      case Command.heaterOn: this.#status |= SHT3xStatus.heater; break;
      case Command.heaterOff: this.#status &= ~SHT3xStatus.heater; break;
      case Command.readStatus: this.#pending = { kind: "words", words: [this.#status], from: now }; break;
      case Command.clearStatus: this.#status &= ~SHT3xStatus.clearable; break;
      case Command.readSerialStretch: this.#pending = { kind: "words", words: this.#serialWords(), from: now }; break;
      case Command.readSerial: this.#pending = { kind: "words", words: this.#serialWords(), from: now + SERIAL_IDLE_MS }; break;
      default: {
        const read = AlertLimits.findIndex((entry) => entry.read === command);
        if (read >= 0) this.#pending = { kind: "words", words: [this.#limits[read]], from: now };
        else this.#unprocessed();
      }
    }
  }

  read(count: number): Uint8Array {
    const now = this.now();
    const pending = this.#pending;
    // Nothing to send, still measuring (without clock stretching, 4.4), or resetting: the read header is not acknowledged.
    if (now < this.#resetUntil || !pending) throw new I2CNackError(this.#address, "read");
    let words: number[];
    if (pending.kind === "single") {
      if (this.faults.busy || (!pending.stretch && now < pending.due)) throw new I2CNackError(this.#address, "read");
      words = this.#measure(pending.due);
    }
    else {
      if (now < pending.from) throw new I2CNackError(this.#address, "read");
      words = pending.words;
    }
    this.#pending = undefined;
    return this.#frame(words, count);
  }

  /** A measurement's words as at `time`: temperature, then humidity (4.4). */
  #measure(time: number): number[] {
    // outOfRange: S_T = 0, -45 degC, the bottom of the scale and 5 degC below the lowest temperature the chip is specified for (Table 2).
    const t = this.faults.outOfRange ? 0 : sht3xEncodeTemperature(this.#environment.temperature(time));
    return [t, sht3xEncodeHumidity(this.#environment.humidity(time))];
  }

  /** Words with a CRC after each (4.12); a master may stop reading early, and past the end the bus floats high. */
  #frame(words: number[], count: number): Uint8Array {
    const bytes = new Uint8Array(words.length * 3);
    words.forEach((word, i) => {
      bytes[i * 3] = word >> 8;
      bytes[i * 3 + 1] = word & 0xff;
      const crc = crc8Sensirion(bytes, i * 3, i * 3 + 2);
      bytes[i * 3 + 2] = this.faults.corruptCrc ? crc ^ 0xff : crc;
    });
    const out = new Uint8Array(count).fill(0xff);
    out.set(bytes.subarray(0, Math.min(count, bytes.length)));
    return out;
  }

  /** Fetch Data (4.6): the newest periodic result not yet fetched; afterwards the memory is empty. */
  #fetch(now: number): void {
    const periodic = this.#periodic;
    if (!periodic || this.faults.busy) return;
    const since = now - periodic.start - MEASURE_MS[periodic.repeatability];
    if (since < 0) return;
    const newest = Math.floor(since / periodic.periodMs);
    if (newest <= periodic.fetched) return;
    periodic.fetched = newest;
    this.#pending = { kind: "words", words: this.#measure(periodic.start + newest * periodic.periodMs + MEASURE_MS[periodic.repeatability]), from: now };
  }

  /** During periodic acquisition: fetch, break, reset, status, heater and alert limits; no other measurement or serial read (4.8). */
  #takesDuringPeriodic(command: number): boolean {
    return !SingleShot[command] && !Periodic[command] && command !== Command.readSerial && command !== Command.readSerialStretch;
  }

  /** Soft reset (4.9): power-up state, off the bus for tSR. */
  #reset(now: number): void {
    this.#status = SHT3xStatus.powerUp;
    this.#periodic = undefined;
    this.#pending = undefined;
    this.#limits.splice(0, this.#limits.length, ...AlertLimits.map((limit) => limit.powerUp));
    this.#resetUntil = now + SOFT_RESET_MS;
  }

  /** An alert limit write: command, word, CRC; a wrong CRC leaves the limit as it was and sets status bit 0 (4.11, 4.12). */
  #writeLimit(index: number, bytes: Uint8Array): void {
    if (bytes.length !== 5) return this.#unprocessed();
    this.#status &= ~SHT3xStatus.commandFailed;
    if (crc8Sensirion(bytes, 2, 4) !== bytes[4]) {
      this.#status |= SHT3xStatus.writeChecksumFailed;
      return;
    }
    this.#status &= ~SHT3xStatus.writeChecksumFailed;
    this.#limits[index] = (bytes[2] << 8) | bytes[3];
  }

  #serialWords(): number[] {
    return [this.serial >>> 16, this.serial & 0xffff];
  }

  #unprocessed(): void {
    this.#status |= SHT3xStatus.commandFailed;
  }
}
