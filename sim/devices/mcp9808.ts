/*
 * Register-level model of the Microchip MCP9808 digital temperature sensor.
 * Datasheet: Microchip DS25095A (section numbers of that edition).
 *
 * Modelled:
 * - the register pointer (Register 5-1): bits 3:0 select; a pointer with bits
 *   7:4 set reaches the test registers, which here read 0 and ignore writes;
 * - CONFIG (01h, power-up 0000h, Register 5-2): bits 15:11 read 0; SHDN;
 *   Crit. Lock and Win. Lock stay set until power-on reset and block writes to
 *   T_CRIT and to T_UPPER/T_LOWER; SHDN cannot be set while a lock bit is set
 *   (it can be cleared); Alert Cnt. cannot change while locked; Int. Clear
 *   reads 0; Alert Stat. reads 0 (the Alert output is not modelled);
 * - T_UPPER, T_LOWER, T_CRIT (02h..04h, power-up 0000h, Register 5-3): bits
 *   12:2 kept, 0.25 degC;
 * - T_A (05h, Register 5-4): 13-bit two's complement in bits 12:0 at the
 *   selected resolution (bits below it read 0), flags in bits 15:13
 *   (T_A >= T_CRIT, T_A > T_UPPER, T_A < T_LOWER); 0000h at power-up until
 *   the first conversion;
 * - Manufacturer ID (06h) = 0054h, Device ID/Revision (07h) = 0400h
 *   (Registers 5-5, 5-6); RFU (00h) reads 0000h here;
 * - Resolution (08h, 8 bits, power-up 03h, Register 5-7) and conversion
 *   timing: a result every tCONV = 30, 65, 130 or 250 ms at 0.5, 0.25, 0.125,
 *   0.0625 degC (conversion time table, typical) while not shut down, the
 *   first tCONV after power-up, waking (SHDN 1 -> 0) or a resolution change
 *   (an assumption: the datasheet does not say whether a change restarts the
 *   conversion under way). T_A is double-buffered (5.1): read early, it holds
 *   the previous result; in shutdown it holds the last one (5.1.1).
 * The chip powers up at its first bus transfer.
 *
 * Faults: busy (the converter stops: T_A keeps its content; no MCP9808
 * register shows it), outOfRange (T_A reads 0FFFh, +255.9375 degC, beyond
 * the chip's -40 to 125 degC).
 */

import type { I2CTarget } from "./bus";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

/** Register pointers (Register 5-1). */
const Pointer = Object.freeze({
  rfu: 0x0, configuration: 0x1, upper: 0x2, lower: 0x3, critical: 0x4, ambient: 0x5, manufacturer: 0x6, device: 0x7, resolution: 0x8,
} as const);

/** CONFIG bits (Register 5-2). */
const Config = Object.freeze({
  writable: 0x07ef,   // T_HYST, SHDN, locks, Int. Clear, Alert Cnt./Sel./Pol./Mod.; not Alert Stat. (bit 4)
  shutdown: 0x0100,
  criticalLock: 0x0080,
  windowLock: 0x0040,
  interruptClear: 0x0020,
  alertControl: 0x0008,
} as const);

const MANUFACTURER_ID = 0x0054;
const DEVICE_ID_REVISION = 0x0400;
/** tCONV, ms, by resolution code 00..11 (conversion time table). */
const CONVERSION_MS = Object.freeze([30, 65, 130, 250] as const);
const RESOLUTION_LSB = Object.freeze([0.5, 0.25, 0.125, 0.0625] as const);

/** Degrees C to T_A bits 12:0 (no flags): two's complement at `resolution` degC, in 0.0625 degC units (Register 5-4). */
export function mcp9808Encode(celsius: number, resolution: 0.5 | 0.25 | 0.125 | 0.0625 = 0.0625): number {
  const steps = Math.round(celsius / resolution) * (resolution / 0.0625);
  return Math.max(-0x1000, Math.min(0x0fff, steps)) & 0x1fff;
}

/** A limit register's value in 0.0625 degC units (bits 12:2 two's complement, Register 5-3). */
function limitCounts(word: number): number {
  const value = word & 0x1ffc;
  return value & 0x1000 ? value - 0x2000 : value;
}

