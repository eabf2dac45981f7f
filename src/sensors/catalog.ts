/*
 * The chips this firmware reads, as configuration sees them: which bus each
 * sits on, the addresses its datasheet allows, what it measures. One entry
 * per chip family; the drivers live in one module each beside this file.
 */

export type BusKind = "i2c" | "onewire" | "analog";
export type Quantity = "temperature" | "humidity" | "pressure";

export interface ChipInfo {
  readonly bus: BusKind;
  /** I2C: the 7-bit addresses its address pins select, the power-up choice first. */
  readonly addresses?: readonly number[];
  readonly measures: readonly Quantity[];
  /** Decimals worth publishing per quantity: enough for the chip's resolution, no more. */
  readonly decimals: Readonly<Partial<Record<Quantity, number>>>;
  /** Datasheet section that gives the addresses. */
  readonly reference: string;
}

const chips = {
  tmp102: { bus: "i2c", addresses: [0x48, 0x49, 0x4a, 0x4b], measures: ["temperature"], decimals: { temperature: 4 }, reference: "TI SBOS397, 7.5.4.1 (ADD0)" },
  lm75: { bus: "i2c", addresses: [0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f], measures: ["temperature"], decimals: { temperature: 3 }, reference: "NXP LM75B, 7.3 (A2..A0)" },
  tmp117: { bus: "i2c", addresses: [0x48, 0x49, 0x4a, 0x4b], measures: ["temperature"], decimals: { temperature: 4 }, reference: "TI SNOSD82, 7.5.3.1 (ADD0)" },
  mcp9808: { bus: "i2c", addresses: [0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f], measures: ["temperature"], decimals: { temperature: 4 }, reference: "Microchip DS25095, Table 3-2 (A2..A0)" },
  sht3x: { bus: "i2c", addresses: [0x44, 0x45], measures: ["temperature", "humidity"], decimals: { temperature: 2, humidity: 2 }, reference: "Sensirion SHT3x-DIS, Table 7 (ADDR)" },
  sht4x: { bus: "i2c", addresses: [0x44, 0x45, 0x46], measures: ["temperature", "humidity"], decimals: { temperature: 2, humidity: 2 }, reference: "Sensirion SHT4x, 5.1 (SHT40-AD1B/BD1B/CD1B)" },
  bme280: { bus: "i2c", addresses: [0x76, 0x77], measures: ["temperature", "humidity", "pressure"], decimals: { temperature: 2, humidity: 2, pressure: 1 }, reference: "Bosch BST-BME280-DS002, 6.2 (SDO)" },
  ds18b20: { bus: "onewire", measures: ["temperature"], decimals: { temperature: 4 }, reference: "Maxim DS18B20, 64-bit lasered ROM (family 0x28)" },
  ntc: { bus: "analog", measures: ["temperature"], decimals: { temperature: 2 }, reference: "a thermistor in a divider on an ADC pin" },
} satisfies Record<string, ChipInfo>;

export type ChipName = keyof typeof chips;

export const CHIPS: Readonly<Record<ChipName, ChipInfo>> = Object.freeze(chips, true);

export function isChipName(name: string): name is ChipName {
  return Object.prototype.hasOwnProperty.call(CHIPS, name);
}

export const CHIP_NAMES: readonly ChipName[] = Object.freeze(Object.keys(chips) as ChipName[]);
