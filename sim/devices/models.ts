/*
 * Simulated chip models by chip name, for the simulated board: each makes a
 * model measuring the board's environment. (Chip names as in
 * src/sensors/catalog.ts.)
 */

import type { I2CTarget } from "./bus";
import type { SimulatedChip } from "./chip";
import type { Environment } from "./environment";
import type { OneWireDevice } from "./onewire-bus";
import type { AnalogSource } from "./analog";
import { BME280Model } from "./bme280";
import { DS18B20Model } from "./ds18b20";
import { LM75Model } from "./lm75";
import { MCP9808Model } from "./mcp9808";
import { NTCModel } from "./ntc";
import { SHT3xModel } from "./sht3x";
import { SHT4xModel } from "./sht4x";
import { TMP102Model } from "./tmp102";
import { TMP117Model } from "./tmp117";

export type ChipModel =
  | { bus: "i2c"; chip: SimulatedChip & I2CTarget }
  | { bus: "onewire"; chip: SimulatedChip & OneWireDevice }
  | { bus: "analog"; chip: SimulatedChip & AnalogSource };

/** What a placement may tell a model (e.g. a DS18B20's ROM code). */
export interface ModelOptions {
  address?: number;
  rom?: string;
}

export const MODELS: Readonly<Record<string, (environment: Environment, options: ModelOptions) => ChipModel>> = Object.freeze({
  tmp102: (environment) => ({ bus: "i2c", chip: new TMP102Model(environment) }),
  tmp117: (environment) => ({ bus: "i2c", chip: new TMP117Model(environment) }),
  lm75: (environment) => ({ bus: "i2c", chip: new LM75Model(environment) }),
  mcp9808: (environment) => ({ bus: "i2c", chip: new MCP9808Model(environment) }),
  bme280: (environment) => ({ bus: "i2c", chip: new BME280Model(environment) }),
  ds18b20: (environment, options) => ({ bus: "onewire", chip: new DS18B20Model(environment, { rom: options.rom }) }),
  ntc: (environment) => ({ bus: "analog", chip: new NTCModel(environment) }),
  sht3x: (environment, options) => ({ bus: "i2c", chip: new SHT3xModel(environment, { address: options.address }) }),
  sht4x: (environment, options) => ({ bus: "i2c", chip: new SHT4xModel(environment, { address: options.address }) }),
});
