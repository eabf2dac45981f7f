/*
 * Maxim (Analog Devices) DS18B20 1-Wire thermometer, ECMA-419 Sensor Class Pattern.
 * Datasheet: Maxim 19-7487 Rev 6 (7/19), "DS18B20 Programmable Resolution
 * 1-Wire Digital Thermometer". Sections cited by their headings.
 *
 *   import OneWire from "onewire";
 *   const sensor = new DS18B20({sensor: {io: OneWire, pin: 4}});
 *   sensor.sample((error, sample) => ...);  // {temperature: 21.5}, degrees C
 *
 * Every reading is a fresh conversion: `sample(callback)` selects the chip,
 * sends Convert T, waits the resolution's maximum conversion time on a Timer
 * (Table 2), then reads the scratchpad. There is no synchronous `sample()`:
 * it throws a TypeError. Because a conversion is always started and waited
 * for, the temperature register's power-on value (+85 degC, 0550h, Table 1)
 * can only be read if the chip lost power during the conversion; the driver
 * recognises that case by the scratchpad's power-up state (0550h with
 * reserved byte 6 = 0Ch) and reports it as "busy", never as 85 degC. A genuine
 * 85 degC after a conversion has byte 6 = 10h on Maxim parts; counterfeit
 * parts that keep byte 6 at 0Ch would be refused at exactly 85.0 degC.
 *
 * ROM codes: Moddable's esp32 `onewire` returns them byte-reversed compared
 * to bus order (its swap()), the ESP8266 and simulator ones in bus order.
 * The driver finds which end holds the family code 28h and whose CRC checks,
 * keeps that bus-order copy for checks and `rom`, and always gives `select()`
 * the form `search()` returned, so it works with either. A `rom` option may
 * be given in either order, as 16 hex digits or 8 bytes.
 */

import Timer from "timer";
import { maximCRC } from "./crc";
import { SensorError } from "./errors";
import type { SampleCallback, Sensor, ThermometerSample } from "./sensor";

const NAME = "DS18B20";

/** Family code in the least significant byte of the ROM ("64-Bit Lasered ROM Code", Figure 8). */
const FAMILY = 0x28;

/** Function commands (Table 3, "DS18B20 Function Commands"). */
const Command = Object.freeze({
  convert: 0x44,
  writeScratchpad: 0x4e,
  readScratchpad: 0xbe,
  copyScratchpad: 0x48,
  recall: 0xb8,
  readPowerSupply: 0xb4,
} as const);

/** Scratchpad byte offsets ("Memory", Figure 9). Byte 8 is the CRC of bytes 0 to 7. */
const Pad = Object.freeze({ lsb: 0, msb: 1, th: 2, tl: 3, config: 4, reserved6: 6, crc: 8, length: 9 } as const);

/** Configuration register: bit 7 reads 0, bits 4..0 read 1, R1 R0 in bits 6..5 ("Configuration Register", Figure 10). */
const Config = Object.freeze({ fixedMask: 0x9f, fixedBits: 0x1f, resolutionShift: 5 } as const);

/** R1 R0 settings and maximum conversion times in ms (Table 2, "Thermometer Resolution Configuration"). */
const Resolution = Object.freeze({
  9: Object.freeze({ config: 0x1f, conversionMs: 93.75 }),
  10: Object.freeze({ config: 0x3f, conversionMs: 187.5 }),
  11: Object.freeze({ config: 0x5f, conversionMs: 375 }),
  12: Object.freeze({ config: 0x7f, conversionMs: 750 }),
} as const);

export type DS18B20Resolution = 9 | 10 | 11 | 12;

/** Temperature register power-on value, +85 degC (Table 1 footnote). */
const POWER_ON_WORD = 0x0550;
/** Reserved byte 6 at power-up (DS18B20-PAR datasheet Figure 6; Linux w1_therm's W1_THERM_CHECK_RESULT test). */
const POWER_ON_RESERVED6 = 0x0c;
/** What Maxim parts report after a failed conversion (not in the datasheet; seen on parts and in w1_therm). */
const FAILED_CONVERSION_WORD = 0x07ff;
/** Measurement range ("Benefits and Features": -55 degC to +125 degC). */
const MIN_CELSIUS = -55, MAX_CELSIUS = 125;
/** EEPROM write time tWR, 10 ms maximum (Electrical Characteristics, "NV Memory"). */
const EEPROM_WRITE_MS = 10;
/** Added to every wait: timers may fire up to a millisecond early against the chip's clock. */
const TIMER_MARGIN_MS = 2;

