/*
 * Register-level model of the TI TMP117 digital temperature sensor.
 * Datasheet: TI SNOSD82D.
 *
 * Modelled:
 * - the pointer register and 16-bit transfers, most significant byte first (7.5.2, 7.5.3);
 * - the result register: two's complement, 7.8125 m degC/LSB (7.3.3, Table 7-1),
 *   plus Temp_Offset (07h); -256 degC (8000h) after power-up or a soft reset
 *   until the first conversion, averaging included, completes (7.3.1);
 * - timing: 1.5 ms from power-up (7.3.1) or 2 ms from a soft reset before
 *   conversions start; each active conversion takes 15.5 ms times the averaging
 *   count (7.3.2); in continuous mode a result every conversion cycle time
 *   (7.4.1 table, CONV x AVG); a one-shot conversion (MOD = 11) ends in
 *   shutdown (7.4.3); writing shutdown (MOD = 01) aborts a conversion (7.4.2).
 *   The result register is double-buffered: read early, it holds the previous
 *   result. Changing the mode, CONV or AVG starts a new cycle at once (an
 *   assumption: the datasheet does not say).
 * - the configuration register (01h, reset 0220h): HIGH_Alert/LOW_Alert
 *   (alert and therm modes, 7.4.4), Data_Ready (cleared by reading 00h or
 *   01h), EEPROM_Busy, MOD 10 reading back 00, Soft_Reset reading back 0,
 *   bit 0 read-only;
 * - limits (02h, 03h) and the offset (07h), and the EEPROM behind them
 *   (7.5.1): power-up and soft reset load the registers from EEPROM (a
 *   one-shot start-up mode loads as shutdown, 7.4.3); with EEPROM_UL (04h)
 *   EUN = 1, a register write also programs its EEPROM cell, busy for 7 ms;
 *   EEPROM1..3 (05h, 06h, 08h) are general-purpose cells, written only when
 *   unlocked;
 * - Device_ID (0Fh) = 0117h.
 * Not modelled: the ALERT pin, SMBus alert response, general-call reset,
 * the bus timeout. The chip powers up at its first bus transfer.
 *
 * Faults: busy (no conversion ever completes: Data_Ready stays 0, the result
 * register keeps its content), outOfRange (the result register reads 7FFFh,
 * +255.99 degC, beyond the sensor's -55 to 150 degC).
 */

import type { I2CTarget } from "./bus";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

/** Pointer values (7.6 register map). */
const Pointer = Object.freeze({
  temperature: 0x00, configuration: 0x01, highLimit: 0x02, lowLimit: 0x03, eepromUnlock: 0x04,
  eeprom1: 0x05, eeprom2: 0x06, offset: 0x07, eeprom3: 0x08, deviceId: 0x0f,
} as const);

/** Configuration register bits (7.6, Configuration register). */
const Config = Object.freeze({
  highAlert: 0x8000,
  lowAlert: 0x4000,
  dataReady: 0x2000,
  eepromBusy: 0x1000,
  mode: 0x0c00,
  conv: 0x0380,
  avg: 0x0060,
  therm: 0x0010,
  softReset: 0x0002,
  writable: 0x0ffc, // MOD, CONV, AVG, T/nA, POL, DR/Alert; bit 1 is Soft_Reset, bit 0 reads 0
} as const);

/** EEPROM_UL register (04h): EUN (bit 15, R/W), eeprom_busy (bit 14, R). */
const Unlock = Object.freeze({ eun: 0x8000, busy: 0x4000 } as const);

/** Factory EEPROM contents: configuration 0220h, limits 6000h (192 degC) and 8000h (-256 degC), offset 0 (7.6 reset values). */
const FACTORY = Object.freeze({ configuration: 0x0220, highLimit: 0x6000, lowLimit: 0x8000, offset: 0x0000 } as const);

const DEVICE_ID = 0x0117;
const NOT_CONVERTED = 0x8000;
const POWER_UP_MS = 1.5;     // 7.3.1
const RESET_MS = 2;          // Soft_Reset field description
const EEPROM_WRITE_MS = 7;   // 7.5.1.2, EEPROM programming time
const CONVERSION_MS = 15.5;  // one active conversion (7.3.2)
const AVERAGES = Object.freeze([1, 8, 32, 64] as const);
/** CONV[2:0] settings' cycle time, ms, and the shortest cycle each AVG setting allows (7.4.1 table). */
const CONV_MS = Object.freeze([15.5, 125, 250, 500, 1000, 4000, 8000, 16000] as const);
const AVG_MIN_CYCLE_MS = Object.freeze([0, 125, 500, 1000] as const);

/** Continuous-mode cycle time, ms: the CONV setting, unless the averaging needs longer (7.4.1). */
function cycleTime(conv: number, avg: number): number {
  return Math.max(CONV_MS[conv], AVG_MIN_CYCLE_MS[avg]);
}

