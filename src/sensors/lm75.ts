/*
 * LM75-family I2C thermometers, ECMA-419 Sensor Class Pattern:
 * - NXP LM75B (and NXP LM75A): 11-bit temperature, 0.125 degC/LSB.
 *   Datasheet: NXP LM75B Rev. 6.1 ("Digital temperature sensor and thermal watchdog").
 * - the classic 9-bit LM75 (National/TI LM75, LM75A, TI LM75B/C, ST STLM75...):
 *   0.5 degC/LSB, D6..D0 undefined. Datasheet: National/TI LM75 (SNIS153, "LM75B, LM75C").
 *   (TI's "LM75B" is a 9-bit part; NXP's LM75B is the 11-bit one.)
 *
 *   const sensor = new LM75({sensor: {...device.I2C.default, address: 0x48}});
 *   sensor.sample((error, sample) => ...); // {temperature: 21.625}, degrees C
 *   sensor.configure({resolution: 9});     // a classic LM75
 *
 * The chip converts continuously (a conversion every 100 ms on the LM75B,
 * NXP 7.1; "about 100 ms" on the LM75, National 1.13) unless shut down
 * (Conf B0). It has no ready flag and no ID register:
 * - the temperature register holds nothing meaningful until the first
 *   conversion after power-up (NXP Table 5: POR state "n/a"), so a new
 *   driver waits one conversion time: sample(callback) waits, sample()
 *   reports "busy" until then;
 * - with configure({shutdown: true}) the chip sleeps between samples and
 *   each sample(callback) wakes it for one conversion; sample() returns the
 *   result of the last one;
 * - a converter that stops converting cannot be seen: the register keeps its
 *   last result.
 *
 * Reads the 8-bit configuration register with a one-byte read and the 16-bit
 * registers with two-byte reads, as the datasheets' bus diagrams do (a one-
 * byte read of a 16-bit register can hang a National LM75, SNIS153 Figure 11).
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import { Conversions } from "./conversions";
import { SensorError, transferFault } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

/** Pointer values (NXP LM75B 7.4.1 Table 7; National LM75 1.11). */
const Register = Object.freeze({ temperature: 0x00, configuration: 0x01, hysteresis: 0x02, overTemperature: 0x03 } as const);

/** Conf register, 8 bits, power-up 00h (NXP Table 8; National 1.13). */
const Conf = Object.freeze({
  shutdown: 0x01,       // B0: 1 = shutdown
  osInterrupt: 0x02,    // B1: OS comparator (0) or interrupt (1) mode
  osActiveHigh: 0x04,   // B2: OS polarity
  faultQueueMask: 0x18, // B4:B3: OS fault queue 1, 2, 4, 6
  faultQueueShift: 3,
  reserved: 0xe0,       // B7:B5: reserved, 0 (NXP); "must be kept zero" (National)
} as const);

const FAULT_QUEUES = Object.freeze([1, 2, 4, 6] as const);

/** Operating range (NXP 1, National Key Specifications): a reading outside it is not a reading. */
const MIN_CELSIUS = -55, MAX_CELSIUS = 125;

/** The time between conversions, ms: 100 on the LM75B (NXP 7.1), about 100 on the LM75 (National 1.13). Typical figures. */
const CONVERSION_MS = 100;

/**
 * Degrees C from a temperature register word: two's complement, left-justified,
 * 11 bits at 0.125 degC (NXP LM75B 7.4.3, Tables 9 and 10) or 9 bits at
 * 0.5 degC (LM75; also NXP's 9-bit reading, 7.4.3 and Table 13).
 */
export function lm75Celsius(word: number, resolution: 9 | 11): number {
  const signed = word & 0x8000 ? word - 0x10000 : word;
  return resolution === 11 ? (signed >> 5) * 0.125 : (signed >> 7) * 0.5;
}

/**
 * Whether the chip that answers on `io` looks like an LM75. There is no ID
 * register, so this reads a signature (never writes, never throws):
 * - Conf (01h), one byte: B7..B5 read 0 on an LM75. A TMP102 at the same
 *   addresses reads 60h here: its configuration register is 16 bits whose
 *   first byte has R1 R0 = 11 (TI SBOS397 7.5.3), so it is rejected;
 * - Thyst (02h) and Tos (03h), two bytes each: both limits within the chip's
 *   -55 to 125 degC and not both 0 (the power-up values are 75 and 80 degC).
 *   A TMP117 at the same addresses fails here with its factory limits
 *   (03h = 8000h, -256 degC); probe it first by its ID register.
 * Weak on its own: any chip with a zero-topped byte at 01h and two plausible
 * words at 02h/03h passes. Use it after the chips that have IDs.
 */
