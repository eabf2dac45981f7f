/*
 * Microchip MCP9808 I2C thermometer, ECMA-419 Sensor Class Pattern.
 * Datasheet: Microchip DS25095A ("MCP9808 +/-0.5 degC Maximum Accuracy
 * Digital Temperature Sensor"); the later online edition (DS20005095) numbers
 * the same content 5.1 to 5.8.
 *
 *   const sensor = new MCP9808({sensor: {...device.I2C.default, address: 0x18}});
 *   sensor.sample((error, sample) => ...); // {temperature: 21.5625}, degrees C
 *   sensor.configure({resolution: 0.25}); // faster conversions (65 ms)
 *
 * The chip converts continuously, one result every tCONV: 30, 65, 130 or
 * 250 ms at 0.5, 0.25, 0.125 or 0.0625 degC resolution (Resolution register
 * 08h; conversion time table). It has no ready flag, and T_A reads 0000h
 * (0 degC) at power-up until the first conversion (Register 5-4, POR values),
 * so the driver waits one tCONV before trusting T_A: after opening, after
 * configure({resolution}) and after waking the chip. sample(callback) waits
 * it out; sample() reports "busy" until the first one after opening or waking
 * (a change of resolution leaves the previous result, valid, in T_A).
 * With configure({shutdown: true}) the chip sleeps between samples (CONFIG
 * SHDN) and each sample(callback) wakes it for one conversion.
 *
 * Converts T_A as a 13-bit two's complement number (bit 12 the sign, bits
 * 15:13 flags; Register 5-4 and 5.1.3.1). The datasheet's sample code for
 * negative temperatures (Equation 5-1 / Example 5-1: 256 - (UpperByte x 16
 * + LowerByte / 16)) yields the magnitude, not the signed value; the driver
 * follows the register description, as Linux's jc42 driver does.
 */

import type { I2CBusOptions, I2CInstance } from "embedded:provider/builtin";
import { Conversions } from "./conversions";
import { SensorError, transferFault } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

/** Register pointers (Register 5-1). Pointer bits 7:4 must be 0. */
const Register = Object.freeze({
  configuration: 0x01,
  ambient: 0x05,
  manufacturerId: 0x06,
  deviceId: 0x07,
  resolution: 0x08,
} as const);

/** CONFIG register bits (Register 5-2, power-up 0000h). */
const Config = Object.freeze({
  shutdown: 0x0100,  // SHDN, bit 8
  locks: 0x00c0,     // Crit. Lock, Win. Lock: while set, SHDN cannot be set
  interruptClear: 0x0020, // Int. Clear: write 1 to clear; never written back by this driver
} as const);

/** T_A register (Register 5-4): flags in bits 15:13, the sign in bit 12, 0.0625 degC/LSB. */
const Ambient = Object.freeze({ flags: 0xe000, value: 0x1fff, sign: 0x1000 } as const);

/** Manufacturer ID register 06h = 0054h (Register 5-5); Device ID register 07h: device ID 04h in bits 15:8, revision in 7:0 (Register 5-6). */
const MANUFACTURER_ID = 0x0054;
const DEVICE_ID = 0x04;

/** Resolution register 08h, bits 1:0 (Register 5-7), and tCONV, ms (conversion time table, typical). */
const RESOLUTIONS = Object.freeze([0.5, 0.25, 0.125, 0.0625] as const);
const CONVERSION_MS = Object.freeze([30, 65, 130, 250] as const);

/** Operating range (1, Features): a reading outside it is not a reading. */
const MIN_CELSIUS = -40, MAX_CELSIUS = 125;

/** Degrees C from a T_A register word: flags masked, 13-bit two's complement, 0.0625 degC/LSB (Register 5-4). */
export function mcp9808Celsius(word: number): number {
  const value = word & Ambient.value;
  return (value & Ambient.sign ? value - 0x2000 : value) * 0.0625;
}

/**
 * Whether the chip that answers on `io` is an MCP9808: Manufacturer ID
 * (06h) = 0054h and Device ID (07h) bits 15:8 = 04h, any revision in bits
 * 7:0. Reliable: JEDEC-style ID registers; other Microchip JC42 parts at
 * 0x18..0x1f have other device IDs. Never throws.
 */
export function probeMCP9808(io: I2CInstance): boolean {
  try {
    return read16(io, Register.manufacturerId) === MANUFACTURER_ID && read16(io, Register.deviceId) >> 8 === DEVICE_ID;
  }
  catch {
    return false;
  }
}

export interface MCP9808Options {
  /** The bus: a provider I2C default plus an optional `address` (0x18 to 0x1f, A2..A0; Table 3-2). */
  sensor: I2CBusOptions & { address?: number; hz?: number };
  onError?: (error: SensorError) => void;
}

export interface MCP9808Configuration {
  /** Degrees C per step: 0.5, 0.25, 0.125 or 0.0625 (power-up); coarser converts faster (30 to 250 ms). */
  resolution?: 0.5 | 0.25 | 0.125 | 0.0625;
  /** Shut the chip down between samples (CONFIG SHDN); sample(callback) wakes it for one conversion. */
  shutdown?: boolean;
}

