/*
 * Sensirion SHT3x-DIS (SHT30, SHT31, SHT35) humidity and temperature sensor,
 * ECMA-419 Sensor Class Pattern.
 * Datasheet: Sensirion "Datasheet SHT3x-DIS" (v5 May 2018 / v6 Feb 2019,
 * same sections); serial number: Sensirion application note "Electronic
 * Identification Code (EIC) / Serial Number, SHT3x" (v3, Jan 2023).
 *
 *   const sensor = new SHT3x({sensor: {...device.I2C.default, address: 0x44}});
 *   sensor.sample((error, sample) => ...); // {thermometer: {temperature}, hygrometer: {humidity}}
 *
 *   sensor.configure({mode: "periodic", rate: 1});
 *   sensor.sample();                       // the chip's latest periodic measurement, at once
 *
 * Single shot (power-up mode): each sample(callback) sends a measurement
 * command with clock stretching disabled (Table 9), waits the datasheet's
 * maximum measurement time on a timer (Table 4), then reads; the chip NACKs
 * a read while it measures (4.4). Periodic mode (4.5, Table 10): the chip
 * measures on its own; sample() fetches the latest result (4.6, Table 11).
 * Every word the chip sends is checked against its CRC (4.12).
 *
 * Bus work is serialised: one command at a time, 1 ms apart (tIDLE, 4.3),
 * on timers, never blocking.
 *
 * This module also carries the Sensirion I2C plumbing the SHT4x driver
 * imports (CRC-checked words, the command queue, result polling), hence its
 * length; it would sit better in a sensors/sensirion module of its own.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import Timer from "timer";
import { sensirionCRC } from "./crc";
import { reportFault, SensorError } from "./errors";
import type { CombinedSample, SampleCallback, Sensor } from "./sensor";

const NAME = "SHT3x";

/** 16-bit commands (4.3-4.11, Tables 9-19; serial number: EIC note, Table 1). */
const Command = Object.freeze({
  fetchData: 0xe000,       // Table 11
  break: 0x3093,           // Table 13: stop periodic acquisition
  softReset: 0x30a2,       // Table 14
  heaterOn: 0x306d,        // Table 16
  heaterOff: 0x3066,       // Table 16
  readStatus: 0xf32d,      // Table 17
  readSerial: 0x3682,      // EIC note: clock stretching disabled
} as const);

export type Repeatability = "high" | "medium" | "low";
export type SHT3xRate = 0.5 | 1 | 2 | 4 | 10;

/** Single-shot measurement, clock stretching disabled, by repeatability (Table 9). */
const SingleShot = Object.freeze({ high: 0x2400, medium: 0x240b, low: 0x2416 } as const);

/** Periodic data acquisition by measurements per second, then repeatability (Table 10). */
const Periodic: Readonly<Record<string, Readonly<Record<Repeatability, number>>>> = Object.freeze({
  "0.5": Object.freeze({ high: 0x2032, medium: 0x2024, low: 0x202f }),
  "1": Object.freeze({ high: 0x2130, medium: 0x2126, low: 0x212d }),
  "2": Object.freeze({ high: 0x2236, medium: 0x2220, low: 0x222b }),
  "4": Object.freeze({ high: 0x2334, medium: 0x2322, low: 0x2329 }),
  "10": Object.freeze({ high: 0x2737, medium: 0x2721, low: 0x272a }),
});

/** Maximum measurement durations in ms, VDD >= 2.4 V (Table 4, tMEAS). */
const MeasureMs = Object.freeze({ high: 15, medium: 6, low: 4 } as const);

/** Waits in ms (Table 4 and 4.3, 4.8, 4.9). */
const Wait = Object.freeze({
  idle: 1,       // tIDLE: after any command, before the next (4.3, Table 9 note)
  break: 1,      // the break command takes 1 ms (4.8)
  softReset: 2,  // tSR, 1.5 ms max (Table 4), rounded up
  retry: 2,      // between reads while the chip NACKs (still measuring)
} as const);

