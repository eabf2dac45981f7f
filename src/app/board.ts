/*
 * What a host (hosts/<target>/board.ts, module "host/board") tells the
 * firmware about its board: the buses and pins sensors attach to. Each host
 * fills it from its ECMA-419 provider (`device`), its Moddable modules and
 * config; the simulators from the simulated board.
 */

import type { DigitalPinOptions, I2CBusOptions } from "embedded:provider/builtin";
import type { OneWireConstructor } from "../sensors/ds18b20";

/** A 1-Wire bus: Moddable's `onewire` class and its pin. */
export interface OneWireBusOptions {
  io: OneWireConstructor;
  pin: number;
}

/** An analog input: the ECMA-419 Analog class (what drivers use of it) and its pin. */
export interface AnalogBusOptions {
  io: new (options: { pin: number; resolution?: number }) => { read(): number; readonly resolution: number; close(): void };
  pin: number;
  resolution?: number;
}

export interface Board {
  /** Shown in logs. */
  readonly name: string;
  readonly i2c?: I2CBusOptions;
  readonly oneWire?: OneWireBusOptions;
  readonly analog?: AnalogBusOptions;
  readonly led?: DigitalPinOptions;
}
