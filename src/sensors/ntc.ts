/*
 * An NTC thermistor in a voltage divider on an ECMA-419 Analog input,
 * ECMA-419 Sensor Class Pattern.
 *
 *   const sensor = new NTC({sensor: {...device.Analog.default}});
 *   sensor.configure({beta: 3380});   // Murata NCP18XH103F03RB, B25/50
 *   sensor.sample();                  // {temperature: 21.7}, degrees C
 *
 * The circuit (default): the thermistor from the pin to ground, the series
 * resistor from the pin to the ADC's reference, so the divider is
 * ratiometric and the reference voltage cancels:
 *
 *   code / full scale = R / (R + Rseries)
 *
 * With `thermistorOnTop` the two swap places: code / full scale = Rseries / (R + Rseries).
 * Full scale is 2^resolution - 1, the largest code ECMA-419 Analog `read()`
 * returns (2nd edition, 9.2).
 *
 * Resistance to temperature, T in kelvin:
 *   Beta model, the B constant's definition B = ln(R1/R2) / (1/T1 - 1/T2)
 *   solved for T (Murata "NTC Thermistors" catalog R44E, "Basic
 *   Characteristics"):
 *     1/T = 1/T0 + ln(R/R0) / B
 *   Steinhart-Hart (Steinhart and Hart, Deep-Sea Research 15, 1968; Vishay's
 *   NTCLE100E3 datasheet fits an extended form with a squared term):
 *     1/T = A + B ln R + C (ln R)^3
 *
 * Defaults are those of a Murata NCP18XH103F03RB (R25 = 10 kOhm, B25/50 =
 * 3380 K) with a 10 kOhm series resistor. A reading at or near either end of
 * the scale (within 0.5 % of full scale) is an open or shorted thermistor and
 * reported as a SensorError "range", never as a temperature; so is a
 * temperature outside `minTemperature`..`maxTemperature`.
 */

import { answerSample } from "./conversions";
import { SensorError } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

const NAME = "NTC";
const KELVIN = 273.15;

/** Codes this close to either end of the scale (fraction of full scale, at least 1 LSB) mean an open or short circuit. */
const RAIL_MARGIN = 0.005;

/** What the driver uses of an ECMA-419 Analog instance. */
export interface AnalogInput {
  readonly resolution: number;
  read(): number;
  close(): void;
}

export type AnalogConstructor = new (options: { pin: number; resolution?: number }) => AnalogInput;

export interface NTCOptions {
  /** The analog input: the Analog class, its pin, and optionally the converter's resolution in bits. */
  sensor: { io: AnalogConstructor; pin: number; resolution?: number };
  onError?: (error: SensorError) => void;
}

export interface NTCConfiguration {
  /** The fixed resistor of the divider, ohms. */
  seriesResistance?: number;
  /** Beta model: the thermistor's resistance at `nominalTemperature`, ohms (R25). */
  nominalResistance?: number;
  /** Beta model: degrees C at which `nominalResistance` holds (25). */
  nominalTemperature?: number;
  /** Beta model: B constant, kelvin. Selects the Beta model. */
  beta?: number;
  /** Steinhart-Hart coefficients, for R in ohms and T in kelvin. All three together select Steinhart-Hart. */
  a?: number;
  b?: number;
  c?: number;
  /** The thermistor sits between the reference and the pin, the series resistor to ground. */
  thermistorOnTop?: boolean;
  /** Reads averaged per sample, 1 to 64. */
  averaging?: number;
  /** Readings outside this range, degrees C, are reported as faults (default -55 and 150). */
  minTemperature?: number;
  maxTemperature?: number;
}

type Curve =
  | { readonly kind: "beta"; readonly beta: number; readonly nominalResistance: number; readonly nominalTemperature: number }
  | { readonly kind: "steinhart-hart"; readonly a: number; readonly b: number; readonly c: number };

/** Thermistor resistance in ohms from an ADC code, for either divider; Infinity for an open circuit, 0 for a short. */
export function ntcResistance(code: number, fullScale: number, seriesResistance: number, thermistorOnTop = false): number {
  return thermistorOnTop ? seriesResistance * (fullScale - code) / code : seriesResistance * code / (fullScale - code);
}

/** Beta model: 1/T = 1/T0 + ln(R/R0)/B, degrees C. */
export function betaCelsius(resistance: number, nominalResistance: number, nominalCelsius: number, beta: number): number {
  return 1 / (1 / (nominalCelsius + KELVIN) + Math.log(resistance / nominalResistance) / beta) - KELVIN;
}

