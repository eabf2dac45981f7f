/*
 * Register-level model of the Bosch BME280 humidity, pressure and
 * temperature sensor on I2C. Datasheet: Bosch Sensortec BST-BME280-DS002
 * (revision 1.6); section numbers below are that document's.
 *
 * Modelled:
 * - the memory map and reset values (5.3, Table 18): chip id 0x60 (5.4.1),
 *   trimming parameters at 0x88..0xA1 and 0xE1..0xF0 (4.2.2, Table 16), data
 *   registers reading 0x80000 / 0x80000 / 0x8000 until a conversion ends;
 * - I2C framing: a read continues at the next register (6.2.2); a write is
 *   register/value pairs, a lone byte only sets the register (6.2.1);
 * - soft reset: 0xB6 to 0xE0 restores every register, clears the filter and
 *   stops conversions; status.im_update reads 1 for the 2 ms start-up time
 *   (Table 1, 5.4.2, 5.4.4). Any other value there does nothing;
 * - ctrl_hum takes effect only at the next write to ctrl_meas (5.4.3);
 * - modes (3.3): sleep; forced (01 or 10): one conversion, then back to sleep
 *   with mode bits 00; normal (11): a conversion every t_measure + t_standby
 *   (Table 27); config writes are ignored in normal mode (5.4.6 says they
 *   "may be ignored"; the model takes the strict reading);
 * - timing: a conversion takes t_measure,typ of 9.1; status.measuring is 1
 *   meanwhile, and the data registers keep the previous conversion until it
 *   ends (shadowing, 4.1: a burst read sees one conversion);
 * - skipped measurements (osrs = 0) read 0x80000 / 0x8000 and keep their
 *   filter memory (3.4.4, 5.4.3, 5.4.5);
 * - resolution: without the IIR filter, 16 + (osrs - 1) bits for pressure and
 *   temperature (3.4.2, 3.4.3), the lower bits 0; humidity always 16 bits
 *   (3.4.1); the IIR filter of 3.4.4 on pressure and temperature codes,
 *   reset by every write to config; in normal mode at most the last 64
 *   conversions since the last access are worked out one by one, the ones
 *   before count as the first of those (their filter memory only).
 *
 * Trimming: BME280_TRIMMING below, or any given (tests use negative dig_H4/H5).
 * Raw codes: the code, on the ADC's grid, whose compensation by the
 * datasheet's integer code of 4.2.3 (T_int32, P_int64 in BigInt, H_int32,
 * written here apart from the driver's) is nearest the environment's value,
 * found by bisection: each compensation is monotonic in its code for a given
 * t_fine. The environment is read when a conversion ends (`now()`).
 *
 * Faults: busy: a started conversion never ends (status.measuring stays 1,
 * the data keep the previous conversion); outOfRange: press_xlsb and
 * temp_xlsb read with bits 3..0 set, which Table 18 shows as always 0.
 * (0x80000 would not do: with real trimming it is a valid temperature code
 * near 23 degC.) absent and busErrorAfter are the bus's (i2c.ts).
 *
 * The model counts as powered up long ago: no start-up time at construction.
 */

import type { I2CTarget } from "./bus";
import { SimulatedChip } from "./chip";
import type { Environment } from "./environment";

/** Register addresses (Table 18). */
const Register = Object.freeze({
  calibration1: 0x88, calibration1End: 0xa1, // calib00..calib25
  id: 0xd0, reset: 0xe0,
  calibration2: 0xe1, calibration2End: 0xf0, // calib26..calib41
  ctrlHum: 0xf2, status: 0xf3, ctrlMeas: 0xf4, config: 0xf5,
  data: 0xf7, dataEnd: 0xfe,
} as const);

const CHIP_ID = 0x60;      // 5.4.1
const RESET_WORD = 0xb6;   // 5.4.2
const STARTUP_MS = 2;      // Table 1, t_startup
const SKIPPED_20 = 0x80000; // 5.4.5: osrs_p / osrs_t = 000
const SKIPPED_16 = 0x8000;  // 5.4.3: osrs_h = 000

/** Trimming parameters (Table 16). */
export interface BME280Trimming {
  T1: number; T2: number; T3: number;
  P1: number; P2: number; P3: number; P4: number; P5: number; P6: number; P7: number; P8: number; P9: number;
  H1: number; H2: number; H3: number; H4: number; H5: number; H6: number;
}

/**
 * A BME280's trimming parameters as published in the test suite of
 * pimoroni/bme280-python (tests/calibration.py, with raw codes and results in
 * tests/test_compensation.py). dig_P3 and dig_P6..dig_P9 are the values of the
 * BMP280 datasheet's example (3.12) too, as on production parts.
 */
