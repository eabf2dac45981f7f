/*
 * The conversion timing of an I2C thermometer that converts on its own and
 * can be shut down between samples (LM75, MCP9808). Neither has a ready
 * flag, so the driver keeps time:
 *
 * - after power-up, or after waking, the result register holds nothing
 *   trustworthy until one conversion time has passed (`settle()`); until
 *   then sample() is "busy" and sample(callback)s wait;
 * - a converting chip's latest result is read at once (on a later turn);
 * - a shut-down chip is woken for one conversion per batch of
 *   sample(callback)s and shut down again after the read; every caller
 *   waiting at that time gets the same result;
 * - close() abandons the waiting callers without a call back and puts a chip
 *   woken for them back to sleep.
 *
 * The driver owns the bus and the chip's registers; this module only calls
 * back through `ConvertingChip`.
 */

import type { I2CInstance } from "embedded:provider/builtin";
import Timer from "timer";
import { reportFault, SensorError, transferFault } from "./errors";
import type { Sample, SampleCallback } from "./sensor";

export interface ConvertingChip<T extends Sample> {
  /** The driver's open bus; undefined once it is closed. */
  io(): I2CInstance | undefined;
  /** The driver has configured the chip to shut down between samples. */
  asleep(): boolean;
  /** Writes the configuration: as configured, or with shutdown cleared (`awake`). Throws on a bus fault. */
  writeShutdown(io: I2CInstance, awake: boolean): void;
  /** Reads and checks the latest result. Throws a SensorError or the bus's error. */
  read(io: I2CInstance): T;
  /** One conversion at the current settings, ms: the datasheet's typical time. */
  conversionMs(): number;
}

/** The driver waits this much longer than the datasheet's typical conversion time. */
const MARGIN = 1.2;

export class Conversions<T extends Sample> {
  readonly #name: string;
  readonly #chip: ConvertingChip<T>;
  /** A conversion is known to have completed since the driver opened or woke the chip. */
  #converted = false;
  #waiting: SampleCallback<T>[] = [];
  #timer: Timer | undefined;
  /** The chip was woken for a sample and has not been shut down again yet. */
  #woken = false;

  constructor(name: string, chip: ConvertingChip<T>) {
    this.#name = name;
    this.#chip = chip;
  }

  /** The result register holds a real conversion. */
  get hasResult(): boolean {
    return this.#converted;
  }

  /** Marks the result register as holding a real conversion (a chip found shut down has converted before). */
  markConverted(): void {
    this.#converted = true;
  }

  /**
   * Waits one conversion before the next fresh result (after power-up,
   * waking, or new settings); `converted` says whether the result register
   * holds a real, older result meanwhile. sample(callback)s wait with it.
   */
  settle(converted = false): void {
    this.#converted = converted;
    Timer.clear(this.#timer);
    this.#timer = Timer.set(() => {
      this.#timer = undefined;
      const io = this.#chip.io();
      if (!io) return;
      if (!this.#chip.asleep()) this.#converted = true;
      if (this.#waiting.length) this.#begin(io);
    }, this.#waitMs());
  }

  /** The chip was just configured to shut down: a pending settle no longer matters unless callers wait. */
  slept(): void {
    if (this.#waiting.length) return;
    Timer.clear(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The driver's sample(): without a callback the latest result, or
   * undefined after reporting a fault (a "busy" one before the first
   * conversion) to onError, thrown without it; with one, joins the
   * conversion under way or the wait for one, or starts one.
   */
  sample(io: I2CInstance, onError: ((error: SensorError) => void) | undefined, callback: SampleCallback<T> | undefined): T | undefined {
    if (!callback) {
      try {
        if (!this.#converted)
          throw new SensorError(this.#name, "busy", `no conversion has completed since the driver opened or woke the chip (one takes about ${this.#chip.conversionMs()} ms); use sample(callback)`);
        return this.#chip.read(io);
      }
      catch (error) {
        return reportFault(onError, transferFault(this.#name, "temperature read failed", error));
      }
    }
    if (typeof callback !== "function") throw new TypeError(`${this.#name}: sample(callback) needs a function`);
    this.#waiting.push(callback);
    if (this.#waiting.length === 1 && !this.#timer) this.#begin(io);
    return undefined;
  }

  /** Abandons the waiting callers and puts a chip woken for them back to sleep. Leaves `io` open. */
  close(io: I2CInstance | undefined): void {
    Timer.clear(this.#timer);
    this.#timer = undefined;
    this.#waiting = [];
    if (io && this.#woken) {
      try {
        this.#chip.writeShutdown(io, false);
      }
      catch {
        // closing anyway: the chip stays awake, converting, as after a power-up
      }
    }
    this.#woken = false;
  }

  #waitMs(): number {
    return Math.ceil(this.#chip.conversionMs() * MARGIN);
  }

  /** Serves the waiting callers: now (on a later turn) if the chip converts, else after waking it for one conversion. */
  #begin(io: I2CInstance): void {
    if (!this.#chip.asleep()) {
      this.#timer = Timer.set(() => {
        this.#timer = undefined;
        this.#read(io, false);
      }, 0);
      return;
    }
    try {
      this.#chip.writeShutdown(io, true);
    }
    catch (error) {
      const failure = transferFault(this.#name, "wake-up failed", error);
      this.#timer = Timer.set(() => {
        this.#timer = undefined;
        this.#finish(failure, undefined);
      }, 0);
      return;
    }
    this.#woken = true;
    this.#timer = Timer.set(() => {
      this.#timer = undefined;
      this.#converted = true;
      this.#read(io, true);
    }, this.#waitMs());
  }

  /** Reads the result for the waiting callers (and shuts the chip down again after a wake-up). */
  #read(io: I2CInstance, shutDown: boolean): void {
    let failure: SensorError | undefined, result: T | undefined;
    try {
      result = this.#chip.read(io);
    }
    catch (error) {
      failure = transferFault(this.#name, "temperature read failed", error);
    }
    if (shutDown) this.#woken = false;
    if (shutDown && this.#chip.asleep()) {
      try {
        this.#chip.writeShutdown(io, false);
      }
      catch (error) {
        failure ??= transferFault(this.#name, "shutdown failed", error);
      }
    }
    this.#finish(failure, failure ? undefined : result);
  }

  #finish(error: SensorError | undefined, result: T | undefined): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const callback of waiting) callback(error, result);
  }
}

/**
 * Ends a sample taken at once (a chip that converts on its own, an analog
 * input): a callback gets it on a later turn; without one it is returned, or
 * its fault reported (reportFault).
 */
export function answerSample<T extends Sample>(callback: SampleCallback<T> | undefined, onError: ((error: SensorError) => void) | undefined, fault: SensorError | undefined, result: T | undefined): T | undefined {
  if (callback) {
    Timer.set(() => callback(fault, fault ? undefined : result), 0);
    return undefined;
  }
  return fault ? reportFault(onError, fault) : result;
}