export function probeLM75(io: I2CInstance): boolean {
  try {
    io.write(Uint8Array.of(Register.configuration), false);
    const conf = new Uint8Array(io.read(1))[0];
    if (conf & Conf.reserved) return false;
    const hysteresis = lm75Celsius(read16(io, Register.hysteresis), 9);
    const overTemperature = lm75Celsius(read16(io, Register.overTemperature), 9);
    const plausible = (celsius: number) => celsius >= MIN_CELSIUS && celsius <= MAX_CELSIUS;
    return plausible(hysteresis) && plausible(overTemperature) && !(hysteresis === 0 && overTemperature === 0);
  }
  catch {
    return false;
  }
}

export interface LM75Options {
  /** The bus: a provider I2C default plus an optional `address` (0x48 to 0x4f, A2..A0; NXP 7.3 Table 4). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface LM75Configuration {
  /** Bits of temperature to use: 11 (NXP LM75B, the default) or 9 (a classic LM75, whose D6..D0 are undefined). */
  resolution?: 9 | 11;
  /** Shut the chip down between samples (Conf B0); sample(callback) wakes it for one conversion. */
  shutdown?: boolean;
  /** OS output mode (Conf B1). */
  osMode?: "comparator" | "interrupt";
  /** OS output active level (Conf B2). */
  osPolarity?: "low" | "high";
  /** Consecutive faults before OS trips: 1, 2, 4 or 6 (Conf B4:B3). */
  faultQueue?: 1 | 2 | 4 | 6;
  /** Tos and Thyst in degrees C, -55 to 125 in 0.5 degC steps (9-bit registers, NXP 7.4.4). */
  overTemperature?: number;
  hysteresis?: number;
}