export const BME280_TRIMMING: Readonly<BME280Trimming> = Object.freeze({
  T1: 28009, T2: 25654, T3: 50,
  P1: 39145, P2: -10750, P3: 3024, P4: 5667, P5: -120, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 376, H3: 0, H4: 286, H5: 50, H6: 30,
});

/** osrs code -> oversampling factor (Tables 20, 23, 24: codes 101 and above are x16). */
const factor = (code: number) => (code === 0 ? 0 : Math.min(16, 1 << (code - 1)));

/** t_sb code -> standby ms (Table 27). */
const STANDBY_MS: readonly number[] = Object.freeze([0.5, 62.5, 125, 250, 500, 1000, 10, 20]);

/** Typical measurement time in ms (9.1: t_measure,typ) for osrs codes. */
export function bme280TypicalMeasurementTime(osrsT: number, osrsP: number, osrsH: number): number {
  const t = factor(osrsT), p = factor(osrsP), h = factor(osrsH);
  return 1 + (t ? 2 * t : 0) + (p ? 2 * p + 0.5 : 0) + (h ? 2 * h + 0.5 : 0);
}

/** The trimming bytes at 0x88..0xA1 and 0xE1..0xF0 (Table 16). */
function trimmingBytes(c: BME280Trimming): { low: Uint8Array; high: Uint8Array } {
  const low = new Uint8Array(Register.calibration1End - Register.calibration1 + 1);
  const words = [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9];
  words.forEach((word, i) => { low[2 * i] = word & 0xff; low[2 * i + 1] = (word >> 8) & 0xff; });
  low[25] = c.H1; // 0xA1; 0xA0 is reserved and reads 0 here
  const high = new Uint8Array(Register.calibration2End - Register.calibration2 + 1);
  high[0] = c.H2 & 0xff; high[1] = (c.H2 >> 8) & 0xff;     // 0xE1/0xE2
  high[2] = c.H3;                                          // 0xE3
  high[3] = (c.H4 >> 4) & 0xff;                            // 0xE4: dig_H4[11:4]
  high[4] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4);          // 0xE5: dig_H4[3:0], dig_H5[3:0]
  high[5] = (c.H5 >> 4) & 0xff;                            // 0xE6: dig_H5[11:4]
  high[6] = c.H6 & 0xff;                                   // 0xE7
  return { low, high };
}

/*
 * The datasheet's integer compensation (4.2.3), as C computes it: int32
 * products wrap (Math.imul), sums wrap (| 0), >> is arithmetic.
 */

function tFineOf(c: BME280Trimming, adcT: number): number {
  const var1 = Math.imul(((adcT >> 3) - (c.T1 << 1)) | 0, c.T2) >> 11;
  const d = ((adcT >> 4) - c.T1) | 0;
  const var2 = Math.imul(Math.imul(d, d) >> 12, c.T3) >> 14;
  return (var1 + var2) | 0;
}

/** BME280_compensate_P_int64: pascal in Q24.8. */
function pressureQ8(c: BME280Trimming, adcP: number, tFine: number): number {
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * BigInt(c.P6);
  var2 = var2 + ((var1 * BigInt(c.P5)) << 17n);
  var2 = var2 + (BigInt(c.P4) << 35n);
  var1 = ((var1 * var1 * BigInt(c.P3)) >> 8n) + ((var1 * BigInt(c.P2)) << 12n);
  var1 = (((1n << 47n) + var1) * BigInt(c.P1)) >> 33n;
  if (var1 === 0n) return 0;
  let p = 1048576n - BigInt(adcP);
  p = (((p << 31n) - var2) * 3125n) / var1;
  var1 = (BigInt(c.P9) * (p >> 13n) * (p >> 13n)) >> 25n;
  var2 = (BigInt(c.P8) * p) >> 19n;
  p = ((p + var1 + var2) >> 8n) + (BigInt(c.P7) << 4n);
  return Number(p); // the datasheet returns it as U32; kept signed here so the bisection sees a monotonic function
}

/** bme280_compensate_H_int32: %RH in Q22.10. */
function humidityQ10(c: BME280Trimming, adcH: number, tFine: number): number {
  const x = (tFine - 76800) | 0;
  const a = ((((adcH << 14) - (c.H4 << 20)) | 0) - Math.imul(c.H5, x) + 16384) | 0;
  const b = ((Math.imul(Math.imul(x, c.H6) >> 10, ((Math.imul(x, c.H3) >> 11) + 32768) | 0) >> 10) + 2097152) | 0;
  let v = Math.imul(a >> 15, (Math.imul(b, c.H2) + 8192) >> 14);
  v = (v - (Math.imul(Math.imul(v >> 15, v >> 15) >> 7, c.H1) >> 4)) | 0;
  v = v < 0 ? 0 : v > 419430400 ? 419430400 : v;
  return v >> 12;
}

