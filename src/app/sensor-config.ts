/*
 * The `sensors` setting: which chips are attached, on which bus and address.
 *
 *   sensors = "tmp102"                          one TMP102 at its power-up address (0x48)
 *   sensors = "sht3x@0x45,bme280@0x77"          chips at chosen I2C addresses
 *   sensors = "indoor=sht3x,outdoor=ds18b20"    names, used in topics (default: the chip name)
 *   sensors = "ds18b20@28ff641d88160300"        a DS18B20 by its ROM code (default: the first found)
 *   sensors = "ntc@34"                          an NTC on analog pin 34 (default: the board's analog pin)
 *   sensors = "auto"                            probe the I2C bus (and 1-Wire) at start
 *
 * A bad entry throws a TypeError/RangeError that names the setting, the
 * entry and what was expected; nothing is half-applied.
 */

import { CHIP_NAMES, CHIPS, type ChipName, isChipName } from "../sensors/catalog";

export interface SensorSpec {
  /** Unique; a topic level. */
  name: string;
  chip: ChipName;
  /** I2C address (I2C chips). */
  address?: number;
  /** 1-Wire ROM code, 16 hex digits (DS18B20), or undefined for the first found. */
  rom?: string;
  /** Analog pin (NTC), or undefined for the board's default. */
  pin?: number;
}

export type SensorsSetting = { auto: true } | { auto: false; sensors: SensorSpec[] };

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
/** Topic levels the device's own topics use right under its base (src/app/topics.ts). */
const RESERVED = Object.freeze(["status", "state", "command", "config", "diagnostics", "temperature", "humidity", "pressure"]);

function parseAddress(entry: string, chip: ChipName, text: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const allowed = CHIPS[chip].addresses!;
  if (!allowed.includes(value))
    throw new RangeError(`config sensors: "${entry}": ${chip} answers at ${allowed.map((a) => `0x${a.toString(16)}`).join(", ")} (${CHIPS[chip].reference}), not ${text}`);
  return value;
}

export function parseSensors(value: unknown): SensorsSetting {
  if (typeof value !== "string") throw new TypeError(`config sensors must be a string like "tmp102@0x48,sht3x", not ${typeof value}`);
  const text = value.trim();
  if (text === "auto") return { auto: true };
  if (text === "") throw new TypeError(`config sensors is empty; name at least one chip (${CHIP_NAMES.join(", ")}) or "auto"`);
  const sensors: SensorSpec[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    const match = /^(?:([^=@]+)=)?([^=@]+)(?:@(.+))?$/.exec(entry);
    if (!match) throw new TypeError(`config sensors: "${entry}" is not chip[@address] or name=chip[@address]`);
    const [, label, chipText, where] = match;
    const chip = chipText.toLowerCase();
    if (!isChipName(chip)) throw new TypeError(`config sensors: unknown chip "${chipText}" in "${entry}"; known chips: ${CHIP_NAMES.join(", ")}`);
    const spec: SensorSpec = { name: label ?? chip, chip };
    const info = CHIPS[chip];
    if (info.bus === "i2c") spec.address = where === undefined ? info.addresses![0] : parseAddress(entry, chip, where);
    else if (info.bus === "onewire") {
      if (where !== undefined) {
        if (!/^[0-9a-f]{16}$/i.test(where)) throw new TypeError(`config sensors: "${entry}": a ${chip} ROM code is 16 hex digits (e.g. 28ff641d88160300)`);
        spec.rom = where.toLowerCase();
      }
    }
    else if (where !== undefined) {
      if (!/^\d+$/.test(where)) throw new TypeError(`config sensors: "${entry}": an ${chip} sits on an analog pin number, not ${where}`);
      spec.pin = Number(where);
    }
    if (!NAME.test(spec.name)) throw new TypeError(`config sensors: name "${spec.name}" in "${entry}" must be 1 to 32 letters, digits, - or _ (it becomes a topic level)`);
    if (RESERVED.includes(spec.name)) throw new TypeError(`config sensors: name "${spec.name}" in "${entry}" is taken by the device's own topics (${RESERVED.join(", ")}); choose another`);
    sensors.push(spec);
  }
  // Unique names (auto-suffixed by address when the same chip appears twice without a name) and no two chips on one address.
  const byName = new Map<string, number>();
  for (const spec of sensors) byName.set(spec.name, (byName.get(spec.name) ?? 0) + 1);
  for (const spec of sensors) {
    if ((byName.get(spec.name) ?? 0) > 1 && spec.name === spec.chip)
      spec.name = `${spec.chip}-${spec.address !== undefined ? spec.address.toString(16) : spec.rom ?? spec.pin ?? "x"}`;
  }
  const names = new Set<string>(), addresses = new Map<number, string>();
  for (const spec of sensors) {
    if (names.has(spec.name)) throw new TypeError(`config sensors: two sensors are named "${spec.name}"; name them (name=chip@address)`);
    names.add(spec.name);
    if (spec.address !== undefined) {
      const other = addresses.get(spec.address);
      if (other) throw new RangeError(`config sensors: ${other} and ${spec.name} both at I2C address 0x${spec.address.toString(16)}`);
      addresses.set(spec.address, spec.name);
    }
  }
  return { auto: false, sensors };
}
