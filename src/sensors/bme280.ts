/*
 * Bosch BME280 humidity, pressure and temperature sensor on I2C, ECMA-419
 * Sensor Class Pattern. Datasheet: Bosch Sensortec BST-BME280-DS002
 * (revision 1.6); section numbers below are that document's.
 *
 *   const sensor = new BME280({sensor: {...device.I2C.default, address: 0x76}});
 *   sensor.sample((error, sample) => ...);
 *   // {thermometer: {temperature}, hygrometer: {humidity}, barometer: {pressure}}: degC, %RH, Pa
 *
 * Modes (3.3): "forced" (the default, the datasheet's weather-monitoring
 * setting, 3.5.1): each sample(callback) starts one conversion, waits the
 * maximum measurement time of 9.1 on a timer, checks `status.measuring` and
 * burst-reads the result. "normal": the chip converts every t_measure +
 * standby on its own; sample() returns its latest conversion at once and
 * sample(callback) the same on the next turn. For t_measure,max after its
 * settings were written no conversion has used them yet: sample() reports
 * "busy" then, and sample(callback) waits. sample() without a callback in
 * forced mode throws: the chip converts only when told to. A chip whose
 * normal-mode conversions stop keeps its last result in the data registers,
 * indistinguishable from steady weather; forced mode (the default) notices.
 * No soft reset at start (it would need a 2 ms wait): the driver writes every
 * setting itself, sleep mode first.
 *
 * Compensation (4.2.3): temperature and humidity with the datasheet's 32-bit
 * integer code (0.01 degC, 1/1024 %RH), so t_fine is the integer one that
 * the datasheet's pressure and humidity code expects. Pressure with the
 * double-precision code of 8.1 fed with that t_fine: XS computes in doubles
 * anyway, the result is within 0.01 Pa of the 64-bit integer code of 4.2.3
 * over -40..85 degC and 300..1100 hPa (shown in the unit tests against a
 * BigInt port of it), far below the chip's finest resolution (0.16 Pa at
 * x16, 3.4.2). The 32-bit fixed-point code of 8.2 was rejected: it is up to
 * 6 Pa off the 64-bit result over the same range; BigInt (exact 64-bit)
 * allocates on every operation and is slow on XS.
 *
 * What the driver refuses to return as a reading (reason "range"): data
 * whose xlsb bits 3..0 are set (Table 18: they read 0), a pressure
 * calibration that divides by zero, a temperature outside the absolute
 * maximum rating (-45..+85 degC, Table 5) or a negative pressure.
 * Skip markers (0x80000 / 0x8000, the values of a skipped measurement and
 * the reset values of the data registers, 5.4.3, 5.4.5, Table 18): a skipped
 * quantity is left out of the sample. An enabled quantity that reads its
 * marker is a real code (0x80000 is about 23 degC or 690 hPa with typical
 * trimming), so it is accepted, unless every enabled quantity reads its
 * marker at once: then no conversion has finished since reset ("busy").
 * The control registers are read back in the same burst as the data; if
 * they are not what the driver wrote (a power-on reset lost them), the
 * sample fails with reason "bus" and the next sample writes them again.
 *
 * A BMP280 (chip id 0x56/0x57/0x58, 5.2 Table 17) has no humidity sensor;
 * this driver refuses it with a message saying so rather than reporting a
 * sample without humidity under the BME280's name.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import Timer from "timer";
import { reportFault, SensorError } from "./errors";
import type { CombinedSample, SampleCallback, Sensor } from "./sensor";

/** Register addresses (5.3, Table 18). */
const Register = Object.freeze({
  calibration1: 0x88, // calib00..calib25, 0x88..0xA1 (4.2.2, Table 16)
  id: 0xd0,           // 5.4.1
  reset: 0xe0,        // 5.4.2
  calibration2: 0xe1, // calib26.., 0xE1..0xE7 hold dig_H2..dig_H6 (Table 16)
  ctrlHum: 0xf2,      // 5.4.3
  status: 0xf3,       // 5.4.4
  ctrlMeas: 0xf4,     // 5.4.5
  config: 0xf5,       // 5.4.6
  data: 0xf7,         // press 0xF7..0xF9, temp 0xFA..0xFC, hum 0xFD..0xFE (5.4.7 to 5.4.9)
} as const);

