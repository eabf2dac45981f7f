/*
 * The configured sensors, each in a slot that owns its driver: a slot opens
 * its driver on first use and again after a failure, so a chip that was
 * absent at boot, or stopped answering, is retried at every sample while the
 * others carry on. Faults come back to the caller with the sensor's name;
 * the slot counts them.
 *
 * Which driver a chip gets, and on which of the board's buses, is decided
 * here (FACTORIES): the one place that knows both the catalogue and the
 * drivers.
 */

import { SensorError } from "../sensors/errors";
import { quantities, type Sample, type Sensor } from "../sensors/sensor";
import BME280 from "../sensors/bme280";
import DS18B20 from "../sensors/ds18b20";
import LM75 from "../sensors/lm75";
import MCP9808 from "../sensors/mcp9808";
import NTC from "../sensors/ntc";
import SHT3x from "../sensors/sht3x";
import SHT4x from "../sensors/sht4x";
import TMP102 from "../sensors/tmp102";
import TMP117 from "../sensors/tmp117";
import { type ChipName, CHIPS } from "../sensors/catalog";
import type { Board } from "./board";
import type { SensorSpec } from "./sensor-config";

export type Readings = ReturnType<typeof quantities>;

function round(value: number, decimals = 2): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

type Factory = (spec: SensorSpec, board: Board) => Sensor;

/** The board's bus a chip needs, or a configuration error naming both. */
function need<K extends "i2c" | "oneWire" | "analog">(board: Board, bus: K, spec: SensorSpec): NonNullable<Board[K]> {
  const found = board[bus];
  if (!found) throw new TypeError(`config sensors: ${spec.name} (${spec.chip}) needs ${bus === "i2c" ? "an I2C bus" : bus === "oneWire" ? "a 1-Wire bus" : "an analog input"}, and this board (${board.name}) has none`);
  return found as NonNullable<Board[K]>;
}

const FACTORIES: Readonly<Partial<Record<ChipName, Factory>>> = Object.freeze({
  tmp102: (spec, board) => new TMP102({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  tmp117: (spec, board) => new TMP117({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  lm75: (spec, board) => new LM75({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  mcp9808: (spec, board) => new MCP9808({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  bme280: (spec, board) => new BME280({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  sht3x: (spec, board) => new SHT3x({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  sht4x: (spec, board) => new SHT4x({ sensor: { ...need(board, "i2c", spec), address: spec.address } }),
  ds18b20: (spec, board) => new DS18B20({ sensor: { ...need(board, "oneWire", spec), rom: spec.rom } }),
  ntc: (spec, board) => {
    const analog = need(board, "analog", spec);
    return new NTC({ sensor: { ...analog, pin: spec.pin ?? analog.pin } });
  },
});

/** Checks that every configured chip has a driver and its bus exists; throws naming the sensor otherwise. */
export function checkSensors(specs: readonly SensorSpec[], board: Board): void {
  for (const spec of specs) {
    if (!FACTORIES[spec.chip]) throw new TypeError(`config sensors: ${spec.name}: this firmware has no ${spec.chip} driver yet`);
    need(board, spec.chip === "ds18b20" ? "oneWire" : spec.chip === "ntc" ? "analog" : "i2c", spec);
  }
}

export class SensorSlot {
  readonly spec: SensorSpec;
  /** Faults since boot. */
  errors = 0;
  /** The last fault, until a sample succeeds. */
  lastError: SensorError | undefined;
  readonly #board: Board;
  #driver: Sensor | undefined;

  constructor(spec: SensorSpec, board: Board) {
    this.spec = spec;
    this.#board = board;
  }

  get name(): string {
    return this.spec.name;
  }

  /** A fresh sample as readings by quantity, or the fault. Opens (or reopens) the driver first. */
  sample(callback: (error: SensorError | undefined, readings: Readings | undefined) => void): void {
    let driver = this.#driver;
    if (!driver) {
      try {
        driver = this.#driver = FACTORIES[this.spec.chip]!(this.spec, this.#board);
      }
      catch (error) {
        this.#failed(error instanceof SensorError ? error : new SensorError(this.spec.chip, "absent", "cannot open the sensor", error), callback);
        return;
      }
    }
    driver.sample((error: SensorError | undefined, sample: Sample | undefined) => {
      if (error || !sample) {
        this.#failed(error ?? new SensorError(this.spec.chip, "bus", "no sample"), callback);
        return;
      }
      this.lastError = undefined;
      callback(undefined, this.#rounded(quantities(sample)));
    });
  }

  /** Readings to the decimals the chip resolves (catalog), so 21.5206153 is published as 21.52. */
  #rounded(readings: Readings): Readings {
    const decimals = CHIPS[this.spec.chip].decimals;
    const out: Readings = { temperature: round(readings.temperature, decimals.temperature) };
    if (readings.humidity !== undefined) out.humidity = round(readings.humidity, decimals.humidity);
    if (readings.pressure !== undefined) out.pressure = round(readings.pressure, decimals.pressure);
    return out;
  }

  close(): void {
    this.#driver?.close();
    this.#driver = undefined;
  }

  #failed(error: SensorError, callback: (error: SensorError, readings: undefined) => void): void {
    this.errors++;
    this.lastError = error;
    // A chip that vanished is opened afresh next time (it may be back, or reset to power-up state).
    if (error.reason === "absent" || error.reason === "bus") this.close();
    callback(error, undefined);
  }
}
