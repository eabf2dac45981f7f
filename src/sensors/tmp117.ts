/*
 * TI TMP117 high-accuracy I2C thermometer, ECMA-419 Sensor Class Pattern.
 * Datasheet: TI SNOSD82D ("TMP117 High-Accuracy, Low-Power, Digital
 * Temperature Sensor With SMBus- and I2C-Compatible Interface").
 *
 *   const sensor = new TMP117({sensor: {...device.I2C.default, address: 0x48}});
 *   sensor.sample((error, sample) => ...); // {temperature: 21.5078125}, degrees C
 *
 * Two ways to run the chip (configure({mode})):
 * - "continuous" (the factory EEPROM setting): the chip converts on its own
 *   every conversion cycle (7.4.1). sample() returns the latest result;
 *   sample(callback) returns a result the driver has not read yet, waiting up
 *   to one conversion cycle for Data_Ready when there is none.
 * - "oneShot": the chip sleeps in shutdown (7.4.2); each sample(callback)
 *   starts a one-shot conversion (7.4.3) and waits for Data_Ready. sample()
 *   returns the result of the last one.
 * Until the first conversion after power-up or a reset completes, the result
 * register reads -256 degC (8000h, 7.3.1); the driver reports that as a
 * "busy" fault, never as a reading.
 *
 * Uses plain I2C transfers (pointer write, then read), so `sensor.io` may be
 * the provider's I2C or SMBus class. The EEPROM (7.5.1) is left alone: the
 * driver writes the registers, which the chip reloads from EEPROM at reset.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import Timer from "timer";
import { reportFault, SensorError } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

/** Register addresses (7.6, register map). */
const Register = Object.freeze({
  temperature: 0x00,
  configuration: 0x01,
  highLimit: 0x02,
  lowLimit: 0x03,
  deviceId: 0x0f,
} as const);

/** Configuration register 01h, reset 0220h (7.6, Configuration register field descriptions). */
const Config = Object.freeze({
  dataReady: 0x2000,     // bit 13, set at the end of a conversion, cleared by reading 00h or 01h
  modeMask: 0x0c00,      // MOD[1:0], bits 11:10
  modeShift: 10,
  cycleMask: 0x0380,     // CONV[2:0], bits 9:7
  cycleShift: 7,
  averagingMask: 0x0060, // AVG[1:0], bits 6:5
  averagingShift: 5,
  keep: 0x001c,          // T/nA, POL, DR/Alert: kept as found on every write
} as const);

/** MOD[1:0] codes (7.6, configuration register; 7.4). 10 also means continuous and reads back 00. */
const Mode = Object.freeze({ continuous: 0b00, shutdown: 0b01, oneShot: 0b11 } as const);

/** Device_ID register 0Fh: DID[11:0] = 117h, REV[3:0] in bits 15:12 (7.6, Device_ID register). */
const DEVICE_ID = 0x117;
const DEVICE_ID_MASK = 0x0fff;

/** 7.8125 m degC per LSB, two's complement, result and limit registers alike (7.3.3, Table 7-1). */
const DEGREES_PER_LSB = 0.0078125;
/** The result register's power-up and reset content: -256 degC until the first conversion ends (7.3.1). */
const NOT_CONVERTED = 0x8000;
/** Operating range (1, Features): a result outside it is not a reading. */
const MIN_CELSIUS = -55, MAX_CELSIUS = 150;

/** One active conversion takes 15.5 ms; AVG multiplies it by 1, 8, 32 or 64 (7.3.2). */
const CONVERSION_MS = 15.5;
const AVERAGES = Object.freeze([1, 8, 32, 64] as const);

/** Conversion cycle time in continuous mode, ms, by CONV (rows) and AVG (columns) (7.4.1, conversion cycle time table). */
const CYCLE_MS: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([15.5, 125, 500, 1000]),
  Object.freeze([125, 125, 500, 1000]),
  Object.freeze([250, 250, 500, 1000]),
  Object.freeze([500, 500, 500, 1000]),
  Object.freeze([1000, 1000, 1000, 1000]),
  Object.freeze([4000, 4000, 4000, 4000]),
  Object.freeze([8000, 8000, 8000, 8000]),
  Object.freeze([16000, 16000, 16000, 16000]),
]);
/** The CONV settings as their nominal cycle with no averaging, ms (the first column above). */
const CYCLES = Object.freeze([15.5, 125, 250, 500, 1000, 4000, 8000, 16000] as const);