/**
 * The code on a grid of `step` in [0, 2^bits) whose value(code) is nearest
 * `target`, value monotonic (rising or falling) along the grid: bisection.
 */
function nearestCode(bits: number, step: number, target: number, value: (code: number) => number, rising: boolean): number {
  let low = 0, high = (1 << bits) / step - 1;
  const above = (i: number) => (rising ? value(i * step) >= target : value(i * step) <= target);
  if (!above(high)) return high * step;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (above(mid)) high = mid;
    else low = mid + 1;
  }
  if (low > 0 && Math.abs(value((low - 1) * step) - target) <= Math.abs(value(low * step) - target)) low--;
  return low * step;
}

export interface BME280ModelOptions {
  /** Trimming parameters; a real chip's by default. */
  trimming?: BME280Trimming;
}

export class BME280Model extends SimulatedChip implements I2CTarget {
  readonly name = "bme280";
  readonly trimming: Readonly<BME280Trimming>;
  readonly #environment: Pick<Environment, "temperature" | "humidity" | "pressure">;
  readonly #nvm: { low: Uint8Array; high: Uint8Array };
  #pointer = 0;
  #ctrlHum = 0;
  /** osrs_h in effect: ctrl_hum as of the last ctrl_meas write (5.4.3). */
  #osrsH = 0;
  #ctrlMeas = 0;
  #config = 0;
  #rawP = SKIPPED_20;
  #rawT = SKIPPED_20;
  #rawH = SKIPPED_16;
  #filterP: number | undefined;
  #filterT: number | undefined;
  /** im_update reads 1 until then (after a soft reset). */
  #resetUntil = -Infinity;
  /** Forced mode: when the conversion under way ends. */
  #forcedEnd: number | undefined;
  /** Normal mode: start of the first cycle, cycle length, measurement time, last finished cycle. */
  #normal: { start: number; period: number; measure: number; done: number } | undefined;
  /** Last inversions, reused while the environment and settings stay the same. */
  #memo = new Map<string, number>();

  constructor(environment: Pick<Environment, "temperature" | "humidity" | "pressure">, options: BME280ModelOptions = {}) {
    super();
    this.#environment = environment;
    this.trimming = Object.freeze({ ...(options.trimming ?? BME280_TRIMMING) });
    this.#nvm = trimmingBytes(this.trimming);
  }

  /** A register's value now, for tests. */
  register(address: number): number {
    this.#advance(this.now());
    return this.#read(address);
  }

  write(bytes: Uint8Array): void {
    const now = this.now();
    this.#advance(now);
    for (let i = 0; i < bytes.length; i += 2) {
      this.#pointer = bytes[i];
      if (i + 1 < bytes.length) this.#write(bytes[i], bytes[i + 1], now);
    }
  }

  read(count: number): Uint8Array {
    this.#advance(this.now());
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#read(this.#pointer + i);
    this.#pointer = (this.#pointer + count) & 0xff;
    return out;
  }

