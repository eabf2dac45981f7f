/*
 * Sensirion SHT4x (SHT40, SHT41, SHT43, SHT45) humidity and temperature
 * sensor, ECMA-419 Sensor Class Pattern.
 * Datasheet: Sensirion "Datasheet SHT4x" (v6.x): Table 4 (timing), 4.4
 * (checksum), 4.5 (commands), 4.6 (conversion), serial number, soft reset,
 * 4.9 (heater).
 *
 *   const sensor = new SHT4x({sensor: {...device.I2C.default, address: 0x44}});
 *   sensor.sample((error, sample) => ...); // {thermometer: {temperature}, hygrometer: {humidity}}
 *
 * The SHT4x measures only when told (8-bit command, 4.5) and NACKs a read
 * until it is done, so there is no synchronous sample(): sample(callback)
 * sends the command, waits the datasheet's maximum time on a timer
 * (Table 4), then reads two words, each checked against its CRC (4.4).
 * Bus work is serialised through the SHT3x driver's command queue.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import Timer from "timer";
import { SensorError } from "./errors";
import type { CombinedSample, SampleCallback, Sensor } from "./sensor";
import { abandonMeasurement, CommandQueue, readResult, readSensirionSerial, sensirionMeasurement } from "./sht3x";

const NAME = "SHT4x";

export type Precision = "high" | "medium" | "low";

/** 8-bit commands (4.5). */
const Command = Object.freeze({
  measureHigh: 0xfd,    // T and RH, high precision (repeatability)
  measureMedium: 0xf6,  // medium precision
  measureLow: 0xe0,     // low precision
  readSerial: 0x89,     // serial number: two words, each with its CRC
  softReset: 0x94,
} as const);

const Measure: Readonly<Record<Precision, number>> = Object.freeze({ high: Command.measureHigh, medium: Command.measureMedium, low: Command.measureLow });

/** Maximum measurement durations in ms (Table 4, tMEAS). */
const MeasureMs = Object.freeze({ high: 8.3, medium: 4.5, low: 1.6 } as const);

/** Heater commands by power in mW, then pulse length in s: heat, then a high-precision measurement (4.5, 4.9). */
const Heater: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.freeze({
  "200": Object.freeze({ "1": 0x39, "0.1": 0x32 }),
  "110": Object.freeze({ "1": 0x2f, "0.1": 0x24 }),
  "20": Object.freeze({ "1": 0x1e, "0.1": 0x15 }),
});

/** Heater pulse maximum length in ms by nominal length in s (Table 4). */
const HeaterMs: Readonly<Record<string, number>> = Object.freeze({ "1": 1100, "0.1": 110 });

/** Waits in ms. */
const Wait = Object.freeze({
  softReset: 1,  // tSR max (Table 4)
  idle: 1,       // before reading the serial number; the datasheet gives no time, Sensirion's drivers keep 1 ms
} as const);

/**
 * Temperatures the chip can report, degrees C: its operating range, -40 to
 * 125 (datasheet "Features", 2.2), widened by 1 degC so that a chip at the
 * edge of its range, reading a little beyond it within its tolerance, is not
 * refused. The scale itself runs from -45 to 130 (4.6); a code out there is
 * a fault, not a temperature.
 */
const OperatingRange = Object.freeze({ min: -41, max: 126 } as const);

/** Temperature from a raw word: T = -45 + 175 * S_T / (2^16 - 1) degrees C (4.6). */
export function sht4xTemperature(raw: number): number {
  return -45 + (175 * raw) / 65535;
}

/**
 * Relative humidity from a raw word: RH = -6 + 125 * S_RH / (2^16 - 1),
 * cropped to 0..100 %RH as 4.6 recommends (the formula spans -6 to 119 so
 * that values near the ends keep their accuracy; beyond them is not physical).
 */
export function sht4xHumidity(raw: number): number {
  return Math.max(0, Math.min(100, -6 + (125 * raw) / 65535));
}

export interface SHT4xOptions {
  /** The bus: a provider I2C default plus an optional `address`: 0x44 (SHT4x-A...), 0x45 (-B...) or 0x46 (-C...), fixed by the part (5.1). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface SHT4xConfiguration {
  /** Precision (repeatability): high (default), medium or low; lower is faster (Table 4). */
  precision?: Precision;
}

export interface HeaterPulse {
  /** Heater power in mW: 20, 110 or 200 (4.9). */
  power: 20 | 110 | 200;
  /** Pulse length in seconds: 0.1 or 1 (4.9). */
  duration: 0.1 | 1;
}

export default class SHT4x implements Sensor<CombinedSample> {
  #io: I2CInstance | undefined;
  readonly #queue = new CommandQueue();
  #precision: Precision = "high";
  /** Callbacks waiting for the measurement under way, and for heater pulses. */
  #waiting: SampleCallback<CombinedSample>[] = [];
  #heating: SampleCallback<CombinedSample>[] = [];