/**
 * What the driver uses of Moddable's `onewire` class (or the simulators'
 * SimulatedOneWire), as the SDK implements it (src/typings/onewire.d.ts):
 * declared here rather than taken from the "onewire" module's typings,
 * because a device build types that module with the SDK's own onewire.d.ts,
 * which says Uint8Array where the implementation gives ArrayBuffers.
 */
export interface OneWireBus {
  search(): ArrayBuffer[];
  select(rom: ArrayBuffer): void;
  write(byte: number): void;
  read(): number;
  read(count: number): ArrayBuffer;
  reset(): boolean;
  close(): void;
}
export type OneWireConstructor = new (options: { pin: number }) => OneWireBus;

export interface DS18B20Options {
  /** The 1-Wire bus: the `onewire` class and its pin, and optionally which device (else the first DS18B20 found). */
  sensor: { io: OneWireConstructor; pin: number; rom?: ArrayBuffer | ArrayBufferView | string };
  /** Kept for the common options shape: every DS18B20 fault reaches a sample's callback. */
  onError?: (error: SensorError) => void;
}

export interface DS18B20Configuration {
  /** Bits per conversion, 9 to 12 (Table 2): 0.5, 0.25, 0.125 or 0.0625 degC, up to 94, 188, 375 or 750 ms. */
  resolution?: DS18B20Resolution;
  /** TH and TL alarm registers, whole degrees C (Figure 5, "Operation—Alarm Signaling"). */
  alarmHigh?: number;
  alarmLow?: number;
  /** Recall E2 [B8h] first: reload TH, TL and the configuration from EEPROM. */
  restore?: boolean;
  /** Copy Scratchpad [48h] last: keep TH, TL and the configuration over a power cycle. */
  persist?: boolean;
}

/**
 * The bus-order form of a ROM code (family code first, CRC last), if either
 * end holds the DS18B20 family code 28h and the CRC of the 56 bits before it
 * checks ("64-Bit Lasered ROM Code", "CRC Generation"); else undefined.
 */
export function ds18b20BusOrder(code: Uint8Array): Uint8Array | undefined {
  if (code.length !== 8) return undefined;
  if (code[0] === FAMILY && maximCRC(code, 0, 7) === code[7]) return code.slice();
  const reversed = code.slice().reverse();
  if (reversed[0] === FAMILY && maximCRC(reversed, 0, 7) === reversed[7]) return reversed;
  return undefined;
}

/**
 * Degrees C from the temperature register (Figure 4: sign-extended two's
 * complement, 1/16 degC per bit). At resolutions below 12 bits the lowest
 * bits are undefined ("Operation—Measuring Temperature") and are cleared.
 */
