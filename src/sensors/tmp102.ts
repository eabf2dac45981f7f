/*
 * TI TMP102 (and LM75-style) I2C thermometer, ECMA-419 Sensor Class Pattern.
 * Datasheet: TI SBOS397 ("TMP102 Low-Power Digital Temperature Sensor").
 *
 *   const sensor = new TMP102({sensor: {...device.I2C.default, address: 0x48}});
 *   sensor.sample(); // {temperature: 21.5}, degrees C
 *
 * Uses plain I2C transfers (pointer write, then read), so `sensor.io` may be
 * the provider's I2C or SMBus class.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import { answerSample } from "./conversions";
import { SensorError, transferFault } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

/** Pointer register values (7.5.1). */
const Register = Object.freeze({ temperature: 0x00, configuration: 0x01, low: 0x02, high: 0x03 } as const);

/** Configuration register bits (7.5.3). */
const Config = Object.freeze({
  shutdown: 0x0100,
  extendedMode: 0x0010,
  rateMask: 0x00c0,
  rateShift: 6,
  resolution: 0x6000, // R1 R0 read back as 11 on a TMP102 (7.5.3.4)
} as const);

/** Conversion rates in Hz and their CR1 CR0 codes (7.5.3.8). */
const Rates: Readonly<Record<string, number>> = Object.freeze({ "0.25": 0, "1": 1, "4": 2, "8": 3 });

const DEGREES_PER_LSB = 0.0625; // both modes (7.5.2)

export interface TMP102Options {
  /** The bus: a provider I2C default plus an optional `address` (0x48 to 0x4b, 7.3.4). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface TMP102Configuration {
  /** 13-bit mode, readings up to 150 degC (7.5.3.9). */
  extendedRange?: boolean;
  /** Conversions per second: 0.25, 1, 4 (power-up) or 8 (7.5.3.8). */
  conversionRate?: 0.25 | 1 | 4 | 8;
}

export default class TMP102 implements Sensor<ThermometerSample> {
  #io: I2CInstance | undefined;
  #extended = false;
  readonly #onError: ((error: SensorError) => void) | undefined;

  constructor(options: TMP102Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError("TMP102: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}");
    const address = sensor.address ?? 0x48;
    if (!Number.isInteger(address) || address < 0x48 || address > 0x4b)
      throw new RangeError(`TMP102: options.sensor.address must be 0x48 to 0x4b (7.3.4), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError("TMP102: options.onError must be a function");
    this.#onError = options.onError;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      const config = this.#read16(io, Register.configuration);
      if ((config & Config.resolution) !== Config.resolution)
        throw new SensorError("TMP102", "absent", `configuration register reads 0x${config.toString(16)}; a TMP102 reads R1 R0 = 11 (7.5.3.4)`);
      this.#extended = (config & Config.extendedMode) !== 0;
      this.#io = io;
    }
    catch (error) {
      io.close();
      throw error instanceof SensorError ? error : new SensorError("TMP102", "absent", `no TMP102 answers at 0x${address.toString(16)}`, error);
    }
  }

  configure(options: TMP102Configuration): void {
    const io = this.#open();
    let config = this.#read16(io, Register.configuration) & ~0x000f;
    if (options.extendedRange !== undefined) {
      if (typeof options.extendedRange !== "boolean") throw new TypeError("TMP102: extendedRange must be true or false");
      config = options.extendedRange ? config | Config.extendedMode : config & ~Config.extendedMode;
    }
    if (options.conversionRate !== undefined) {
      const code = Rates[String(options.conversionRate)];
      if (code === undefined) throw new RangeError(`TMP102: conversionRate must be 0.25, 1, 4 or 8, not ${String(options.conversionRate)}`);
      config = (config & ~Config.rateMask) | (code << Config.rateShift);
    }
    io.write(Uint8Array.of(Register.configuration, config >> 8, config & 0xff));
    this.#extended = (config & Config.extendedMode) !== 0;
  }

  /**
   * The latest conversion (the chip converts continuously, 7.5.3.8): `{temperature}` in degrees C.
   * Without a callback, returns it, or undefined after reporting a fault to onError.
   * With one, calls it back on the next turn with (error, sample).
   */
  sample(): ThermometerSample | undefined;
  sample(callback: SampleCallback<ThermometerSample>): void;
  sample(callback?: SampleCallback<ThermometerSample>): ThermometerSample | undefined {
    const io = this.#open();
    let result: ThermometerSample | undefined, fault: SensorError | undefined;
    try {
      const word = this.#read16(io, Register.temperature);
      // Left-justified two's complement: 12 bits, or 13 in extended mode (7.5.2).
      const shift = this.#extended ? 3 : 4;
      const signed = word & 0x8000 ? word - 0x10000 : word;
      const temperature = (signed >> shift) * DEGREES_PER_LSB;
      // The chip measures -55 to 150 degC (1, Features); a code outside that is not a reading.
      if (temperature < -55 || temperature > 150) throw new SensorError("TMP102", "range", `register reads 0x${word.toString(16)} (${temperature} degC), outside the chip's -55 to 150 degC`);
      result = { temperature };
    }
    catch (error) {
      fault = transferFault("TMP102", "temperature read failed", error);
    }
    return answerSample(callback, this.#onError, fault, result);
  }

  close(): void {
    const io = this.#io;
    this.#io = undefined;
    io?.close();
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error("TMP102: closed");
    return this.#io;
  }

  #read16(io: I2CInstance, register: number): number {
    io.write(Uint8Array.of(register), false);
    const bytes = new Uint8Array(io.read(2));
    return (bytes[0] << 8) | bytes[1];
  }
}

/**
 * Whether a TMP102 answers on `io` (left open): its 16-bit configuration
 * register reads R1 R0 = 11 (7.5.3.4) and its four low bits 0 (7.5.3, byte 2
 * D3..D0 read 0). An LM75 answers a 1-byte register there (its second byte
 * repeats or reads back the pointer), a TMP117 its own configuration: probe
 * the TMP117 (ID register) first at 0x48-0x4B.
 */
export function probeTMP102(io: I2CInstance): boolean {
  try {
    io.write(Uint8Array.of(Register.configuration), false);
    const bytes = new Uint8Array(io.read(2));
    const config = (bytes[0] << 8) | bytes[1];
    return (config & Config.resolution) === Config.resolution && (config & 0x000f) === 0;
  }
  catch {
    return false;
  }
}