export class MCP9808Model extends SimulatedChip implements I2CTarget {
  readonly name = "mcp9808";
  readonly #environment: Pick<Environment, "temperature">;
  #pointer: number = Pointer.ambient;
  #config = 0x0000;
  #upper = 0x0000;
  #lower = 0x0000;
  #critical = 0x0000;
  #resolution = 0x03;
  #ambient = 0x0000; // bits 12:0 of the last result
  #started = false;
  #runStart = 0;
  #delivered = 0;

  constructor(environment: Pick<Environment, "temperature">) {
    super();
    this.#environment = environment;
  }

  /** A register's content as the next read would return it, for tests. */
  register(pointer: number): number {
    this.#run();
    return this.#value(pointer);
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#run();
    this.#pointer = bytes[0];
    if (bytes.length < 2) return;
    const word = bytes.length >= 3 ? (bytes[1] << 8) | bytes[2] : -1;
    const now = this.now();
    switch (this.#pointer) {
      case Pointer.configuration: {
        if (word < 0) return;
        const locked = (this.#config & (Config.criticalLock | Config.windowLock)) !== 0;
        let next = word & Config.writable & ~Config.interruptClear;
        next |= this.#config & (Config.criticalLock | Config.windowLock); // locks clear only at power-on reset
        if (locked) {
          if (!(this.#config & Config.shutdown)) next &= ~Config.shutdown; // SHDN cannot be set while locked
          next = (next & ~Config.alertControl) | (this.#config & Config.alertControl);
        }
        if ((this.#config & Config.shutdown) && !(next & Config.shutdown)) this.#startRun(now); // woken
        this.#config = next;
        break;
      }
      case Pointer.upper: if (word >= 0 && !(this.#config & Config.windowLock)) this.#upper = word & 0x1ffc; break;
      case Pointer.lower: if (word >= 0 && !(this.#config & Config.windowLock)) this.#lower = word & 0x1ffc; break;
      case Pointer.critical: if (word >= 0 && !(this.#config & Config.criticalLock)) this.#critical = word & 0x1ffc; break;
      case Pointer.resolution: {
        const code = bytes[1] & 0x03;
        if (code !== this.#resolution) {
          this.#resolution = code;
          if (!(this.#config & Config.shutdown)) this.#startRun(now);
        }
        break;
      }
      default: break; // T_A, the ID registers, RFU and the test registers ignore writes
    }
  }

  read(count: number): Uint8Array {
    this.#run();
    const out = new Uint8Array(count);
    if (this.#pointer === Pointer.resolution) {
      out.fill(this.#resolution);
      return out;
    }
    const word = this.#value(this.#pointer);
    for (let i = 0; i < count; i++) out[i] = i % 2 === 0 ? word >> 8 : word & 0xff;
    return out;
  }

  #value(pointer: number): number {
    switch (pointer) {
      case Pointer.configuration: return this.#config;
      case Pointer.upper: return this.#upper;
      case Pointer.lower: return this.#lower;
      case Pointer.critical: return this.#critical;
      case Pointer.ambient: {
        if (this.faults.outOfRange) return 0x0fff;
        const counts = this.#ambient & 0x1000 ? this.#ambient - 0x2000 : this.#ambient;
        const flags = (counts >= limitCounts(this.#critical) ? 0x8000 : 0) | (counts > limitCounts(this.#upper) ? 0x4000 : 0) | (counts < limitCounts(this.#lower) ? 0x2000 : 0);
        return flags | this.#ambient;
      }
      case Pointer.manufacturer: return MANUFACTURER_ID;
      case Pointer.device: return DEVICE_ID_REVISION;
      case Pointer.resolution: return this.#resolution;
      default: return 0x0000; // RFU, and the test registers (pointer bits 7:4 set)
    }
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
    if (this.faults.busy || (this.#config & Config.shutdown)) return;
    const period = CONVERSION_MS[this.#resolution];
    const completed = Math.floor((now - this.#runStart) / period);
    if (completed > this.#delivered) {
      this.#delivered = completed;
      this.#ambient = mcp9808Encode(this.#environment.temperature(this.#runStart + completed * period), RESOLUTION_LSB[this.#resolution]);
    }
  }
}