/** Degrees C to a result register word (7.3.3): rounded to 7.8125 m degC, clamped to the register. */
export function tmp117Encode(celsius: number): number {
  return Math.max(-0x8000, Math.min(0x7fff, Math.round(celsius / 0.0078125))) & 0xffff;
}

type ModeName = "continuous" | "shutdown" | "oneShot";

/** The EEPROM cells (7.5.1.1): the copies of the EEPROM-backed registers and three general-purpose words. */
export interface TMP117Eeprom {
  configuration: number;
  highLimit: number;
  lowLimit: number;
  offset: number;
  eeprom1: number;
  eeprom2: number;
  eeprom3: number;
}

export class TMP117Model extends SimulatedChip implements I2CTarget {
  readonly name = "tmp117";
  readonly #environment: Pick<Environment, "temperature">;
  #pointer: number = Pointer.temperature;
  #started = false;

  /** EEPROM cells behind the EEPROM-backed registers (7.5.1.1). */
  readonly #eeprom: TMP117Eeprom = { ...FACTORY, eeprom1: 0x0000, eeprom2: 0x1f2e, eeprom3: 0x0000 };
  #unlocked = false;
  #eepromBusyUntil = -Infinity;

  #fields = 0;        // writable configuration bits except MOD
  #mode: ModeName = "continuous";
  #highLimit = 0;
  #lowLimit = 0;
  #offset = 0;

  #result = NOT_CONVERTED;
  #dataReady = false;
  #highAlert = false;
  #lowAlert = false;
  /** When the current conversion sequence starts converting, and how many results it has delivered. */
  #sequenceStart = 0;
  #delivered = 0;

  constructor(environment: Pick<Environment, "temperature">) {
    super();
    this.#environment = environment;
  }

  /** A register's content without a read's side effects (Data_Ready and alert flags stay), for tests. */
  peek(pointer: number): number {
    this.#run();
    return this.#registerValue(pointer);
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#run();
    this.#pointer = bytes[0];
    if (bytes.length < 3) return;
    const value = (bytes[1] << 8) | bytes[2];
    const now = this.now();
    const programs = this.#unlocked && now >= this.#eepromBusyUntil;
    switch (this.#pointer) {
      case Pointer.configuration: {
        if (value & Config.softReset) {
          this.#reset(now + RESET_MS);
          return;
        }
        this.#setConfiguration(value, now);
        if (programs) this.#program("configuration", value & Config.writable, now);
        break;
      }
      case Pointer.highLimit:
        this.#highLimit = value;
        if (programs) this.#program("highLimit", value, now);
        break;
      case Pointer.lowLimit:
        this.#lowLimit = value;
        if (programs) this.#program("lowLimit", value, now);
        break;
      case Pointer.offset:
        this.#offset = value;
        if (programs) this.#program("offset", value, now);
        break;
      case Pointer.eepromUnlock:
        this.#unlocked = (value & Unlock.eun) !== 0;
        break;
      case Pointer.eeprom1: if (programs) this.#program("eeprom1", value, now); break;
      case Pointer.eeprom2: if (programs) this.#program("eeprom2", value, now); break;
      case Pointer.eeprom3: if (programs) this.#program("eeprom3", value, now); break;
      default: break; // read-only registers (00h, 0Fh) and unused pointers ignore writes
    }
  }