/** Chip identification (5.4.1; BMP280 values from 5.2, Table 17). */
const ChipId = Object.freeze({ bme280: 0x60, bmp280: Object.freeze([0x56, 0x57, 0x58] as const) } as const);

/** Bits of status (5.4.4), ctrl_meas (5.4.5) and config (5.4.6). */
const Bits = Object.freeze({
  measuring: 0x08,  // status bit 3: a conversion is running
  imUpdate: 0x01,   // status bit 0: NVM being copied to the image registers
  modeMask: 0x03,   // ctrl_meas bits 1..0
  sleep: 0x00, forced: 0x01, normal: 0x03,
  osrsMask: 0x07,   // osrs_h (ctrl_hum 2..0), osrs_p (ctrl_meas 4..2), osrs_t (ctrl_meas 7..5)
  xlsbZero: 0x0f,   // press_xlsb and temp_xlsb bits 3..0 always read 0 (Table 18)
} as const);

/** Oversampling factor -> osrs code (Tables 20, 23, 24): 0 skips the measurement. */
const OVERSAMPLING: Readonly<Record<string, number>> = Object.freeze({ 0: 0, 1: 1, 2: 2, 4: 3, 8: 4, 16: 5 });
/** IIR filter coefficient -> filter code (3.4.4, Table 28); 0 is "filter off". */
const FILTER: Readonly<Record<string, number>> = Object.freeze({ 0: 0, 2: 1, 4: 2, 8: 3, 16: 4 });
/** Normal-mode standby time in ms -> t_sb code (Table 27). */
const STANDBY: Readonly<Record<string, number>> = Object.freeze({ 0.5: 0, 62.5: 1, 125: 2, 250: 3, 500: 4, 1000: 5, 10: 6, 20: 7 });

/** Data register values of a skipped measurement (5.4.3, 5.4.5) and at reset (Table 18). */
const SKIPPED = Object.freeze({ pressure: 0x80000, temperature: 0x80000, humidity: 0x8000 } as const);

/** Absolute maximum ratings (Table 5): outside these a value is not a reading. */
const LIMITS = Object.freeze({ temperatureMin: -45, temperatureMax: 85, pressureMax: 2_000_000 } as const);

/** Trimming parameters (4.2.2, Table 16). */
export interface BME280Calibration {
  T1: number; T2: number; T3: number;
  P1: number; P2: number; P3: number; P4: number; P5: number; P6: number; P7: number; P8: number; P9: number;
  H1: number; H2: number; H3: number; H4: number; H5: number; H6: number;
}