export function ds18b20Celsius(lsb: number, msb: number, resolution: DS18B20Resolution): number {
  const word = ((msb & 0xff) << 8) | (lsb & 0xff);
  const signed = word & 0x8000 ? word - 0x10000 : word;
  return (signed & ~((1 << (12 - resolution)) - 1)) / 16;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += (byte < 16 ? "0" : "") + byte.toString(16);
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Bytes of a `rom` option: 16 hex digits (":", "-" or spaces allowed between bytes) or 8 bytes. */
function romOption(rom: unknown): Uint8Array {
  if (typeof rom === "string") {
    const digits = rom.replace(/[-: ]/g, "");
    if (!/^[0-9a-fA-F]{16}$/.test(digits)) throw new RangeError(`${NAME}: options.sensor.rom must be 16 hex digits, not "${rom}"`);
    const out = new Uint8Array(8);
    for (let i = 0; i < 8; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  let bytes: Uint8Array | undefined;
  if (rom instanceof ArrayBuffer) bytes = new Uint8Array(rom.slice(0));
  else if (ArrayBuffer.isView(rom)) bytes = new Uint8Array(rom.buffer, rom.byteOffset, rom.byteLength).slice();
  if (!bytes) throw new TypeError(`${NAME}: options.sensor.rom must be a hex string or an ArrayBuffer, not ${typeof rom}`);
  if (bytes.length !== 8) throw new RangeError(`${NAME}: options.sensor.rom must be 8 bytes, not ${bytes.length}`);
  return bytes;
}

interface Found {
  /** As `search()` gave it: what `select()` takes on this platform. */
  raw: ArrayBuffer;
  /** Family code first. */
  code: Uint8Array;
}

/** The DS18B20s a search finds, and how many ROM codes had 28h at one end but a bad CRC. */
function searchBus(bus: OneWireBus): { found: Found[]; badCRC: number } {
  const found: Found[] = [];
  let badCRC = 0;
  for (const raw of bus.search()) {
    const bytes = new Uint8Array(raw);
    const code = ds18b20BusOrder(bytes);
    if (code) found.push({ raw: raw.slice(0), code });
    else if (bytes.length === 8 && (bytes[0] === FAMILY || bytes[7] === FAMILY)) badCRC++;
  }
  return { found, badCRC };
}

function readScratchpad(bus: OneWireBus, raw: ArrayBuffer): Uint8Array {
  bus.select(raw);
  bus.write(Command.readScratchpad);
  return new Uint8Array(bus.read(Pad.length));
}

/**
 * Checks a scratchpad as read: something answered, the CRC of bytes 0 to 7
 * matches byte 8 ("CRC Generation"), and the configuration register's fixed
 * bits read as Figure 10 says. Throws a SensorError otherwise.
 */
function checkScratchpad(pad: Uint8Array): void {
  if (pad.every((byte) => byte === 0xff)) throw new SensorError(NAME, "absent", "the scratchpad reads all 1s: nothing answers (an idle bus floats high)");
  if (pad.every((byte) => byte === 0x00))
    throw new SensorError(NAME, "busy", "the scratchpad reads all 0s: the chip holds the bus low, as it does while a conversion is in progress (Convert T [44h])");
  const crc = maximCRC(pad, 0, 8);
  if (crc !== pad[Pad.crc]) throw new SensorError(NAME, "crc", `scratchpad ${hex(pad)}: CRC 0x${pad[Pad.crc].toString(16)}, expected 0x${crc.toString(16)}`);
  if ((pad[Pad.config] & Config.fixedMask) !== Config.fixedBits)
    throw new SensorError(NAME, "range", `configuration register reads 0x${pad[Pad.config].toString(16)}; a DS18B20's reads 0 R1 R0 1 1 1 1 1 (Figure 10)`);
}

function resolutionOf(config: number): DS18B20Resolution {
  return (((config >> Config.resolutionShift) & 3) + 9) as DS18B20Resolution;
}

/** The reading in a checked scratchpad, or a SensorError for a value no conversion produces. */
function temperatureOf(pad: Uint8Array): number {
  const word = (pad[Pad.msb] << 8) | pad[Pad.lsb];
  if (word === POWER_ON_WORD && pad[Pad.reserved6] === POWER_ON_RESERVED6)
    throw new SensorError(NAME, "busy", "the scratchpad holds its power-up state (temperature 0550h, +85 degC, Table 1): no conversion completed, the chip may have lost power during it");
  // Bits 15..11 all carry the sign (Figure 4).
  const sign = word >> 11;
  if (sign !== 0 && sign !== 0x1f) throw new SensorError(NAME, "range", `temperature register reads 0x${word.toString(16)}: its sign bits 15..11 differ (Figure 4)`);
  const celsius = ds18b20Celsius(pad[Pad.lsb], pad[Pad.msb], resolutionOf(pad[Pad.config]));
  if (celsius < MIN_CELSIUS || celsius > MAX_CELSIUS) {
    const why = word === FAILED_CONVERSION_WORD ? " (07FFh: the value Maxim parts give after a failed conversion, e.g. too little parasite power)" : "";
    throw new SensorError(NAME, "range", `temperature register reads 0x${word.toString(16)} (${celsius} degC), outside the chip's -55 to +125 degC${why}`);
  }
  return celsius;
}

export default class DS18B20 implements Sensor<ThermometerSample> {
  #bus: OneWireBus | undefined;
  readonly #raw: ArrayBuffer;
  readonly #code: Uint8Array;
  readonly #pin: number;
  readonly #parasite: boolean;
  #resolution: DS18B20Resolution;
  #waiting: SampleCallback<ThermometerSample>[] = [];
  #timer: Timer | undefined;
  /** Date.now() before which the EEPROM may still be busy after a Copy Scratchpad. */
  #eepromReadyAt = 0;

  constructor(options: DS18B20Options) {
    const sensor = options?.sensor;
    if (!sensor || typeof sensor.io !== "function") throw new TypeError(`${NAME}: options.sensor must be a 1-Wire bus {io: OneWire, pin}`);
    const pin = sensor.pin;
    if (typeof pin !== "number" || !Number.isInteger(pin) || pin < 0) throw new RangeError(`${NAME}: options.sensor.pin must be a GPIO number, not ${String(pin)}`);
    let wanted: Uint8Array | undefined;
    if (sensor.rom !== undefined) {
      const bytes = romOption(sensor.rom);
      wanted = ds18b20BusOrder(bytes);
      if (!wanted) throw new RangeError(`${NAME}: options.sensor.rom ${hex(bytes)} is not a DS18B20 ROM code (family code 28h at one end and a valid CRC)`);
    }
    if (options.onError !== undefined && typeof options.onError !== "function") throw new TypeError(`${NAME}: options.onError must be a function`);
    this.#pin = pin;
    const bus = new sensor.io({ pin });
    try {
      const { found, badCRC } = searchBus(bus);
      const device = wanted ? found.find((item) => same(item.code, wanted)) : found[0];
      if (!device) {
        if (badCRC > 0) throw new SensorError(NAME, "crc", `the search on pin ${pin} found ${badCRC} ROM code(s) of family 28h with a bad CRC`);
        throw new SensorError(NAME, "absent", wanted ? `no device ${hex(wanted)} on the 1-Wire bus on pin ${pin}` : `no DS18B20 (family code 28h) on the 1-Wire bus on pin ${pin}`);
      }
      this.#raw = device.raw;
      this.#code = device.code;
      // Read Power Supply [B4h]: parasite-powered parts pull the following read slot low.
      bus.select(device.raw);
      bus.write(Command.readPowerSupply);
      this.#parasite = (bus.read() & 1) === 0;
      const pad = readScratchpad(bus, device.raw);
      checkScratchpad(pad);
      this.#resolution = resolutionOf(pad[Pad.config]);
      this.#bus = bus;
    }
    catch (error) {
      bus.close();
      throw error instanceof SensorError ? error : new SensorError(NAME, "bus", `1-Wire bus on pin ${pin} failed`, error);
    }
  }

  /** The ROM code in bus order (family code 28h first), as 16 hex digits. */
  get rom(): string {
    return hex(this.#code);
  }

  /** Bits per conversion, as the chip last reported. */
  get resolution(): DS18B20Resolution {
    return this.#resolution;
  }

  /** True when Read Power Supply [B4h] says the chip runs on parasite power. */
  get parasitePower(): boolean {
    return this.#parasite;
  }

  /**
   * Writes TH, TL and the configuration register (Write Scratchpad [4Eh],
   * all three bytes as the datasheet requires), reads them back and, with
   * `persist`, copies them to EEPROM. Only the given fields change.
   * Bad values throw RangeError/TypeError before anything is sent; a bus
   * fault throws a SensorError.
   */
  configure(options: DS18B20Configuration): void {
    const { resolution, alarmHigh, alarmLow, restore, persist } = options ?? {};
    if (resolution !== undefined && ![9, 10, 11, 12].includes(resolution)) throw new RangeError(`${NAME}: resolution must be 9, 10, 11 or 12 bits, not ${String(resolution)}`);
    for (const [field, value] of [["alarmHigh", alarmHigh], ["alarmLow", alarmLow]] as const) {
      if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < MIN_CELSIUS || value > MAX_CELSIUS))
        throw new RangeError(`${NAME}: ${field} must be a whole number of degrees C from -55 to 125, not ${String(value)}`);
    }
    for (const [field, value] of [["restore", restore], ["persist", persist]] as const) {
      if (value !== undefined && typeof value !== "boolean") throw new TypeError(`${NAME}: ${field} must be true or false, not ${String(value)}`);
    }
    const bus = this.#open();
    try {
      if (restore) {
        bus.select(this.#raw);
        bus.write(Command.recall);
      }
      let pad = readScratchpad(bus, this.#raw);
      checkScratchpad(pad);
      if (resolution !== undefined || alarmHigh !== undefined || alarmLow !== undefined) {
        const written = Uint8Array.of(
          alarmHigh === undefined ? pad[Pad.th] : alarmHigh & 0xff, // two's complement bytes (Figure 5)
          alarmLow === undefined ? pad[Pad.tl] : alarmLow & 0xff,
          resolution === undefined ? pad[Pad.config] : Resolution[resolution].config,
        );
        bus.select(this.#raw);
        bus.write(Command.writeScratchpad);
        for (const byte of written) bus.write(byte);
        pad = readScratchpad(bus, this.#raw);
        checkScratchpad(pad);
        if (!same(pad.subarray(Pad.th, Pad.config + 1), written))
          throw new SensorError(NAME, "bus", `wrote TH TL config ${hex(written)} but the scratchpad reads back ${hex(pad.subarray(Pad.th, Pad.config + 1))} (some DS18B20 copies have a fixed resolution)`);
      }
      this.#resolution = resolutionOf(pad[Pad.config]);
      if (persist) {
        bus.select(this.#raw);
        bus.write(Command.copyScratchpad);
        this.#eepromReadyAt = Date.now() + EEPROM_WRITE_MS;
      }
    }
    catch (error) {
      throw error instanceof SensorError ? error : new SensorError(NAME, "bus", "configuration failed", error);
    }
  }

  /**
   * A fresh conversion: callback(error, {temperature}) once the chip has
   * converted, on a timer, never synchronously. Calls made while a
   * conversion is under way share its result. Without a callback, throws.
   */
  sample(callback: SampleCallback<ThermometerSample>): void {
    if (typeof callback !== "function")
      throw new TypeError(`${NAME}: pass a callback, sample((error, sample) => ...): every reading is a new conversion of up to 750 ms (Table 2), so there is no synchronous sample()`);
    this.#open();
    this.#waiting.push(callback);
    if (this.#waiting.length > 1) return;
    const delay = this.#eepromReadyAt - Date.now();
    if (delay > 0) this.#timer = Timer.set(() => this.#start(), delay + 1);
    else this.#start();
  }

  /** Releases the bus; a conversion under way is abandoned without calling back. Safe twice. */
  close(): void {
    if (this.#timer) Timer.clear(this.#timer);
    this.#timer = undefined;
    this.#waiting = [];
    const bus = this.#bus;
    this.#bus = undefined;
    bus?.close();
  }

  #open(): OneWireBus {
    if (!this.#bus) throw new Error(`${NAME}: closed`);
    return this.#bus;
  }

  #start(): void {
    this.#timer = undefined;
    try {
      const bus = this.#open();
      if (!bus.reset()) throw new SensorError(NAME, "absent", `no presence pulse on the 1-Wire bus on pin ${this.#pin}`);
      bus.select(this.#raw);
      bus.write(Command.convert);
      const wait = Math.ceil(Resolution[this.#resolution].conversionMs) + TIMER_MARGIN_MS;
      this.#timer = Timer.set(() => this.#finish(), wait);
    }
    catch (error) {
      const fault = error instanceof SensorError ? error : new SensorError(NAME, "bus", "Convert T failed", error);
      this.#timer = Timer.set(() => this.#deliver(fault, undefined), 0);
    }
  }

  #finish(): void {
    this.#timer = undefined;
    let fault: SensorError | undefined, temperature = 0;
    try {
      const bus = this.#open();
      // An externally powered chip answers read slots after Convert T with 0 while converting, 1 when done
      // ("Convert T [44h]"); the last slot read is the latest. Parasite-powered chips cannot signal.
      if (!this.#parasite && (bus.read() & 0x80) === 0)
        throw new SensorError(NAME, "busy", `the conversion is not done after its maximum time of ${Resolution[this.#resolution].conversionMs} ms (Table 2)`);
      const pad = readScratchpad(bus, this.#raw);
      checkScratchpad(pad);
      this.#resolution = resolutionOf(pad[Pad.config]);
      temperature = temperatureOf(pad);
    }
    catch (error) {
      fault = error instanceof SensorError ? error : new SensorError(NAME, "bus", "reading the scratchpad failed", error);
    }
    this.#deliver(fault, fault ? undefined : temperature);
  }

  #deliver(fault: SensorError | undefined, temperature: number | undefined): void {
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    let thrown: unknown;
    for (const callback of waiting) {
      try {
        callback(fault, temperature === undefined ? undefined : { temperature });
      }
      catch (error) {
        thrown ??= error;
      }
    }
    if (thrown !== undefined) throw thrown;
  }
}

/** Bus-order ROM codes (16 hex digits) of the DS18B20s on an open bus, for an `auto` mode. */
export function findDS18B20(bus: OneWireBus): string[] {
  return searchBus(bus).found.map((item) => hex(item.code));
}

/**
 * Whether a DS18B20 answers on an open bus: a ROM code with family code 28h
 * and a valid CRC whose scratchpad reads with a valid CRC and the
 * configuration register's fixed bits. Other makers' 28h parts (MAX31820,
 * DS18B20 copies) pass too; they speak the same commands.
 */
export function probeDS18B20(bus: OneWireBus): boolean {
  try {
    for (const item of searchBus(bus).found) {
      try {
        checkScratchpad(readScratchpad(bus, item.raw));
        return true;
      }
      catch {
        // not this one
      }
    }
  }
  catch {
    // a bus that fails to search has no DS18B20 we can use
  }
  return false;
}