  read(count: number): Uint8Array {
    this.#run();
    const word = this.#registerValue(this.#pointer);
    // Reading the result or configuration register clears Data_Ready; reading the configuration register clears the alert-mode flags (7.6).
    if (this.#pointer === Pointer.temperature || this.#pointer === Pointer.configuration) this.#dataReady = false;
    if (this.#pointer === Pointer.configuration && !(this.#fields & Config.therm)) this.#highAlert = this.#lowAlert = false;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = i % 2 === 0 ? word >> 8 : word & 0xff;
    return out;
  }

  #registerValue(pointer: number): number {
    const now = this.now();
    switch (pointer) {
      case Pointer.temperature:
        return this.faults.outOfRange ? 0x7fff : this.#result;
      case Pointer.configuration: {
        const mode = this.#mode === "continuous" ? 0b00 : this.#mode === "shutdown" ? 0b01 : 0b11;
        return (this.#highAlert ? Config.highAlert : 0) | (this.#lowAlert ? Config.lowAlert : 0) | (this.#dataReady ? Config.dataReady : 0)
          | (now < this.#eepromBusyUntil ? Config.eepromBusy : 0) | (mode << 10) | this.#fields;
      }
      case Pointer.highLimit: return this.#highLimit;
      case Pointer.lowLimit: return this.#lowLimit;
      case Pointer.eepromUnlock: return (this.#unlocked ? Unlock.eun : 0) | (now < this.#eepromBusyUntil ? Unlock.busy : 0);
      case Pointer.eeprom1: return this.#eeprom.eeprom1;
      case Pointer.eeprom2: return this.#eeprom.eeprom2;
      case Pointer.offset: return this.#offset;
      case Pointer.eeprom3: return this.#eeprom.eeprom3;
      case Pointer.deviceId: return DEVICE_ID;
      default: return 0;
    }
  }

  /** Power-up on first use, then every conversion that has completed by now. */
  #run(): void {
    if (!this.#started) {
      this.#started = true;
      this.#reset(this.now() + POWER_UP_MS);
    }
    if (this.faults.busy) return;
    const now = this.now();
    if (this.#mode === "shutdown") return;
    const active = CONVERSION_MS * AVERAGES[(this.#fields & Config.avg) >> 5];
    if (this.#mode === "oneShot") {
      if (now >= this.#sequenceStart + active) {
        this.#convert(this.#sequenceStart + active, active);
        this.#mode = "shutdown"; // 7.4.3
      }
      return;
    }
    const cycle = cycleTime((this.#fields & Config.conv) >> 7, (this.#fields & Config.avg) >> 5);
    const elapsed = now - this.#sequenceStart - active;
    if (elapsed < 0) return;
    const completed = Math.floor(elapsed / cycle) + 1;
    if (completed > this.#delivered) {
      this.#delivered = completed;
      this.#convert(this.#sequenceStart + active + (completed - 1) * cycle, active);
    }
  }

  /** A result that completed at `end`: the average of its conversions (7.3.2), the offset added, the flags updated. */
  #convert(end: number, active: number): void {
    const count = AVERAGES[(this.#fields & Config.avg) >> 5];
    let sum = 0;
    for (let i = 0; i < count; i++) sum += this.#environment.temperature(end - active + (i + 1) * CONVERSION_MS);
    const offset = this.#offset & 0x8000 ? this.#offset - 0x10000 : this.#offset;
    const counts = Math.round((sum / count) / 0.0078125) + offset;
    // 8000h means "not converted"; a conversion never yields it (the sensor stops at -55 degC).
    this.#result = Math.max(-0x7fff, Math.min(0x7fff, counts)) & 0xffff;
    this.#dataReady = true;
    const value = signed(this.#result), high = signed(this.#highLimit), low = signed(this.#lowLimit);
    if (this.#fields & Config.therm) {
      // Therm mode: HIGH_Alert set above THigh, cleared below TLow; LOW_Alert stays 0 (7.4.4.2).
      if (value > high) this.#highAlert = true;
      else if (value < low) this.#highAlert = false;
      this.#lowAlert = false;
    }
    else {
      // Alert mode: flags set by a result beyond a limit, cleared by reading the configuration register (7.4.4.1).
      if (value > high) this.#highAlert = true;
      if (value < low) this.#lowAlert = true;
    }
  }

  #setConfiguration(value: number, now: number): void {
    const before = this.#fields, beforeMode = this.#mode;
    this.#fields = value & Config.writable & ~Config.mode;
    const mod = (value & Config.mode) >> 10;
    if (mod === 0b01) this.#mode = "shutdown"; // aborts a conversion under way (7.4.2)
    else if (mod === 0b11) {
      this.#mode = "oneShot";
      this.#sequenceStart = now;
    }
    else if (beforeMode !== "continuous" || (before & (Config.conv | Config.avg)) !== (this.#fields & (Config.conv | Config.avg))) {
      this.#mode = "continuous";
      this.#sequenceStart = now;
      this.#delivered = 0;
    }
  }

  /** Power-up or soft reset: registers from EEPROM, the result register at -256 degC, conversions from `start` (7.3.1). */
  #reset(start: number): void {
    const eeprom = this.#eeprom;
    this.#fields = eeprom.configuration & Config.writable & ~Config.mode;
    const mod = (eeprom.configuration & Config.mode) >> 10;
    // One-shot cannot be a start-up mode: the device starts in shutdown instead (7.4.3).
    this.#mode = mod === 0b01 || mod === 0b11 ? "shutdown" : "continuous";
    this.#highLimit = eeprom.highLimit;
    this.#lowLimit = eeprom.lowLimit;
    this.#offset = eeprom.offset;
    this.#unlocked = false;
    this.#result = NOT_CONVERTED;
    this.#dataReady = this.#highAlert = this.#lowAlert = false;
    this.#sequenceStart = start;
    this.#delivered = 0;
  }

  #program(cell: keyof TMP117Eeprom, value: number, now: number): void {
    this.#eeprom[cell] = value;
    this.#eepromBusyUntil = now + EEPROM_WRITE_MS;
  }

  /** The EEPROM cells, for tests (7.5.1.1). */
  get eepromCells(): TMP117Eeprom {
    return { ...this.#eeprom };
  }
}

function signed(word: number): number {
  return word & 0x8000 ? word - 0x10000 : word;
}