export default class MCP9808 implements Sensor<ThermometerSample> {
  #io: I2CInstance | undefined;
  readonly #onError: ((error: SensorError) => void) | undefined;
  #config = 0;
  #resolution = 3;
  readonly #conversions = new Conversions<ThermometerSample>("MCP9808", {
    io: () => this.#io,
    asleep: () => (this.#config & Config.shutdown) !== 0,
    writeShutdown: (io, awake) => write16(io, Register.configuration, awake ? this.#config & ~Config.shutdown : this.#config),
    read: (io) => this.#readTemperature(io),
    conversionMs: () => CONVERSION_MS[this.#resolution],
  });

  constructor(options: MCP9808Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError("MCP9808: options.sensor must be an I2C bus with an io class, e.g. {...device.I2C.default}");
    const address = sensor.address ?? 0x18;
    if (!Number.isInteger(address) || address < 0x18 || address > 0x1f)
      throw new RangeError(`MCP9808: options.sensor.address must be 0x18 to 0x1f (A2..A0, Table 3-2), not ${String(address)}`);
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError("MCP9808: options.onError must be a function");
    this.#onError = options.onError;
    const io = new sensor.io({ hz: 400_000, ...sensor, address });
    try {
      const manufacturer = read16(io, Register.manufacturerId), device = read16(io, Register.deviceId);
      if (manufacturer !== MANUFACTURER_ID || device >> 8 !== DEVICE_ID)
        throw new SensorError("MCP9808", "absent", `ID registers read 0x${manufacturer.toString(16)} / 0x${device.toString(16)}; an MCP9808 reads 0054h (06h) and 04xxh (07h) (Registers 5-5, 5-6)`);
      this.#config = read16(io, Register.configuration);
      io.write(Uint8Array.of(Register.resolution), false);
      this.#resolution = new Uint8Array(io.read(1))[0] & 0x03;
      this.#io = io;
    }
    catch (error) {
      io.close();
      throw error instanceof SensorError ? error : new SensorError("MCP9808", "absent", `no MCP9808 answers at 0x${address.toString(16)}`, error);
    }
    // A chip in shutdown has converted before (it powers up converting); one that converts may have just powered up.
    if (this.#config & Config.shutdown) this.#conversions.markConverted();
    else this.#conversions.settle();
  }

  /** Changes only the given settings; throws (and changes nothing) if any is bad. */
  configure(options: MCP9808Configuration): void {
    const io = this.#open();
    if (typeof options !== "object" || options === null) throw new TypeError("MCP9808: configure() needs an options object");
    const { resolution, shutdown } = options;
    const code = resolution === undefined ? undefined : RESOLUTIONS.indexOf(resolution);
    if (code === -1) throw new RangeError(`MCP9808: resolution must be 0.5, 0.25, 0.125 or 0.0625 degC (Resolution register), not ${String(resolution)}`);
    if (shutdown !== undefined && typeof shutdown !== "boolean") throw new TypeError("MCP9808: shutdown must be true or false");
    if (code !== undefined && code !== this.#resolution) {
      try {
        io.write(Uint8Array.of(Register.resolution, code));
      }
      catch (error) {
        throw transferFault("MCP9808", "resolution write failed", error);
      }
      this.#resolution = code;
      // The next fresh result takes a conversion at the new resolution; T_A keeps the last one meanwhile.
      if (!(this.#config & Config.shutdown)) this.#conversions.settle(this.#conversions.hasResult);
    }
    if (shutdown === undefined || shutdown === ((this.#config & Config.shutdown) !== 0)) return;
    let config: number;
    try {
      config = read16(io, Register.configuration) & ~Config.interruptClear;
    }
    catch (error) {
      throw transferFault("MCP9808", "configuration read failed", error);
    }
    if (shutdown && (config & Config.locks))
      throw new Error("MCP9808: shutdown cannot be set while CONFIG's Crit. Lock or Win. Lock bit is set; only a power-on reset clears them (Register 5-2)");
    config = shutdown ? config | Config.shutdown : config & ~Config.shutdown;
    try {
      write16(io, Register.configuration, config);
    }
    catch (error) {
      throw transferFault("MCP9808", "configuration write failed", error);
    }
    this.#config = config;
    if (!shutdown) this.#conversions.settle(); // woken: the first result takes a conversion
    else this.#conversions.slept();
  }

  /**
   * Without a callback: the latest conversion, `{temperature}` in degrees C,
   * or undefined after reporting a fault to onError (thrown without onError).
   * With one: callback(error, sample) on a later turn, once a conversion at
   * the current resolution has completed (waking a shut-down chip for it).
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
    if (!this.#io) throw new Error("MCP9808: closed");
    return this.#io;
  }

  #readTemperature(io: I2CInstance): ThermometerSample {
    const word = read16(io, Register.ambient);
    const temperature = mcp9808Celsius(word);
    if (temperature < MIN_CELSIUS || temperature > MAX_CELSIUS)
      throw new SensorError("MCP9808", "range", `T_A reads 0x${word.toString(16)} (${temperature} degC), outside the chip's ${MIN_CELSIUS} to ${MAX_CELSIUS} degC`);
    return { temperature };
  }
}


function read16(io: I2CInstance, register: number): number {
  io.write(Uint8Array.of(register), false);
  const bytes = new Uint8Array(io.read(2));
  return (bytes[0] << 8) | bytes[1]; // upper byte first (5.1.3.1, Example 5-1)
}

function write16(io: I2CInstance, register: number, value: number): void {
  io.write(Uint8Array.of(register, (value >> 8) & 0xff, value & 0xff));
}
