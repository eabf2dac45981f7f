/*
 * Model of the Maxim (Analog Devices) DS18B20 1-Wire thermometer, at the level
 * of its function commands and scratchpad.
 * Datasheet: Maxim 19-7487 Rev 6 (7/19), "DS18B20 Programmable Resolution
 * 1-Wire Digital Thermometer".
 *
 * Modelled:
 * - the 64-bit ROM code: family code 28h, 48-bit serial, CRC of the first 56
 *   bits ("64-Bit Lasered ROM Code", Figure 8; "CRC Generation");
 * - the scratchpad and its power-up state (Figure 9): temperature 0550h
 *   (+85 degC, Table 1), TH, TL and configuration loaded from EEPROM,
 *   reserved bytes FFh, 0Ch, 10h, and its CRC in byte 8;
 * - the configuration register with its read-only bits (Figure 10) and the
 *   resolutions of Table 2, with their maximum conversion times: a Convert T
 *   result appears in the scratchpad only after that time; read slots right
 *   after Convert T read 0 while converting and 1 when done ("Convert T
 *   [44h]"), always 1 on parasite power; a Read Scratchpad before the end
 *   gives the previous contents;
 * - the temperature register format (Figure 4), with the undefined low bits
 *   at 9 to 11 bits filled with changing junk, as the datasheet allows;
 * - Write Scratchpad (TH, TL, config), Copy Scratchpad (EEPROM, tWR = 10 ms,
 *   read slots 0 while writing), Recall E2, Read Power Supply.
 * Not in the datasheet, taken from measurements of Maxim parts (C. Petrich,
 * "counterfeit_DS18B20", Family A): reserved byte 6 becomes 10h - (byte 0 &
 * 0Fh) after each conversion (the SDK's simulator records show the same), and
 * the factory TH/TL are 4Bh/46h.
 * Not modelled: alarm search, timing below the byte level.
 *
 * Faults: absent (the bus leaves the device out: no presence, no search hit);
 * busy (a conversion never ends, and the stuck chip holds every read slot
 * low); corruptCrc (wrong scratchpad CRC byte); outOfRange (conversions give
 * 07FFh, +127.9375 degC, above the chip's +125 degC: what Maxim parts report
 * after a failed conversion).
 */

import { crc8Maxim, SimulatedChip } from "./chip";
import type { Environment } from "./environment";
import type { OneWireDevice } from "./onewire-bus";

/** Function commands (Table 3). */
const Command = Object.freeze({
  convert: 0x44,
  writeScratchpad: 0x4e,
  readScratchpad: 0xbe,
  copyScratchpad: 0x48,
  recall: 0xb8,
  readPowerSupply: 0xb4,
} as const);

const FAMILY = 0x28;

/** Maximum conversion time by resolution, ms (Table 2). */
const CONVERSION_MS: Readonly<Record<number, number>> = Object.freeze({ 9: 93.75, 10: 187.5, 11: 375, 12: 750 });

/** EEPROM write time, tWR maximum (Electrical Characteristics). */
const EEPROM_WRITE_MS = 10;

/** Configuration register: bit 7 reads 0, bits 4..0 read 1, only R1 R0 are writable (Figure 10). */
const CONFIG_WRITABLE = 0x60, CONFIG_ONES = 0x1f;

/** A changing register value the chip never produces as a reading: 07FFh, +127.9375 degC. */
const FAILED_CONVERSION_WORD = 0x07ff;

/**
 * The temperature register for `celsius` at `resolution` bits (Figure 4, Table 1):
 * 1/16 degC steps, rounded to the resolution's step, two's complement in 16 bits,
 * clamped to what the register holds. Undefined low bits are 0 here.
 */
export function ds18b20Encode(celsius: number, resolution: 9 | 10 | 11 | 12): number {
  const step = 1 << (12 - resolution);
  const max = 0x7ff - (0x7ff % step), min = -0x800;
  const counts = Math.max(min, Math.min(max, Math.round((celsius * 16) / step) * step));
  return counts & 0xffff;
}

/** A ROM code in bus order from its 48-bit serial (12 hex digits, bus order). */
function romFromSerial(serial: string): Uint8Array {
  const rom = new Uint8Array(8);
  rom[0] = FAMILY;
  for (let i = 0; i < 6; i++) rom[1 + i] = parseInt(serial.slice(2 * i, 2 * i + 2), 16);
  rom[7] = crc8Maxim(rom, 0, 7);
  return rom;
}

export interface DS18B20ModelOptions {
  /** 16 hex digits in bus order (28h first, valid CRC), or 12 hex digits of serial. */
  rom?: string;
  /** Runs on parasite power (Read Power Supply answers 0; no progress in read slots). */
  parasite?: boolean;
}

type Activity = "idle" | "convert" | "writeScratchpad" | "readScratchpad" | "copy" | "recall" | "powerSupply";

export class DS18B20Model extends SimulatedChip implements OneWireDevice {
  readonly name = "ds18b20";
  readonly rom: Uint8Array;
  readonly parasite: boolean;
  readonly #environment: Pick<Environment, "temperature">;
  /** Bytes 0..7; byte 8 (CRC) is computed when read. */
  readonly #pad = new Uint8Array(8);
  readonly #eeprom = Uint8Array.of(0x4b, 0x46, 0x7f); // TH, TL, config: factory 12-bit (Figure 10)
  #activity: Activity = "idle";
  #index = 0;
  #conversion: { endsAt: number; word: number } | undefined;
  #eepromBusyUntil = 0;
  #conversions = 0;