/**
 * Temperatures the chip can report, degrees C: its specified range, -40 to
 * 125 (Table 2), widened by 1 degC so that a chip at the edge of its range,
 * reading a little beyond it within its tolerance, is not refused. The scale
 * itself runs from -45 to 130 (4.13); a code out there is a fault, not a
 * temperature.
 */
const OperatingRange = Object.freeze({ min: -41, max: 126 } as const);

/** Temperature from a raw word: T = -45 + 175 * S_T / (2^16 - 1) degrees C (4.13). */
export function sht3xTemperature(raw: number): number {
  return -45 + (175 * raw) / 65535;
}

/** Relative humidity from a raw word: RH = 100 * S_RH / (2^16 - 1) percent (4.13). */
export function sht3xHumidity(raw: number): number {
  return (100 * raw) / 65535;
}

/**
 * The 16-bit words of a Sensirion response, each checked against the CRC
 * byte that follows it (SHT3x-DIS 4.12, SHT4x 4.4). A mismatch is a "crc"
 * SensorError: the words are never used.
 */
export function sensirionWords(sensor: string, bytes: Uint8Array, count: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * 3;
    const crc = sensirionCRC(bytes, at, 2);
    if (crc !== bytes[at + 2])
      throw new SensorError(sensor, "crc", `word ${i} (0x${((bytes[at] << 8) | bytes[at + 1]).toString(16)}) has CRC 0x${bytes[at + 2].toString(16)}, expected 0x${crc.toString(16)}`);
    words.push((bytes[at] << 8) | bytes[at + 1]);
  }
  return words;
}

/** close() during a measurement: its waiting callers get a "bus" SensorError on a later turn. */
export function abandonMeasurement(sensor: string, waiting: readonly SampleCallback<CombinedSample>[]): void {
  if (!waiting.length) return;
  const error = new SensorError(sensor, "bus", "closed before the measurement finished");
  Timer.set(() => {
    for (const callback of waiting) callback(error, undefined);
  }, 0);
}

/**
 * After a read-serial command: reads the serial number's two words, each
 * with its CRC, `delay` ms later and calls back with the 32-bit number, or
 * undefined when the read fails or a CRC does not match (SHT3x EIC note,
 * SHT4x 4.5: command 0x89).
 */
export function readSensirionSerial(io: I2CInstance, delay: number, callback: (serial: number | undefined) => void): void {
  Timer.set(() => {
    let serial: number | undefined;
    try {
      const [high, low] = sensirionWords("Sensirion", new Uint8Array(io.read(6)), 2);
      serial = ((high << 16) | low) >>> 0;
    }
    catch {
      serial = undefined;
    }
    callback(serial);
  }, delay);
}

/** A job on the chip: its bus work, then `done(ms)`: the chip needs `ms` before the next command. */
type Job = (done: (settle: number) => void) => void;

/**
 * One chip's commands, one at a time: each job starts on a timer once the
 * jobs before it have finished and the chip is ready again, so two callers
 * never interleave commands and nothing waits in a loop.
 */
export class CommandQueue {
  readonly #jobs: Job[] = [];
  #running = false;
  #readyAt = 0;
  #timer: Timer | undefined;
  #closed = false;

  /** No job under way or waiting, and the chip ready for a command now. */
  get idle(): boolean {
    return !this.#running && Date.now() >= this.#readyAt;
  }

  /** Runs `job` after the jobs queued before it (never during this call). */
  push(job: Job): void {
    if (this.#closed) return;
    this.#jobs.push(job);
    if (!this.#running) this.#next();
  }

  /** The chip needs `ms` (after a command sent outside a job) before the next command. */
  settle(ms: number): void {
    // +1: Date.now() counts whole milliseconds.
    this.#readyAt = Math.max(this.#readyAt, Date.now() + Math.ceil(ms) + 1);
  }

  /** Inside a job: calls `then` after `ms`, unless the queue is closed first. */
  wait(ms: number, then: () => void): void {
    this.#timer = Timer.set(() => {
      this.#timer = undefined;
      if (!this.#closed) then();
    }, Math.max(0, ms));
  }

  close(): void {
    this.#closed = true;
    this.#jobs.length = 0;
    Timer.clear(this.#timer);
    this.#timer = undefined;
  }

  #next(): void {
    const job = this.#jobs.shift();
    this.#running = job !== undefined;
    if (!job) return;
    this.wait(this.#readyAt - Date.now(), () => {
      let finished = false;
      job((settle) => {
        if (finished) return;
        finished = true;
        this.settle(settle);
        this.#next();
      });
    });
  }
}