/** The datasheet's times are typical: the driver allows this much longer before looking for Data_Ready. */
const MARGIN = 1.2;
/** Looks for Data_Ready this many times after a one-shot's conversion time, or cycle times in continuous mode, before reporting "busy". */
const ATTEMPTS = 2;

/** Degrees C from a result or limit register word (two's complement, 7.8125 m degC/LSB; Table 7-1). */
export function tmp117Celsius(word: number): number {
  return ((word & 0x8000 ? word - 0x10000 : word) * DEGREES_PER_LSB);
}

/**
 * Whether the chip that answers on `io` is a TMP117: its Device_ID register
 * (0Fh) holds 117h in DID[11:0] whatever its revision REV[3:0]. Reliable: no
 * other chip at 0x48..0x4b has that ID at 0Fh. Never throws.
 */
export function probeTMP117(io: I2CInstance): boolean {
  try {
    return (read16(io, Register.deviceId) & DEVICE_ID_MASK) === DEVICE_ID;
  }
  catch {
    return false;
  }
}

export type TMP117Mode = "continuous" | "oneShot";

export interface TMP117Options {
  /** The bus: a provider I2C default plus an optional `address` (0x48 to 0x4b, 7.5.3.1.2). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface TMP117Configuration {
  /** "continuous" (MOD = 00) or "oneShot": shut down (MOD = 01) between one-shot conversions (MOD = 11). */
  mode?: TMP117Mode;
  /** Conversions averaged into each result: 1, 8 (factory setting), 32 or 64 (AVG, 7.3.2). */
  averaging?: 1 | 8 | 32 | 64;
  /** Continuous mode's conversion cycle in ms (CONV, 7.4.1): 15.5, 125, 250, 500, 1000 (factory), 4000, 8000 or 16000; averaging may lengthen it. */
  conversionCycle?: 15.5 | 125 | 250 | 500 | 1000 | 4000 | 8000 | 16000;
  /** Alert limits in degrees C (THigh_Limit 02h, TLow_Limit 03h), -256 to 255.9921875. */
  highLimit?: number;
  lowLimit?: number;
}

export default class TMP117 implements Sensor<ThermometerSample> {
  #io: I2CInstance | undefined;
  readonly #onError: ((error: SensorError) => void) | undefined;
  /** The configuration register's writable fields other than MOD, as last written or read. */
  #fields = 0;
  #mode: TMP117Mode = "continuous";
  /** Data_Ready was seen set and the result has not been read since. */
  #unread = false;
  /** Callers of sample(callback) waiting for the conversion under way. */
  #waiting: SampleCallback<ThermometerSample>[] = [];
  #timer: Timer | undefined;