  constructor(environment: Pick<Environment, "temperature">, options: DS18B20ModelOptions = {}) {
    super();
    this.#environment = environment;
    this.parasite = options.parasite === true;
    const rom = options.rom ?? "a2d9430b0000"; // a serial in Maxim's pattern tt-tt-ss-ss-00-00
    if (/^[0-9a-f]{12}$/i.test(rom)) this.rom = romFromSerial(rom);
    else if (/^[0-9a-f]{16}$/i.test(rom)) {
      const bytes = new Uint8Array(8);
      for (let i = 0; i < 8; i++) bytes[i] = parseInt(rom.slice(2 * i, 2 * i + 2), 16);
      if (bytes[0] !== FAMILY || crc8Maxim(bytes, 0, 7) !== bytes[7]) throw new RangeError(`DS18B20 model: ROM ${rom} needs family code 28 first and its CRC last`);
      this.rom = bytes;
    }
    else throw new RangeError(`DS18B20 model: rom must be 16 hex digits (bus order) or 12 of serial, not "${rom}"`);
    this.powerCycle();
  }

  /** Power-up: the scratchpad's power-up state (Figure 9), EEPROM reloaded, any conversion lost. */
  powerCycle(): void {
    this.#pad.set([0x50, 0x05, this.#eeprom[0], this.#eeprom[1], this.#eeprom[2], 0xff, 0x0c, 0x10]);
    this.#conversion = undefined;
    this.#activity = "idle";
    this.#index = 0;
  }

  /** The scratchpad as the chip would send it now, CRC included (for tests). */
  scratchpad(): Uint8Array {
    this.#settle();
    const out = new Uint8Array(9);
    out.set(this.#pad);
    out[8] = crc8Maxim(out, 0, 8) ^ (this.faults.corruptCrc ? 0xa5 : 0);
    return out;
  }

  /** The EEPROM copy of TH, TL and configuration (for tests). */
  eeprom(): Uint8Array {
    return this.#eeprom.slice();
  }

  get resolution(): 9 | 10 | 11 | 12 {
    return (((this.#pad[4] >> 5) & 3) + 9) as 9 | 10 | 11 | 12;
  }

  reset(): void {
    // A reset ends the function command in progress; a conversion or EEPROM write goes on.
    this.#settle();
    this.#activity = "idle";
    this.#index = 0;
  }

  write(byte: number): void {
    this.#settle();
    const now = this.now();
    if (this.#activity === "idle") {
      this.#index = 0;
      switch (byte) {
        case Command.convert: {
          this.#conversions++;
          const resolution = this.resolution;
          const word = this.faults.outOfRange ? FAILED_CONVERSION_WORD : ds18b20Encode(this.#environment.temperature(now), resolution);
          // Undefined bits below the resolution (Figure 4): whatever the converter left, here a changing pattern.
          const junk = this.#conversions & ((1 << (12 - resolution)) - 1);
          this.#conversion = { endsAt: now + CONVERSION_MS[resolution], word: word | junk };
          this.#activity = "convert";
          return;
        }
        case Command.writeScratchpad: this.#activity = "writeScratchpad"; return;
        case Command.readScratchpad: this.#activity = "readScratchpad"; return;
        case Command.copyScratchpad:
          this.#eeprom.set(this.#pad.subarray(2, 5));
          this.#eepromBusyUntil = now + EEPROM_WRITE_MS;
          this.#activity = "copy";
          return;
        case Command.recall:
          this.#pad.set(this.#eeprom, 2);
          this.#activity = "recall";
          return;
        case Command.readPowerSupply: this.#activity = "powerSupply"; return;
        default: return; // not a DS18B20 command: ignored until the next reset
      }
    }
    if (this.#activity === "writeScratchpad" && this.#index < 3) {
      // TH, TL, then configuration with its fixed bits (Figure 10); each byte lands as it arrives.
      this.#pad[2 + this.#index] = this.#index === 2 ? (byte & CONFIG_WRITABLE) | CONFIG_ONES : byte & 0xff;
      this.#index++;
    }
  }

  read(): number {
    this.#settle();
    // A chip stuck converting holds every read slot low.
    if (this.faults.busy && this.#conversion) return 0x00;
    switch (this.#activity) {
      case "readScratchpad": {
        const at = this.#index++;
        if (at < 8) return this.#pad[at];
        if (at === 8) return crc8Maxim(this.#pad, 0, 8) ^ (this.faults.corruptCrc ? 0xa5 : 0);
        return 0xff; // past the scratchpad nothing drives the bus
      }
      case "convert": return this.parasite || !this.#conversion ? 0xff : 0x00;
      case "copy": return this.parasite || this.now() >= this.#eepromBusyUntil ? 0xff : 0x00;
      case "powerSupply": return this.parasite ? 0x00 : 0xff;
      default: return 0xff; // recall is done at once; idle chips leave the bus high
    }
  }

  /** Completes a conversion whose time has come: the result replaces bytes 0 and 1, byte 6 follows it. */
  #settle(): void {
    const conversion = this.#conversion;
    if (!conversion || this.faults.busy || this.now() < conversion.endsAt) return;
    this.#conversion = undefined;
    this.#pad[0] = conversion.word & 0xff;
    this.#pad[1] = conversion.word >> 8;
    this.#pad[6] = 0x10 - (this.#pad[0] & 0x0f);
  }
}