/** Steinhart-Hart: 1/T = A + B ln R + C (ln R)^3, degrees C. */
export function steinhartHartCelsius(resistance: number, a: number, b: number, c: number): number {
  const ln = Math.log(resistance);
  return 1 / (a + b * ln + c * ln * ln * ln) - KELVIN;
}

function positive(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new RangeError(`${NAME}: ${field} must be a positive number, not ${String(value)}`);
  return value;
}

function finite(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${NAME}: ${field} must be a finite number, not ${String(value)}`);
  return value;
}

export default class NTC implements Sensor<ThermometerSample> {
  #io: AnalogInput | undefined;
  readonly #fullScale: number;
  readonly #onError: ((error: SensorError) => void) | undefined;
  #seriesResistance = 10_000;
  #curve: Curve = Object.freeze({ kind: "beta", beta: 3380, nominalResistance: 10_000, nominalTemperature: 25 });
  #onTop = false;
  #averaging = 1;
  #min = -55;
  #max = 150;

  constructor(options: NTCOptions) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError(`${NAME}: options.sensor must be an analog input {io: Analog, pin}, e.g. {...device.Analog.default}`);
    if (typeof sensor.pin !== "number" || !Number.isInteger(sensor.pin) || sensor.pin < 0) throw new RangeError(`${NAME}: options.sensor.pin must be a pin number, not ${String(sensor.pin)}`);
    if (sensor.resolution !== undefined && (!Number.isInteger(sensor.resolution) || sensor.resolution < 1 || sensor.resolution > 24))
      throw new RangeError(`${NAME}: options.sensor.resolution must be a number of bits, not ${String(sensor.resolution)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError(`${NAME}: options.onError must be a function`);
    this.#onError = options.onError;
    const io = new sensor.io(sensor.resolution === undefined ? { pin: sensor.pin } : { pin: sensor.pin, resolution: sensor.resolution });
    try {
      const bits = io.resolution;
      if (!Number.isInteger(bits) || bits < 1 || bits > 24) throw new RangeError(`${NAME}: the analog input reports a resolution of ${String(bits)} bits`);
      this.#fullScale = 2 ** bits - 1;
      this.#io = io;
    }
    catch (error) {
      io.close();
      throw error;
    }
  }

  /**
   * Changes only the given fields; checks them all before changing any.
   * `beta` selects the Beta model, `a`, `b`, `c` (all three) Steinhart-Hart.
   */
  configure(options: NTCConfiguration): void {
    this.#check();
    const o = options ?? {};
    const series = o.seriesResistance === undefined ? this.#seriesResistance : positive("seriesResistance", o.seriesResistance);
    const hasSH = o.a !== undefined || o.b !== undefined || o.c !== undefined;
    if (hasSH && o.beta !== undefined) throw new TypeError(`${NAME}: give beta (Beta model) or a, b and c (Steinhart-Hart), not both`);
    if (hasSH && (o.a === undefined || o.b === undefined || o.c === undefined)) throw new TypeError(`${NAME}: Steinhart-Hart needs all of a, b and c`);
    let curve = this.#curve;
    if (hasSH) {
      const a = finite("a", o.a), b = finite("b", o.b), c = finite("c", o.c);
      if (b <= 0) throw new RangeError(`${NAME}: b must be positive for an NTC (resistance falls as temperature rises), not ${b}`);
      curve = { kind: "steinhart-hart", a, b, c };
    }
    else if (o.beta !== undefined || o.nominalResistance !== undefined || o.nominalTemperature !== undefined) {
      const base = curve.kind === "beta" ? curve : { beta: 3380, nominalResistance: 10_000, nominalTemperature: 25 };
      const beta = o.beta === undefined ? base.beta : positive("beta", o.beta);
      const nominalResistance = o.nominalResistance === undefined ? base.nominalResistance : positive("nominalResistance", o.nominalResistance);
      const nominalTemperature = o.nominalTemperature === undefined ? base.nominalTemperature : finite("nominalTemperature", o.nominalTemperature);
      if (nominalTemperature <= -KELVIN) throw new RangeError(`${NAME}: nominalTemperature must be above absolute zero, not ${nominalTemperature}`);
      curve = { kind: "beta", beta, nominalResistance, nominalTemperature };
    }
    if (o.thermistorOnTop !== undefined && typeof o.thermistorOnTop !== "boolean") throw new TypeError(`${NAME}: thermistorOnTop must be true or false, not ${String(o.thermistorOnTop)}`);
    const averaging = o.averaging ?? this.#averaging;
    if (!Number.isInteger(averaging) || averaging < 1 || averaging > 64) throw new RangeError(`${NAME}: averaging must be a whole number of reads from 1 to 64, not ${String(o.averaging)}`);
    const min = o.minTemperature === undefined ? this.#min : finite("minTemperature", o.minTemperature);
    const max = o.maxTemperature === undefined ? this.#max : finite("maxTemperature", o.maxTemperature);
    if (min >= max) throw new RangeError(`${NAME}: minTemperature (${min}) must be below maxTemperature (${max})`);
    this.#seriesResistance = series;
    this.#curve = Object.freeze(curve);
    this.#onTop = o.thermistorOnTop ?? this.#onTop;
    this.#averaging = averaging;
    this.#min = min;
    this.#max = max;
  }

  /**
   * The temperature now: `{temperature}` in degrees C. Without a callback,
   * returns it, or undefined after reporting a fault to onError (throws the
   * fault without onError). With one, calls it back on the next turn.
   */
  sample(): ThermometerSample | undefined;
  sample(callback: SampleCallback<ThermometerSample>): void;
  sample(callback?: SampleCallback<ThermometerSample>): ThermometerSample | undefined {
    const io = this.#check();
    if (callback !== undefined && typeof callback !== "function") throw new TypeError(`${NAME}: the sample callback must be a function`);
    let result: ThermometerSample | undefined, fault: SensorError | undefined;
    try {
      result = { temperature: this.#convert(io) };
    }
    catch (error) {
      fault = error instanceof SensorError ? error : new SensorError(NAME, "bus", "analog read failed", error);
    }
    return answerSample(callback, this.#onError, fault, result);
  }

  /** Releases the analog input (the SDK's ntcThermistor forgets to call close). Safe twice. */
  close(): void {
    const io = this.#io;
    this.#io = undefined;
    io?.close();
  }

  #check(): AnalogInput {
    if (!this.#io) throw new Error(`${NAME}: closed`);
    return this.#io;
  }

  #convert(io: AnalogInput): number {
    let sum = 0;
    for (let i = 0; i < this.#averaging; i++) sum += io.read();
    const code = sum / this.#averaging;
    const full = this.#fullScale;
    const margin = Math.max(1, full * RAIL_MARGIN);
    const where = `ADC ${Math.round(code)} of ${full}`;
    // Bottom thermistor: open pulls the pin to the reference, a short to ground. On top, the other way round.
    if (code <= margin) throw new SensorError(NAME, "range", `the thermistor reads as ${this.#onTop ? "open circuit" : "a short"} (${where})`);
    if (code >= full - margin) throw new SensorError(NAME, "range", `the thermistor reads as ${this.#onTop ? "a short" : "open circuit"} (${where})`);
    const resistance = ntcResistance(code, full, this.#seriesResistance, this.#onTop);
    const curve = this.#curve;
    const celsius = curve.kind === "beta"
      ? betaCelsius(resistance, curve.nominalResistance, curve.nominalTemperature, curve.beta)
      : steinhartHartCelsius(resistance, curve.a, curve.b, curve.c);
    if (!Number.isFinite(celsius) || celsius < this.#min || celsius > this.#max)
      throw new SensorError(NAME, "range", `the thermistor reads ${Math.round(resistance)} ohms (${where}), ${Number.isFinite(celsius) ? `${celsius.toFixed(1)} degC` : "no temperature"}, outside ${this.#min} to ${this.#max} degC`);
    return celsius;
  }
}

/**
 * Whether an analog input looks like a thermistor divider: four reads that
 * are off both rails and agree within 1/64 of full scale. Weak: any steady
 * mid-scale voltage passes, and some floating pins read steadily.
 */
export function probeNTC(io: AnalogInput): boolean {
  try {
    const full = 2 ** io.resolution - 1;
    const margin = Math.max(1, full * RAIL_MARGIN);
    const reads = [io.read(), io.read(), io.read(), io.read()];
    const low = Math.min(...reads), high = Math.max(...reads);
    return low > margin && high < full - margin && high - low <= full / 64;
  }
  catch {
    return false;
  }
}