export default class LM75 implements Sensor<ThermometerSample> {
  #io: I2CInstance | undefined;
  readonly #onError: ((error: SensorError) => void) | undefined;
  #conf = 0;
  #resolution: 9 | 11 = 11;
  readonly #conversions = new Conversions<ThermometerSample>("LM75", {
    io: () => this.#io,
    asleep: () => (this.#conf & Conf.shutdown) !== 0,
    writeShutdown: (io, awake) => io.write(Uint8Array.of(Register.configuration, awake ? this.#conf & ~Conf.shutdown : this.#conf)),
    read: (io) => this.#readTemperature(io),
    conversionMs: () => CONVERSION_MS,
  });

  constructor(options: LM75Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError("LM75: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}");
    const address = sensor.address ?? 0x48;
    if (!Number.isInteger(address) || address < 0x48 || address > 0x4f)
      throw new RangeError(`LM75: options.sensor.address must be 0x48 to 0x4f (A2..A0, NXP LM75B 7.3), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError("LM75: options.onError must be a function");
    this.#onError = options.onError;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      const conf = this.#readConf(io);
      if (conf & Conf.reserved)
        throw new SensorError("LM75", "absent", `Conf register reads 0x${conf.toString(16)}; an LM75 reads B7..B5 = 0 (NXP LM75B Table 8); a TMP102 reads 0x60 here`);
      this.#conf = conf;
      this.#io = io;
    }
    catch (error) {
      io.close();
      throw error instanceof SensorError ? error : new SensorError("LM75", "absent", `no LM75 answers at 0x${address.toString(16)}`, error);
    }
    // A chip in shutdown has converted before (it powers up converting); one that converts may have just powered up.
    if (this.#conf & Conf.shutdown) this.#conversions.markConverted();
    else this.#conversions.settle();
  }

  /** Changes only the given settings; throws (and changes nothing) if any is bad. */
  configure(options: LM75Configuration): void {
    const io = this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError("LM75: configure() needs an options object");
    const { resolution, shutdown, osMode, osPolarity, faultQueue, overTemperature, hysteresis } = options;
    if (resolution !== undefined && resolution !== 9 && resolution !== 11) throw new RangeError(`LM75: resolution must be 9 or 11 bits, not ${String(resolution)}`);
    if (shutdown !== undefined && typeof shutdown !== "boolean") throw new TypeError("LM75: shutdown must be true or false");
    if (osMode !== undefined && osMode !== "comparator" && osMode !== "interrupt") throw new RangeError(`LM75: osMode must be "comparator" or "interrupt", not ${String(osMode)}`);
    if (osPolarity !== undefined && osPolarity !== "low" && osPolarity !== "high") throw new RangeError(`LM75: osPolarity must be "low" or "high", not ${String(osPolarity)}`);
    const queue = faultQueue === undefined ? undefined : FAULT_QUEUES.indexOf(faultQueue);
    if (queue === -1) throw new RangeError(`LM75: faultQueue must be 1, 2, 4 or 6, not ${String(faultQueue)}`);
    const tos = overTemperature === undefined ? undefined : limitWord("overTemperature", overTemperature);
    const thyst = hysteresis === undefined ? undefined : limitWord("hysteresis", hysteresis);

    let conf = this.#conf;
    if (shutdown !== undefined) conf = shutdown ? conf | Conf.shutdown : conf & ~Conf.shutdown;
    if (osMode !== undefined) conf = osMode === "interrupt" ? conf | Conf.osInterrupt : conf & ~Conf.osInterrupt;
    if (osPolarity !== undefined) conf = osPolarity === "high" ? conf | Conf.osActiveHigh : conf & ~Conf.osActiveHigh;
    if (queue !== undefined) conf = (conf & ~Conf.faultQueueMask) | (queue << Conf.faultQueueShift);
    try {
      if (tos !== undefined) io.write(Uint8Array.of(Register.overTemperature, tos >> 8, tos & 0xff));
      if (thyst !== undefined) io.write(Uint8Array.of(Register.hysteresis, thyst >> 8, thyst & 0xff));
      if (conf !== this.#conf) {
        io.write(Uint8Array.of(Register.configuration, conf));
        const woke = (this.#conf & Conf.shutdown) !== 0 && (conf & Conf.shutdown) === 0;
        const slept = (this.#conf & Conf.shutdown) === 0 && (conf & Conf.shutdown) !== 0;
        this.#conf = conf;
        if (woke) this.#conversions.settle(); // the first result after waking takes a conversion
        if (slept) this.#conversions.slept();
      }
    }
    catch (error) {
      throw transferFault("LM75", "configuration write failed", error);
    }
    if (resolution !== undefined) this.#resolution = resolution;
  }

  /**
   * Without a callback: the latest conversion, `{temperature}` in degrees C,
   * or undefined after reporting a fault to onError (thrown without onError).
   * With one: callback(error, sample) on a later turn, once a conversion the
   * driver knows of has completed (waking a shut-down chip for it).
   */
  sample(): ThermometerSample | undefined;
  sample(callback: SampleCallback<ThermometerSample>): void;
  sample(callback?: SampleCallback<ThermometerSample>): ThermometerSample | undefined {
    return this.#conversions.sample(this.#open(), this.#onError, callback);
  }

  /** Releases the bus; safe twice. A sample(callback) under way is abandoned without a call back (a chip woken for it is shut down again). */
  close(): void {
    const io = this.#io;
    this.#io = undefined;
    this.#conversions.close(io);
    io?.close();
  }

  #open(): I2CInstance {
    if (!this.#io) throw new Error("LM75: closed");
    return this.#io;
  }

  #readConf(io: I2CInstance): number {
    io.write(Uint8Array.of(Register.configuration), false);
    return new Uint8Array(io.read(1))[0];
  }

  #readTemperature(io: I2CInstance): ThermometerSample {
    const word = read16(io, Register.temperature);
    const temperature = lm75Celsius(word, this.#resolution);
    if (temperature < MIN_CELSIUS || temperature > MAX_CELSIUS)
      throw new SensorError("LM75", "range", `temperature register reads 0x${word.toString(16)} (${temperature} degC), outside the chip's ${MIN_CELSIUS} to ${MAX_CELSIUS} degC`);
    return { temperature };
  }
}

/** A limit in degrees C as a Tos/Thyst word: 9 bits, 0.5 degC, left-justified (NXP 7.4.4, Tables 11 to 13). */
function limitWord(field: string, celsius: number): number {
  if (typeof celsius !== "number" || !(celsius >= MIN_CELSIUS && celsius <= MAX_CELSIUS))
    throw new RangeError(`LM75: ${field} must be ${MIN_CELSIUS} to ${MAX_CELSIUS} degC, not ${String(celsius)}`);
  return (Math.round(celsius * 2) & 0x1ff) << 7;
}


function read16(io: I2CInstance, register: number): number {
  io.write(Uint8Array.of(register), false);
  const bytes = new Uint8Array(io.read(2));
  return (bytes[0] << 8) | bytes[1]; // MSByte first (NXP 7.4.3)
}