export interface BME280Options {
  /** The bus: a provider I2C default plus `address`, 0x76 (SDO to GND, the default) or 0x77 (SDO to VDDIO), 6.2. */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export type BME280Oversampling = 0 | 1 | 2 | 4 | 8 | 16;

export interface BME280Configuration {
  /** "forced" (default): one conversion per sample(callback). "normal": the chip converts on its own (3.3). */
  mode?: "forced" | "normal";
  /** 1, 2, 4, 8 or 16 (default 1). Not 0: pressure and humidity need the temperature's t_fine (4.2.3). */
  temperatureOversampling?: Exclude<BME280Oversampling, 0>;
  /** 0 (skip: no barometer in the sample), 1 (default), 2, 4, 8 or 16. */
  pressureOversampling?: BME280Oversampling;
  /** 0 (skip: no hygrometer in the sample), 1 (default), 2, 4, 8 or 16. */
  humidityOversampling?: BME280Oversampling;
  /** IIR filter coefficient for temperature and pressure: 0 (off, default), 2, 4, 8 or 16 (3.4.4). */
  filter?: 0 | 2 | 4 | 8 | 16;
  /** Normal mode: ms between conversions, 0.5, 10, 20, 62.5, 125, 250, 500 or 1000 (default) (Table 27). */
  standby?: 0.5 | 10 | 20 | 62.5 | 125 | 250 | 500 | 1000;
}

type Settings = Required<BME280Configuration>;

const DEFAULTS: Readonly<Settings> = Object.freeze({
  mode: "forced", temperatureOversampling: 1, pressureOversampling: 1, humidityOversampling: 1, filter: 0, standby: 1000,
});

/** Maximum measurement time in ms for the given oversampling factors (9.1: t_measure,max). */
export function bme280MeasurementTime(temperature: number, pressure: number, humidity: number): number {
  return 1.25 + (temperature ? 2.3 * temperature : 0) + (pressure ? 2.3 * pressure + 0.575 : 0) + (humidity ? 2.3 * humidity + 0.575 : 0);
}

function readRegisters(io: I2CInstance, register: number, count: number): Uint8Array {
  io.write(Uint8Array.of(register), false);
  return new Uint8Array(io.read(count));
}

const signed16 = (low: number, high: number) => ((high << 24) >> 16) | low;
const signed12 = (value: number) => (value << 20) >> 20;

/** Trimming parameters from calib00..calib25 (0x88..0xA1) and 0xE1..0xE7 (4.2.2, Table 16). */
export function parseBME280Calibration(block1: Uint8Array, block2: Uint8Array): BME280Calibration {
  const word = (i: number) => block1[i] | (block1[i + 1] << 8);
  const int16 = (i: number) => signed16(block1[i], block1[i + 1]);
  return {
    T1: word(0), T2: int16(2), T3: int16(4),
    P1: word(6), P2: int16(8), P3: int16(10), P4: int16(12), P5: int16(14), P6: int16(16), P7: int16(18), P8: int16(20), P9: int16(22),
    H1: block1[25],                                       // 0xA1, unsigned char
    H2: signed16(block2[0], block2[1]),                   // 0xE1/0xE2, signed short
    H3: block2[2],                                        // 0xE3, unsigned char
    H4: signed12((block2[3] << 4) | (block2[4] & 0x0f)),  // 0xE4 = [11:4], 0xE5[3:0] = [3:0], signed
    H5: signed12((block2[5] << 4) | (block2[4] >> 4)),    // 0xE6 = [11:4], 0xE5[7:4] = [3:0], signed
    H6: (block2[6] << 24) >> 24,                          // 0xE7, signed char
  };
}

/** BME280_compensate_T_int32 (4.2.3): {t_fine, temperature in 0.01 degC}. */
export function bme280CompensateTemperature(c: BME280Calibration, adcT: number): { tFine: number; centidegrees: number } {
  const var1 = (((adcT >> 3) - (c.T1 << 1)) * c.T2) >> 11;
  const d = (adcT >> 4) - c.T1;
  const var2 = (((d * d) >> 12) * c.T3) >> 14;
  const tFine = (var1 + var2) | 0;
  return { tFine, centidegrees: (tFine * 5 + 128) >> 8 };
}

/** BME280_compensate_P_double (8.1) with the integer t_fine: pascal, or NaN when the calibration divides by zero. */
export function bme280CompensatePressure(c: BME280Calibration, adcP: number, tFine: number): number {
  let var1 = tFine / 2 - 64000;
  let var2 = var1 * var1 * c.P6 / 32768;
  var2 = var2 + var1 * c.P5 * 2;
  var2 = var2 / 4 + c.P4 * 65536;
  var1 = (c.P3 * var1 * var1 / 524288 + c.P2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * c.P1;
  if (var1 === 0) return Number.NaN;
  let p = 1048576 - adcP;
  p = (p - var2 / 4096) * 6250 / var1;
  var1 = c.P9 * p * p / 2147483648;
  var2 = p * c.P8 / 32768;
  return p + (var1 + var2 + c.P7) / 16;
}

/**
 * bme280_compensate_H_int32 (4.2.3): %RH in 1/1024 steps. Products a C
 * int32 would wrap are wrapped the same way (Math.imul, | 0), so the result
 * is the datasheet code's for every input.
 */
export function bme280CompensateHumidity(c: BME280Calibration, adcH: number, tFine: number): number {
  let v = (tFine - 76800) | 0;
  const offset = ((adcH << 14) - (c.H4 << 20) - c.H5 * v + 16384) >> 15;
  const gain = (((Math.imul((v * c.H6) >> 10, ((v * c.H3) >> 11) + 32768) >> 10) + 2097152) * c.H2 + 8192) >> 14;
  v = Math.imul(offset, gain);
  v = (v - ((((((v >> 15) * (v >> 15)) >> 7) * c.H1) >> 4))) | 0;
  v = v < 0 ? 0 : v > 419430400 ? 419430400 : v;
  return (v >> 12) / 1024;
}

/**
 * Whether a BME280 answers on `io` (an I2C instance open at 0x76 or 0x77):
 * chip id 0x60 (5.4.1) and a reset register that reads 0x00 (5.4.2). A
 * BMP280 (0x56..0x58) or BME680 (0x61) reads another id; a device without
 * these registers rarely gives both bytes.
 */
export function probeBME280(io: I2CInstance): boolean {
  try {
    return readRegisters(io, Register.id, 1)[0] === ChipId.bme280 && readRegisters(io, Register.reset, 1)[0] === 0x00;
  }
  catch {
    return false;
  }
}

function checkChoice(field: string, value: unknown, table: Readonly<Record<string, number>>, words: string): number {
  if (typeof value !== "number") throw new TypeError(`BME280: ${field} must be a number (${words}), not ${typeof value}`);
  const code = table[String(value)];
  if (code === undefined) throw new RangeError(`BME280: ${field} must be ${words}, not ${String(value)}`);
  return code;
}

const CONFIG_FIELDS = Object.freeze(["mode", "temperatureOversampling", "pressureOversampling", "humidityOversampling", "filter", "standby"]);

type Waiter = SampleCallback<CombinedSample>;

export default class BME280 implements Sensor<CombinedSample> {
  #io: I2CInstance | undefined;
  readonly #address: number;
  readonly #calibration: BME280Calibration;
  readonly #onError: ((error: SensorError) => void) | undefined;
  #settings: Settings = { ...DEFAULTS };
  /** The register values the driver last wrote; read back with every sample. */
  #ctrlHum = 0;
  #ctrlMeas = 0;
  #config = 0;
  /** The chip's registers may have been reset; write them all again before the next sample. */
  #rewrite = false;
  /** Callbacks waiting for the conversion in progress, and its timer. */
  #waiting: Waiter[] = [];
  #timer: Timer | undefined;
  #polls = 0;
  /** Normal mode: runs for t_measure,max after the settings were written; until then no conversion has used them. */
  #settling: Timer | undefined;

  constructor(options: BME280Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError("BME280: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}");
    const address = sensor.address ?? 0x76;
    if (address !== 0x76 && address !== 0x77) throw new RangeError(`BME280: options.sensor.address must be 0x76 or 0x77 (6.2), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError("BME280: options.onError must be a function");
    this.#onError = options.onError;
    this.#address = address;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      const id = readRegisters(io, Register.id, 1)[0];
      if ((ChipId.bmp280 as readonly number[]).includes(id))
        throw new SensorError("BME280", "absent", `the chip at 0x${address.toString(16)} is a BMP280 (chip id 0x${id.toString(16)}, 5.2 Table 17): it measures no humidity, and this driver reads only the BME280 (0x60)`);
      if (id !== ChipId.bme280) throw new SensorError("BME280", "absent", `the chip at 0x${address.toString(16)} reads chip id 0x${id.toString(16)}; a BME280 reads 0x60 (5.4.1)`);
      if (readRegisters(io, Register.status, 1)[0] & Bits.imUpdate)
        throw new SensorError("BME280", "busy", "the chip is still copying its trimming parameters from NVM (status.im_update, 5.4.4); try again in a few ms");
      const calibration = parseBME280Calibration(readRegisters(io, Register.calibration1, 26), readRegisters(io, Register.calibration2, 7));
      if (calibration.T1 === 0 || calibration.P1 === 0)
        throw new SensorError("BME280", "range", `trimming parameters read dig_T1 = ${calibration.T1}, dig_P1 = ${calibration.P1}; a trimmed chip has neither 0 (4.2.2)`);
      this.#calibration = calibration;
      this.#io = io;
      this.#apply(io);
    }
    catch (error) {
      this.#io = undefined;
      io.close();
      throw error instanceof SensorError ? error : new SensorError("BME280", "absent", `no BME280 answers at 0x${address.toString(16)}`, error);
    }
  }

  /** Changes the given settings only; throws TypeError/RangeError naming a bad one before writing anything. */
  configure(options: BME280Configuration): void {
    const io = this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError("BME280: configure() takes an object of settings");
    for (const key of Object.keys(options)) if (!CONFIG_FIELDS.includes(key)) throw new TypeError(`BME280: unknown setting "${key}"; settings are ${CONFIG_FIELDS.join(", ")}`);
    const next: Settings = { ...this.#settings };
    if (options.mode !== undefined) {
      if (options.mode !== "forced" && options.mode !== "normal") throw new RangeError(`BME280: mode must be "forced" or "normal", not ${String(options.mode)}`);
      next.mode = options.mode;
    }
    if (options.temperatureOversampling !== undefined) {
      checkChoice("temperatureOversampling", options.temperatureOversampling, OVERSAMPLING, "1, 2, 4, 8 or 16");
      if (options.temperatureOversampling === (0 as number)) throw new RangeError("BME280: temperatureOversampling must be 1, 2, 4, 8 or 16, not 0: pressure and humidity need the temperature (t_fine, 4.2.3)");
      next.temperatureOversampling = options.temperatureOversampling;
    }
    if (options.pressureOversampling !== undefined) {
      checkChoice("pressureOversampling", options.pressureOversampling, OVERSAMPLING, "0 (skip), 1, 2, 4, 8 or 16");
      next.pressureOversampling = options.pressureOversampling;
    }
    if (options.humidityOversampling !== undefined) {
      checkChoice("humidityOversampling", options.humidityOversampling, OVERSAMPLING, "0 (skip), 1, 2, 4, 8 or 16");
      next.humidityOversampling = options.humidityOversampling;
    }
    if (options.filter !== undefined) {
      checkChoice("filter", options.filter, FILTER, "0 (off), 2, 4, 8 or 16");
      next.filter = options.filter;
    }
    if (options.standby !== undefined) {
      checkChoice("standby", options.standby, STANDBY, "0.5, 10, 20, 62.5, 125, 250, 500 or 1000 (ms)");
      next.standby = options.standby;
    }
    this.#settings = next;
    this.#apply(io);
    // A conversion in progress was stopped by the writes: wait for one made with the new settings.
    if (this.#waiting.length) this.#start(io);
  }

  /**
   * A sample: {thermometer, hygrometer (unless skipped), barometer (unless skipped)}.
   * With a callback: a fresh conversion (forced mode) or the chip's latest
   * (normal mode), called back on a later turn with (error, sample).
   * Without: normal mode only, the latest conversion now, or undefined after
   * reporting a fault to onError (thrown when there is no onError).
   */
  sample(): CombinedSample | undefined;
  sample(callback: SampleCallback<CombinedSample>): void;
  sample(callback?: SampleCallback<CombinedSample>): CombinedSample | undefined {
    const io = this.#open();
    if (!callback) {
      if (this.#settings.mode !== "normal") throw new Error("BME280: sample() without a callback needs mode \"normal\" (the chip converts on its own); in forced mode use sample(callback)");
      let result: CombinedSample | undefined, fault: SensorError | undefined;
      try {
        if (this.#rewrite) this.#apply(io);
        if (this.#settling) throw new SensorError("BME280", "busy", `no conversion with the settings written less than t_measure,max (${this.measurementTime} ms, 9.1) ago has finished yet`);
        result = this.#read(io);
      }
      catch (error) {
        fault = this.#fault(error);
      }
      return fault ? reportFault(this.#onError, fault) : result;
    }
    this.#waiting.push(callback);
    if (this.#waiting.length > 1) return; // shares the conversion already under way
    try {
      if (this.#rewrite) this.#apply(io);
      this.#start(io);
    }
    catch (error) {
      this.#finish(this.#fault(error), undefined);
    }
  }

  close(): void {
    const io = this.#io;
    this.#io = undefined;
    if (this.#timer) Timer.clear(this.#timer);
    if (this.#settling) Timer.clear(this.#settling);
    this.#timer = this.#settling = undefined;
    if (this.#waiting.length) this.#finish(new SensorError("BME280", "bus", "closed before the conversion finished"), undefined);
    io?.close();
  }

  /** t_measure,max of the current settings, ms (9.1). */
  get measurementTime(): number {
    const s = this.#settings;
    return bme280MeasurementTime(s.temperatureOversampling, s.pressureOversampling, s.humidityOversampling);
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error("BME280: closed");
    return this.#io;
  }

  /**
   * Writes every setting: sleep first (config writes in normal mode may be
   * ignored, 5.4.6), then config, ctrl_hum, and ctrl_meas last, which makes
   * ctrl_hum take effect (5.4.3). Register/value pairs in one transfer (6.2.1).
   */
  #apply(io: I2CInstance): void {
    const s = this.#settings;
    const osrsT = OVERSAMPLING[String(s.temperatureOversampling)], osrsP = OVERSAMPLING[String(s.pressureOversampling)];
    this.#ctrlHum = OVERSAMPLING[String(s.humidityOversampling)];
    this.#config = (STANDBY[String(s.standby)] << 5) | (FILTER[String(s.filter)] << 2);
    this.#ctrlMeas = (osrsT << 5) | (osrsP << 2);
    const mode = s.mode === "normal" ? Bits.normal : Bits.sleep;
    io.write(Uint8Array.of(Register.ctrlMeas, this.#ctrlMeas | Bits.sleep, Register.config, this.#config, Register.ctrlHum, this.#ctrlHum, Register.ctrlMeas, this.#ctrlMeas | mode));
    this.#rewrite = false;
    if (this.#settling) Timer.clear(this.#settling);
    this.#settling = s.mode === "normal" ? Timer.set(() => { this.#settling = undefined; }, Math.ceil(this.measurementTime)) : undefined;
  }

  /**
   * Forced mode: starts a conversion (3.3.3) and reads it after t_measure,max
   * (9.1). Normal mode: reads the latest conversion on the next turn, or
   * after t_measure,max while the chip has had no time to convert with the
   * settings just written.
   */
  #start(io: I2CInstance): void {
    this.#polls = 0;
    if (this.#settings.mode === "normal") {
      this.#schedule(this.#settling ? Math.ceil(this.measurementTime) : 0);
      return;
    }
    io.write(Uint8Array.of(Register.ctrlHum, this.#ctrlHum, Register.ctrlMeas, this.#ctrlMeas | Bits.forced));
    this.#schedule(Math.ceil(this.measurementTime));
  }

  #schedule(delay: number): void {
    if (this.#timer) Timer.clear(this.#timer);
    this.#timer = Timer.set(() => this.#check(), delay);
  }

  /**
   * After the wait: the result, or more waiting while the chip still measures
   * (forced) or has not finished its first conversion (normal), four more
   * quarters of t_measure,max; then a busy fault.
   */
  #check(): void {
    this.#timer = undefined;
    const io = this.#io;
    if (!io) return;
    let result: CombinedSample | undefined;
    try {
      result = this.#read(io);
    }
    catch (error) {
      const fault = this.#fault(error);
      const wait = Math.max(1, Math.ceil(this.measurementTime / 4));
      if (fault.reason === "busy" && this.#polls < 4) {
        this.#polls++;
        this.#schedule(wait);
        return;
      }
      this.#finish(fault, undefined);
      return;
    }
    this.#finish(undefined, result);
  }

  /** Calls back every waiting caller, on a later turn than the call that started the sample. */
  #finish(error: SensorError | undefined, result: CombinedSample | undefined): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    Timer.set(() => {
      for (const callback of waiting) callback(error, result);
    }, 0);
  }

  #fault(error: unknown): SensorError {
    return error instanceof SensorError ? error : new SensorError("BME280", "bus", `transfer at 0x${this.#address.toString(16)} failed`, error);
  }

  /** One burst from ctrl_hum to hum_lsb (0xF2..0xFE): settings, status and data of one conversion (4, 4.1). */
  #read(io: I2CInstance): CombinedSample {
    const b = readRegisters(io, Register.ctrlHum, 13);
    const [ctrlHum, status, ctrlMeas, config] = b;
    const s = this.#settings;
    const normal = s.mode === "normal";
    if ((ctrlHum & Bits.osrsMask) !== this.#ctrlHum || (ctrlMeas & ~Bits.modeMask) !== this.#ctrlMeas || (config & 0xfc) !== this.#config
      || (normal && (ctrlMeas & Bits.modeMask) !== Bits.normal)) {
      this.#rewrite = true;
      throw new SensorError("BME280", "bus", `the chip's settings changed (power-on reset?): ctrl_hum/ctrl_meas/config read 0x${hex(ctrlHum)}/0x${hex(ctrlMeas)}/0x${hex(config)}, written 0x${hex(this.#ctrlHum)}/0x${hex(this.#ctrlMeas | (normal ? Bits.normal : 0))}/0x${hex(this.#config)}; they are written again at the next sample`);
    }
    if (!normal && (status & (Bits.measuring | Bits.imUpdate)))
      throw new SensorError("BME280", "busy", `still measuring (status 0x${hex(status)}, 5.4.4) after the maximum measurement time of ${this.measurementTime} ms (9.1)`);
    // Raw values: 20-bit pressure and temperature (msb, lsb, xlsb[7:4]), 16-bit humidity (5.4.7 to 5.4.9).
    if ((b[7] & Bits.xlsbZero) || (b[10] & Bits.xlsbZero))
      throw new SensorError("BME280", "range", `press_xlsb/temp_xlsb read 0x${hex(b[7])}/0x${hex(b[10])}; their bits 3..0 are always 0 (Table 18)`);
    const adcP = (b[5] << 12) | (b[6] << 4) | (b[7] >> 4);
    const adcT = (b[8] << 12) | (b[9] << 4) | (b[10] >> 4);
    const adcH = (b[11] << 8) | b[12];
    const hasP = s.pressureOversampling !== 0, hasH = s.humidityOversampling !== 0;
    if (adcT === SKIPPED.temperature && (!hasP || adcP === SKIPPED.pressure) && (!hasH || adcH === SKIPPED.humidity))
      throw new SensorError("BME280", "busy", "the data registers still hold their reset values (Table 18): no conversion has finished yet");
    const c = this.#calibration;
    const { tFine, centidegrees } = bme280CompensateTemperature(c, adcT);
    const temperature = centidegrees / 100;
    if (temperature < LIMITS.temperatureMin || temperature > LIMITS.temperatureMax)
      throw new SensorError("BME280", "range", `temperature code 0x${adcT.toString(16)} gives ${temperature} degC, outside the absolute maximum rating of -45 to 85 degC (Table 5)`);
    const sample: CombinedSample = { thermometer: { temperature } };
    if (hasH) sample.hygrometer = { humidity: bme280CompensateHumidity(c, adcH, tFine) };
    if (hasP) {
      const pressure = bme280CompensatePressure(c, adcP, tFine);
      if (!(pressure >= 0 && pressure <= LIMITS.pressureMax))
        throw new SensorError("BME280", "range", `pressure code 0x${adcP.toString(16)} gives ${pressure} Pa, outside 0 to 20000 hPa (Table 5)${Number.isNaN(pressure) ? ": dig_P1 makes the compensation divide by zero" : ""}`);
      sample.barometer = { pressure: Math.round(pressure * 100) / 100 };
    }
    return sample;
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}