  #read(address: number): number {
    if (address >= Register.calibration1 && address <= Register.calibration1End) return this.#nvm.low[address - Register.calibration1];
    if (address >= Register.calibration2 && address <= Register.calibration2End) return this.#nvm.high[address - Register.calibration2];
    switch (address) {
      case Register.id: return CHIP_ID;
      case Register.ctrlHum: return this.#ctrlHum;
      case Register.status: return (this.#measuring() ? 0x08 : 0) | (this.now() < this.#resetUntil ? 0x01 : 0);
      case Register.ctrlMeas: return this.#ctrlMeas;
      case Register.config: return this.#config;
      default: break;
    }
    if (address < Register.data || address > Register.dataEnd) return 0x00; // reset reads 0x00 (5.4.2); reserved registers 0x00 here
    const bad = this.faults.outOfRange ? 0x0f : 0;
    switch (address - Register.data) {
      case 0: return this.#rawP >> 12;
      case 1: return (this.#rawP >> 4) & 0xff;
      case 2: return ((this.#rawP & 0x0f) << 4) | bad;
      case 3: return this.#rawT >> 12;
      case 4: return (this.#rawT >> 4) & 0xff;
      case 5: return ((this.#rawT & 0x0f) << 4) | bad;
      case 6: return this.#rawH >> 8;
      default: return this.#rawH & 0xff;
    }
  }

  #write(address: number, value: number, now: number): void {
    switch (address) {
      case Register.reset:
        if (value === RESET_WORD) this.#reset(now);
        break;
      case Register.ctrlHum:
        this.#ctrlHum = value & 0x07; // bits 7..3 unused
        break;
      case Register.ctrlMeas: {
        this.#ctrlMeas = value;
        this.#osrsH = this.#ctrlHum;
        this.#forcedEnd = undefined;
        this.#normal = undefined;
        const mode = value & 0x03;
        const measure = bme280TypicalMeasurementTime(value >> 5, (value >> 2) & 0x07, this.#osrsH);
        if (mode === 0x03) this.#normal = { start: now, period: measure + STANDBY_MS[this.#config >> 5], measure, done: -1 };
        else if (mode !== 0x00) this.#forcedEnd = now + measure;
        break;
      }
      case Register.config:
        if ((this.#ctrlMeas & 0x03) === 0x03) break; // ignored in normal mode (5.4.6)
        this.#config = value & 0xfd; // bit 1 reserved
        this.#filterP = this.#filterT = undefined; // writing the filter resets it (3.4.4)
        break;
      default: break; // read-only or reserved
    }
  }

  #reset(now: number): void {
    this.#ctrlHum = this.#osrsH = this.#ctrlMeas = this.#config = 0;
    this.#rawP = this.#rawT = SKIPPED_20;
    this.#rawH = SKIPPED_16;
    this.#filterP = this.#filterT = undefined;
    this.#forcedEnd = undefined;
    this.#normal = undefined;
    this.#resetUntil = now + STARTUP_MS;
  }

  #measuring(): boolean {
    if (this.#forcedEnd !== undefined) return true;
    const cycle = this.#normal;
    if (!cycle) return false;
    if (this.faults.busy) return true;
    return (this.now() - cycle.start) % cycle.period < cycle.measure;
  }

  /** Finishes the conversions whose time has come (none while busy). */
  #advance(now: number): void {
    if (this.faults.busy) return;
    if (this.#forcedEnd !== undefined && now >= this.#forcedEnd) {
      this.#convert(this.#forcedEnd, 1);
      this.#forcedEnd = undefined;
      this.#ctrlMeas &= ~0x03; // back to sleep (3.3.3)
    }
    const cycle = this.#normal;
    if (!cycle) return;
    const last = Math.floor((now - cycle.start - cycle.measure) / cycle.period);
    if (last <= cycle.done) return;
    const first = Math.max(cycle.done + 1, last - 63);
    for (let k = first; k <= last; k++) this.#convert(cycle.start + k * cycle.period + cycle.measure, k === first ? k - cycle.done : 1);
    cycle.done = last;
  }

  /** One conversion ending at `at` (3.4, Figure 6), its filter update applied `times` times. */
  #convert(at: number, times: number): void {
    const c = this.trimming;
    const osrsT = this.#ctrlMeas >> 5, osrsP = (this.#ctrlMeas >> 2) & 0x07, osrsH = this.#osrsH;
    const filterCode = (this.#config >> 2) & 0x07;
    const coefficient = filterCode === 0 ? 1 : Math.min(16, 1 << filterCode);
    const step = (osrs: number) => (coefficient > 1 ? 1 : 1 << Math.max(0, 5 - osrs)); // 16 + (osrs - 1) bits without filter
    const filtered = (memory: number | undefined, code: number) =>
      (memory === undefined || coefficient === 1 ? code : code + (memory - code) * Math.pow((coefficient - 1) / coefficient, times));
    const env = this.#environment;
    const temperature = env.temperature(at), pressure = env.pressure(at), humidity = env.humidity(at);

    // Temperature: its code sets t_fine, which pressure and humidity codes depend on even when temperature is skipped.
    const adcT = this.#invert(`T${temperature}|${osrsT ? step(osrsT) : 1}`, () =>
      nearestCode(20, osrsT ? step(osrsT) : 1, temperature * 5120, (code) => tFineOf(c, code), true));
    if (osrsT) {
      this.#filterT = filtered(this.#filterT, adcT);
      this.#rawT = Math.round(this.#filterT);
    }
    else this.#rawT = SKIPPED_20;
    const tFine = tFineOf(c, osrsT ? this.#rawT : adcT);

    if (osrsP) {
      const adcP = this.#invert(`P${pressure}|${step(osrsP)}|${tFine}`, () =>
        nearestCode(20, step(osrsP), pressure * 256, (code) => pressureQ8(c, code, tFine), false));
      this.#filterP = filtered(this.#filterP, adcP);
      this.#rawP = Math.round(this.#filterP);
    }
    else this.#rawP = SKIPPED_20;

    this.#rawH = osrsH ? this.#invert(`H${humidity}|${tFine}`, () =>
      nearestCode(16, 1, humidity * 1024, (code) => humidityQ10(c, code, tFine), true)) : SKIPPED_16;
  }

  #invert(key: string, compute: () => number): number {
    let code = this.#memo.get(key);
    if (code === undefined) {
      if (this.#memo.size > 32) this.#memo.clear();
      this.#memo.set(key, code = compute());
    }
    return code;
  }
}