/**
 * Inside a job, after a measurement command: reads the six-byte result once
 * `due` ms (the datasheet's maximum) have passed, again every few ms while
 * the chip NACKs (still measuring), and reports "busy" past twice `due`.
 * Calls back exactly once, then `done`.
 */
export function readResult(sensor: string, queue: CommandQueue, io: I2CInstance, due: number, decode: (bytes: Uint8Array) => CombinedSample,
  callback: SampleCallback<CombinedSample>, done: (settle: number) => void): void {
  const started = Date.now();
  const attempt = (): void => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(io.read(6));
    }
    catch (error) {
      if (Date.now() - started < 2 * due + 5) {
        queue.wait(Wait.retry, attempt);
        return;
      }
      callback(new SensorError(sensor, "busy", `no result ${Date.now() - started} ms after the measurement command (at most ${due} ms, datasheet Table 4)`, error), undefined);
      done(Wait.idle);
      return;
    }
    let sample: CombinedSample | undefined, fault: SensorError | undefined;
    try {
      sample = decode(bytes);
    }
    catch (error) {
      fault = error instanceof SensorError ? error : new SensorError(sensor, "bus", "unreadable result", error);
    }
    callback(fault, sample);
    done(Wait.idle);
  };
  queue.wait(Math.ceil(due) + 1, attempt);
}

/** Writes a 16-bit command, most significant byte first (4.2). */
function command16(io: I2CInstance, code: number): void {
  io.write(Uint8Array.of(code >> 8, code & 0xff));
}

export interface SHT3xOptions {
  /** The bus: a provider I2C default plus an optional `address`: 0x44 (ADDR low, power-up choice) or 0x45 (Table 7). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface SHT3xConfiguration {
  /** "single" (power-up): a measurement per sample(callback); "periodic": the chip measures `rate` times a second (4.5). */
  mode?: "single" | "periodic";
  /** Repeatability: high (power-up), medium or low; lower is faster and noisier (Table 1, Table 4). */
  repeatability?: Repeatability;
  /** Periodic mode: measurements per second, 0.5, 1 (power-up), 2, 4 or 10 (Table 10; 10 may self-heat). */
  rate?: SHT3xRate;
  /** The on-chip heater, for plausibility checks (4.10); off after reset. */
  heater?: boolean;
}

interface Settings {
  mode: "single" | "periodic";
  repeatability: Repeatability;
  rate: SHT3xRate;
  heater: boolean;
}

type Fetched = { sample: CombinedSample } | { error: SensorError } | { wait: true };

export default class SHT3x implements Sensor<CombinedSample> {
  #io: I2CInstance | undefined;
  readonly #queue = new CommandQueue();
  readonly #onError: ((error: SensorError) => void) | undefined;
  /** What configure() asked for. */
  #want: Settings = { mode: "single", repeatability: "high", rate: 1, heater: false };
  /** What the chip has been told (after the soft reset: power-up state). */
  readonly #chip: Settings = { mode: "single", repeatability: "high", rate: 1, heater: false };
  /** Callbacks waiting for the measurement under way. */
  #waiting: SampleCallback<CombinedSample>[] = [];
  /** A fault from configuration work that had no onError to go to: the next sample reports it. */
  #deferred: SensorError | undefined;
  /** Periodic mode: when the chip was started, the last result fetched, and whether to stop and start it again. */
  #periodicSince = 0;
  #last: { sample: CombinedSample; at: number } | undefined;
  #restart = false;