  constructor(options: SHT4xOptions) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError(`${NAME}: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}`);
    const address = sensor.address ?? 0x44;
    if (address !== 0x44 && address !== 0x45 && address !== 0x46) throw new RangeError(`${NAME}: options.sensor.address must be 0x44, 0x45 or 0x46, not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError(`${NAME}: options.onError must be a function`);
    // Faults all reach sample's callback (there is no synchronous form and no background work), so onError is not needed.
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      // A soft reset to a known state; the chip must acknowledge it.
      io.write(Uint8Array.of(Command.softReset));
    }
    catch (error) {
      io.close();
      throw new SensorError(NAME, "absent", `no SHT4x answers at 0x${address.toString(16)}`, error);
    }
    this.#io = io;
    this.#queue.settle(Wait.softReset);
  }

  /** Changes only the given settings. Bad values throw. */
  configure(options: SHT4xConfiguration): void {
    this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError(`${NAME}: configure() needs an options object`);
    if (options.precision !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(Measure, options.precision as string))
        throw new RangeError(`${NAME}: precision must be "high", "medium" or "low", not ${String(options.precision)}`);
      this.#precision = options.precision;
    }
  }

  /** Not possible without a callback: the chip measures only when asked. */
  sample(): never;
  /** A fresh measurement: callback(error, sample) once the chip is done, up to 8.3 ms later (Table 4). */
  sample(callback: SampleCallback<CombinedSample>): void;
  sample(callback?: SampleCallback<CombinedSample>): void {
    const io = this.#open();
    if (typeof callback !== "function")
      throw new TypeError(`${NAME}: a measurement takes up to ${MeasureMs[this.#precision]} ms (datasheet Table 4) and the chip keeps no result of its own: pass a callback, sample((error, sample) => ...)`);
    this.#waiting.push(callback);
    if (this.#waiting.length > 1) return; // joins the measurement under way
    this.#queue.push((done) => {
      const precision = this.#precision;
      this.#run(io, Measure[precision], MeasureMs[precision], (error, sample) => {
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const waiter of waiting) waiter(error, sample);
      }, done);
    });
  }

  /**
   * One heater pulse (4.9): the chip heats for `duration` s at `power` mW,
   * then measures; the callback gets that measurement, of the heated
   * sensor (not of the room). The datasheet limits the heater to a 10 %
   * duty cycle; keeping to it is the caller's part.
   */
  heat(pulse: HeaterPulse, callback: SampleCallback<CombinedSample>): void {
    const io = this.#open();
    if (typeof pulse !== "object" || pulse === null) throw new TypeError(`${NAME}: heat() needs {power, duration}`);
    const byPower = Heater[String(pulse.power)];
    if (!byPower) throw new RangeError(`${NAME}: heater power must be 20, 110 or 200 mW, not ${String(pulse.power)}`);
    const code = byPower[String(pulse.duration)];
    if (code === undefined) throw new RangeError(`${NAME}: heater duration must be 0.1 or 1 s, not ${String(pulse.duration)}`);
    if (typeof callback !== "function") throw new TypeError(`${NAME}: heat() needs a callback`);
    this.#heating.push(callback);
    this.#queue.push((done) => this.#run(io, code, HeaterMs[String(pulse.duration)] + MeasureMs.high, (error, sample) => {
      this.#heating.splice(this.#heating.indexOf(callback), 1);
      callback(error, sample);
    }, done));
  }

  close(): void {
    const io = this.#io;
    if (!io) return;
    this.#io = undefined;
    this.#queue.close();
    abandonMeasurement(NAME, this.#waiting.concat(this.#heating));
    this.#waiting = [];
    this.#heating = [];
    io.close();
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error(`${NAME}: closed`);
    return this.#io;
  }

  /** A job: send `code`, wait `due` ms, read the six bytes (retrying while NACKed), decode, call back. */
  #run(io: I2CInstance, code: number, due: number, callback: SampleCallback<CombinedSample>, done: (settle: number) => void): void {
    try {
      io.write(Uint8Array.of(code));
    }
    catch (error) {
      callback(new SensorError(NAME, "bus", `command 0x${code.toString(16)} not acknowledged`, error), undefined);
      done(Wait.idle);
      return;
    }
    // The chip NACKs the read header until it is done (4.3).
    readResult(NAME, this.#queue, io, due, decode, callback, done);
  }
}

/** Six bytes (T word, CRC, RH word, CRC; 4.5) as a sample; throws a SensorError on a bad CRC or range. */
function decode(bytes: Uint8Array): CombinedSample {
  return sensirionMeasurement(NAME, bytes, { temperature: sht4xTemperature, humidity: sht4xHumidity, range: OperatingRange });
}

/**
 * Looks for an SHT4x on `io` (an I2C instance at 0x44, 0x45 or 0x46):
 * reads the 32-bit serial number (command 0x89: two words, each with its
 * CRC) and calls back on a later turn with it, or undefined when nothing
 * there answers with two words whose CRCs match. Leaves `io` open.
 */
export function probeSHT4x(io: I2CInstance, callback: (serial: number | undefined) => void): void {
  try {
    io.write(Uint8Array.of(Command.readSerial));
  }
  catch {
    Timer.set(() => callback(undefined), 0);
    return;
  }
  readSensirionSerial(io, Wait.idle + 1, callback);
}