  constructor(options: TMP117Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError("TMP117: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}");
    const address = sensor.address ?? 0x48;
    if (!Number.isInteger(address) || address < 0x48 || address > 0x4b)
      throw new RangeError(`TMP117: options.sensor.address must be 0x48 to 0x4b (7.5.3.1.2, ADD0), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError("TMP117: options.onError must be a function");
    this.#onError = options.onError;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      const id = read16(io, Register.deviceId);
      if ((id & DEVICE_ID_MASK) !== DEVICE_ID)
        throw new SensorError("TMP117", "absent", `Device_ID register (0Fh) reads 0x${id.toString(16)}; a TMP117 reads 117h in bits 11:0 (7.6)`);
      this.#take(read16(io, Register.configuration));
      this.#io = io;
    }
    catch (error) {
      io.close();
      throw error instanceof SensorError ? error : new SensorError("TMP117", "absent", `no TMP117 answers at 0x${address.toString(16)}`, error);
    }
  }

  /** Changes only the given settings; throws (and changes nothing) if any is bad. */
  configure(options: TMP117Configuration): void {
    const io = this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError("TMP117: configure() needs an options object");
    const { mode, averaging, conversionCycle, highLimit, lowLimit } = options;
    if (mode !== undefined && mode !== "continuous" && mode !== "oneShot")
      throw new RangeError(`TMP117: mode must be "continuous" or "oneShot", not ${String(mode)}`);
    const avg = averaging === undefined ? undefined : AVERAGES.indexOf(averaging);
    if (avg === -1) throw new RangeError(`TMP117: averaging must be 1, 8, 32 or 64 (7.3.2), not ${String(averaging)}`);
    const conv = conversionCycle === undefined ? undefined : CYCLES.indexOf(conversionCycle);
    if (conv === -1) throw new RangeError(`TMP117: conversionCycle must be one of ${CYCLES.join(", ")} ms (7.4.1), not ${String(conversionCycle)}`);
    const high = highLimit === undefined ? undefined : limitWord("highLimit", highLimit);
    const low = lowLimit === undefined ? undefined : limitWord("lowLimit", lowLimit);

    try {
      if (high !== undefined) write16(io, Register.highLimit, high);
      if (low !== undefined) write16(io, Register.lowLimit, low);
      if (mode === undefined && avg === undefined && conv === undefined) return;
      this.#take(read16(io, Register.configuration));
      let fields = this.#fields;
      if (avg !== undefined) fields = (fields & ~Config.averagingMask) | (avg << Config.averagingShift);
      if (conv !== undefined) fields = (fields & ~Config.cycleMask) | (conv << Config.cycleShift);
      if (mode !== undefined) this.#mode = mode;
      this.#fields = fields;
      this.#writeConfig(io, this.#mode === "continuous" ? Mode.continuous : Mode.shutdown);
      // The next sample(callback) waits for a conversion made with these settings.
      this.#unread = false;
    }
    catch (error) {
      throw fault("configuration write failed", error);
    }
  }

  /**
   * Without a callback: the latest result, `{temperature}` in degrees C, or
   * undefined after reporting a fault to onError (thrown without onError).
   * With one: a result not read before, through callback(error, sample) on a
   * later turn, once the chip has converted.
   */
  sample(): ThermometerSample | undefined;
  sample(callback: SampleCallback<ThermometerSample>): void;
  sample(callback?: SampleCallback<ThermometerSample>): ThermometerSample | undefined {
    const io = this.#open();
    if (!callback) {
      try {
        return this.#readResult(io);
      }
      catch (error) {
        return reportFault(this.#onError, fault("temperature read failed", error));
      }
    }
    if (typeof callback !== "function") throw new TypeError("TMP117: sample(callback) needs a function");
    this.#waiting.push(callback);
    if (this.#waiting.length > 1) return undefined; // joins the conversion under way
    try {
      if (this.#mode === "oneShot") {
        this.#writeConfig(io, Mode.oneShot);
        this.#wait(io, Array(ATTEMPTS).fill(this.#conversionMs()));
        return undefined;
      }
      this.#take(read16(io, Register.configuration));
      if (this.#unread) {
        const result = this.#readResult(io);
        this.#timer = Timer.set(() => this.#finish(undefined, result), 0);
      }
      // The first result after power-up, a reset or new settings comes one active conversion after the start; later ones a cycle apart.
      else this.#wait(io, [this.#conversionMs(), ...Array(ATTEMPTS).fill(this.#cycleMs())]);
    }
    catch (error) {
      const failure = fault("temperature read failed", error);
      this.#timer = Timer.set(() => this.#finish(failure, undefined), 0);
    }
    return undefined;
  }

  /** Releases the bus; safe twice. A sample(callback) under way is abandoned without a call back. */
  close(): void {
    Timer.clear(this.#timer);
    this.#timer = undefined;
    this.#waiting = [];
    const io = this.#io;
    this.#io = undefined;
    io?.close();
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error("TMP117: closed");
    return this.#io;
  }

  /** Notes what a configuration register read says: the fields, the mode, a new result. */
  #take(config: number): void {
    this.#fields = config & (Config.keep | Config.cycleMask | Config.averagingMask);
    // One-shot (11) ends in shutdown (01); both mean "sleep between samples" to this driver.
    this.#mode = ((config & Config.modeMask) >> Config.modeShift) & Mode.shutdown ? "oneShot" : "continuous";
    if (config & Config.dataReady) this.#unread = true;
  }

  #writeConfig(io: I2CInstance, mode: number): void {
    write16(io, Register.configuration, this.#fields | (mode << Config.modeShift));
  }

  /** Active conversion time with the current averaging (7.3.2). */
  #conversionMs(): number {
    return CONVERSION_MS * AVERAGES[(this.#fields & Config.averagingMask) >> Config.averagingShift];
  }

  /** Continuous-mode cycle time with the current CONV and AVG (7.4.1). */
  #cycleMs(): number {
    return CYCLE_MS[(this.#fields & Config.cycleMask) >> Config.cycleShift][(this.#fields & Config.averagingMask) >> Config.averagingShift];
  }

  /** Looks for Data_Ready after each of `delays` (ms, plus margin) in turn, then reports the chip busy. */
  #wait(io: I2CInstance, delays: number[]): void {
    const total = delays.reduce((sum, ms) => sum + Math.ceil(ms * MARGIN), 0);
    const attempt = (index: number) => {
      this.#timer = Timer.set(() => {
        this.#timer = undefined;
        if (this.#io !== io) return;
        let result: ThermometerSample | undefined;
        try {
          this.#take(read16(io, Register.configuration));
          if (!this.#unread) {
            if (index + 1 < delays.length) {
              attempt(index + 1);
              return;
            }
            throw new SensorError("TMP117", "busy", `no conversion completed (Data_Ready stayed 0) within ${total} ms`);
          }
          result = this.#readResult(io);
        }
        catch (error) {
          this.#finish(fault("temperature read failed", error), undefined);
          return;
        }
        this.#finish(undefined, result);
      }, Math.ceil(delays[index] * MARGIN));
    };
    attempt(0);
  }

  #finish(error: SensorError | undefined, result: ThermometerSample | undefined): void {
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const callback of waiting) callback(error, result);
  }

  #readResult(io: I2CInstance): ThermometerSample {
    const word = read16(io, Register.temperature);
    this.#unread = false; // reading the result register clears Data_Ready (7.6)
    if (word === NOT_CONVERTED)
      throw new SensorError("TMP117", "busy", "the result register still reads -256 degC (8000h): no conversion has completed since power-up or reset (7.3.1)");
    const temperature = tmp117Celsius(word);
    if (temperature < MIN_CELSIUS || temperature > MAX_CELSIUS)
      throw new SensorError("TMP117", "range", `result register reads 0x${word.toString(16)} (${temperature} degC), outside the chip's ${MIN_CELSIUS} to ${MAX_CELSIUS} degC`);
    return { temperature };
  }
}

/** A limit in degrees C as a register word (same format as the result, 7.3.3). */
function limitWord(field: string, celsius: number): number {
  if (typeof celsius !== "number" || !(celsius >= -256 && celsius <= 255.9921875))
    throw new RangeError(`TMP117: ${field} must be -256 to 255.9921875 degC (7.3.3), not ${String(celsius)}`);
  return Math.max(-0x8000, Math.min(0x7fff, Math.round(celsius / DEGREES_PER_LSB))) & 0xffff;
}

/** A SensorError for a failed transfer: "absent" when the chip did not acknowledge, "bus" otherwise. */
function fault(what: string, error: unknown): SensorError {
  if (error instanceof SensorError) return error;
  const nack = error instanceof Error && /acknowledge|nack/i.test(error.message);
  return new SensorError("TMP117", nack ? "absent" : "bus", what, error);
}

function read16(io: I2CInstance, register: number): number {
  io.write(Uint8Array.of(register), false);
  const bytes = new Uint8Array(io.read(2));
  return (bytes[0] << 8) | bytes[1]; // most significant byte first (7.5.3.1.3)
}

function write16(io: I2CInstance, register: number, value: number): void {
  io.write(Uint8Array.of(register, (value >> 8) & 0xff, value & 0xff));
}