  constructor(options: SHT3xOptions) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError(`${NAME}: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}`);
    const address = sensor.address ?? 0x44;
    if (address !== 0x44 && address !== 0x45) throw new RangeError(`${NAME}: options.sensor.address must be 0x44 or 0x45 (Table 7), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError(`${NAME}: options.onError must be a function`);
    this.#onError = options.onError;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      // The status register (4.11) answers in any mode with a CRC-checked word: a sign of life and of a Sensirion chip.
      command16(io, Command.readStatus);
      sensirionWords(NAME, new Uint8Array(io.read(3)), 1);
    }
    catch (error) {
      io.close();
      throw error instanceof SensorError ? error : new SensorError(NAME, "absent", `no SHT3x answers at 0x${address.toString(16)}`, error);
    }
    this.#io = io;
    this.#queue.settle(Wait.idle);
    // To the power-up state whatever an earlier run left: stop periodic mode (4.8), then soft reset (4.9).
    this.#queue.push((done) => {
      try {
        command16(io, Command.break);
      }
      catch (error) {
        this.#fault(new SensorError(NAME, "bus", "break command failed", error));
        done(Wait.idle);
        return;
      }
      this.#queue.wait(Wait.break + 1, () => {
        try {
          command16(io, Command.softReset);
        }
        catch (error) {
          this.#fault(new SensorError(NAME, "bus", "soft reset failed", error));
        }
        done(Wait.softReset);
      });
    });
  }

  /** Changes only the given settings; the chip gets them before the next sample. Bad values throw. */
  configure(options: SHT3xConfiguration): void {
    this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError(`${NAME}: configure() needs an options object`);
    const next = { ...this.#want };
    if (options.mode !== undefined) {
      if (options.mode !== "single" && options.mode !== "periodic") throw new RangeError(`${NAME}: mode must be "single" or "periodic", not ${String(options.mode)}`);
      next.mode = options.mode;
    }
    if (options.repeatability !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(MeasureMs, options.repeatability as string))
        throw new RangeError(`${NAME}: repeatability must be "high", "medium" or "low", not ${String(options.repeatability)}`);
      next.repeatability = options.repeatability;
    }
    if (options.rate !== undefined) {
      if (!Periodic[String(options.rate)]) throw new RangeError(`${NAME}: rate must be 0.5, 1, 2, 4 or 10 measurements per second, not ${String(options.rate)}`);
      next.rate = options.rate;
    }
    if (options.heater !== undefined) {
      if (typeof options.heater !== "boolean") throw new TypeError(`${NAME}: heater must be true or false, not ${String(options.heater)}`);
      next.heater = options.heater;
    }
    this.#want = next;
    this.#queue.push((done) => this.#converge((error) => {
      if (error) this.#fault(error);
      done(Wait.idle);
    }));
  }

  /**
   * Periodic mode: sample() returns the chip's latest measurement at once
   * (or undefined after reporting a fault to onError). Single-shot mode
   * needs sample(callback): a measurement takes up to 15 ms.
   * sample(callback) calls back later with (error, sample) in either mode.
   */
  sample(): CombinedSample | undefined;
  sample(callback: SampleCallback<CombinedSample>): void;
  sample(callback?: SampleCallback<CombinedSample>): CombinedSample | undefined {
    const io = this.#open();
    if (callback !== undefined) {
      if (typeof callback !== "function") throw new TypeError(`${NAME}: sample() takes a callback function or nothing`);
      this.#waiting.push(callback);
      if (this.#waiting.length === 1) this.#queue.push((done) => this.#measure(io, done));
      return undefined;
    }
    if (this.#want.mode !== "periodic")
      throw new TypeError(`${NAME}: a single-shot measurement takes up to ${MeasureMs[this.#want.repeatability]} ms (datasheet Table 4): pass a callback, sample((error, sample) => ...), or configure({mode: "periodic"}) first`);
    let result: Fetched;
    if (this.#deferred) {
      result = { error: this.#deferred };
      this.#deferred = undefined;
    }
    else if (this.#chip.mode !== "periodic" || !this.#queue.idle) {
      // Configuration or another transfer under way: the last result still stands if it is recent.
      result = this.#cached() ?? { error: new SensorError(NAME, "busy", "periodic mode is starting: no measurement yet") };
    }
    else result = this.#fetch(io);
    if ("sample" in result) return result.sample;
    const error = "error" in result ? result.error : new SensorError(NAME, "busy", `no measurement yet (the first takes up to ${MeasureMs[this.#chip.repeatability]} ms)`);
    return reportFault(this.#onError, error);
  }

  close(): void {
    const io = this.#io;
    if (!io) return;
    this.#io = undefined;
    this.#queue.close();
    abandonMeasurement(NAME, this.#waiting);
    this.#waiting = [];
    io.close();
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error(`${NAME}: closed`);
    return this.#io;
  }

  /** Reports a fault from background work: to onError, or to the next sample. */
  #fault(error: SensorError): void {
    if (this.#onError) this.#onError(error);
    else this.#deferred = error;
  }

  /** Calls back every waiting sampler (inside a job, so on a timer turn). */
  #deliver(error: SensorError | undefined, sample: CombinedSample | undefined): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const callback of waiting) callback(error, sample);
  }

  /**
   * Brings the chip to the configured settings, one command at a time:
   * a periodic chip takes only fetch and break reliably, so it is stopped
   * before any change (4.8), then the heater (4.10), then periodic mode (4.5).
   */
  #converge(finish: (error?: SensorError) => void): void {
    const io = this.#io;
    if (!io) return;
    const chip = this.#chip, want = this.#want;
    let code: number, settle: number, apply: () => void;
    if (chip.mode === "periodic" && (this.#restart || want.mode !== "periodic" || want.rate !== chip.rate || want.repeatability !== chip.repeatability || want.heater !== chip.heater)) {
      code = Command.break;
      settle = Wait.break;
      apply = () => {
        chip.mode = "single";
        this.#restart = false;
      };
    }
    else if (want.heater !== chip.heater) {
      code = want.heater ? Command.heaterOn : Command.heaterOff;
      settle = Wait.idle;
      apply = () => { chip.heater = want.heater; };
    }
    else if (want.mode === "periodic" && chip.mode !== "periodic") {
      code = Periodic[String(want.rate)][want.repeatability];
      settle = Wait.idle;
      apply = () => {
        chip.mode = "periodic";
        chip.rate = want.rate;
        chip.repeatability = want.repeatability;
        this.#periodicSince = Date.now();
        this.#last = undefined;
      };
    }
    else {
      chip.repeatability = want.repeatability;
      finish();
      return;
    }
    try {
      command16(io, code);
    }
    catch (error) {
      finish(new SensorError(NAME, "bus", `command 0x${code.toString(16)} not acknowledged`, error));
      return;
    }
    apply();
    this.#queue.wait(settle + 1, () => this.#converge(finish));
  }

  /** The job behind sample(callback): settings first, then a single shot or a periodic fetch. */
  #measure(io: I2CInstance, done: (settle: number) => void): void {
    if (this.#deferred) {
      const error = this.#deferred;
      this.#deferred = undefined;
      this.#deliver(error, undefined);
      done(0);
      return;
    }
    this.#converge((error) => {
      if (error) {
        this.#deliver(error, undefined);
        done(Wait.idle);
      }
      else if (this.#chip.mode === "periodic") this.#periodic(io, done);
      else this.#singleShot(io, done);
    });
  }

  #singleShot(io: I2CInstance, done: (settle: number) => void): void {
    const repeatability = this.#chip.repeatability;
    try {
      command16(io, SingleShot[repeatability]);
    }
    catch (error) {
      this.#deliver(new SensorError(NAME, "bus", "measurement command not acknowledged", error), undefined);
      done(Wait.idle);
      return;
    }
    // Without clock stretching the chip NACKs the read header until it is done (4.4).
    readResult(NAME, this.#queue, io, MeasureMs[repeatability], decode, (error, sample) => this.#deliver(error, sample), done);
  }

  #periodic(io: I2CInstance, done: (settle: number) => void): void {
    const attempt = (): void => {
      const result = this.#fetch(io);
      if ("wait" in result) {
        this.#queue.wait(Wait.retry, attempt);
        return;
      }
      if ("error" in result) this.#deliver(result.error, undefined);
      else this.#deliver(undefined, result.sample);
      done(Wait.idle);
    };
    attempt();
  }

  /** The last periodic result while the chip can still be expected to have nothing newer. */
  #cached(): { sample: CombinedSample } | undefined {
    const last = this.#last;
    return last && Date.now() - last.at <= this.#staleAfter() ? { sample: last.sample } : undefined;
  }

  /** Longer than this without a new periodic result, the chip has stopped measuring. */
  #staleAfter(): number {
    return 2000 / this.#chip.rate + MeasureMs[this.#chip.repeatability] + 5;
  }

  /** Fetch Data (4.6): the newest periodic result, the previous one if none is newer, or a fault. */
  #fetch(io: I2CInstance): Fetched {
    try {
      command16(io, Command.fetchData);
    }
    catch (error) {
      this.#queue.settle(Wait.idle);
      return { error: new SensorError(NAME, "bus", "fetch command not acknowledged", error) };
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(io.read(6));
    }
    catch (error) {
      this.#queue.settle(Wait.idle);
      // NACK: no result since the last fetch (4.6).
      const cached = this.#cached();
      if (cached) return cached;
      const now = Date.now();
      // The first result comes one measurement time after the start (4.5).
      if (!this.#last && now - this.#periodicSince <= 2 * MeasureMs[this.#chip.repeatability] + 5) return { wait: true };
      // Nothing new for too long: the chip stopped (a reset, a brown-out?). Report, then stop and start it again.
      this.#restart = true;
      this.#queue.push((next) => this.#converge((failure) => {
        if (failure) this.#fault(failure);
        next(Wait.idle);
      }));
      return { error: new SensorError(NAME, "busy", `no periodic result for ${now - (this.#last?.at ?? this.#periodicSince)} ms at ${this.#want.rate} per second`, error) };
    }
    this.#queue.settle(Wait.idle);
    try {
      const sample = decode(bytes);
      this.#last = { sample, at: Date.now() };
      return { sample };
    }
    catch (error) {
      return { error: error as SensorError };
    }
  }
}

/** A measurement's six bytes (T word, CRC, RH word, CRC; 4.4) as a sample; throws a SensorError on a bad CRC or range. */
function decode(bytes: Uint8Array): CombinedSample {
  return sensirionMeasurement(NAME, bytes, { temperature: sht3xTemperature, humidity: sht3xHumidity, range: OperatingRange });
}

/**
 * A Sensirion measurement (T word, CRC, RH word, CRC: SHT3x-DIS 4.4, SHT4x
 * 4.5) as a sample, through the chip's conversions; a temperature outside
 * `range` is a "range" SensorError, a bad CRC a "crc" one.
 */
export function sensirionMeasurement(sensor: string, bytes: Uint8Array, chip: {
  temperature(raw: number): number;
  humidity(raw: number): number;
  range: { readonly min: number; readonly max: number };
}): CombinedSample {
  const [rawT, rawRH] = sensirionWords(sensor, bytes, 2);
  const temperature = chip.temperature(rawT);
  const { min, max } = chip.range;
  if (temperature < min || temperature > max)
    throw new SensorError(sensor, "range", `temperature word 0x${rawT.toString(16)} is ${temperature.toFixed(2)} degC, outside what the chip reports (${min} to ${max} degC)`);
  return { thermometer: { temperature }, hygrometer: { humidity: chip.humidity(rawRH) } };
}

/**
 * Looks for an SHT3x on `io` (an I2C instance at 0x44 or 0x45): stops
 * periodic mode (4.8), reads the 32-bit serial number (EIC note: 0x3682,
 * two words each with its CRC) and calls back on a later turn with the
 * serial number, or undefined when nothing there answers with two words
 * whose CRCs match. Leaves `io` open.
 */
export function probeSHT3x(io: I2CInstance, callback: (serial: number | undefined) => void): void {
  const fail = () => callback(undefined);
  try {
    command16(io, Command.break);
  }
  catch {
    Timer.set(fail, 0);
    return;
  }
  Timer.set(() => {
    try {
      command16(io, Command.readSerial);
    }
    catch {
      fail();
      return;
    }
    // tIDLE = 1 ms before the read header (EIC note).
    readSensirionSerial(io, Wait.idle + 1, callback);
  }, Wait.break + 1);
}
