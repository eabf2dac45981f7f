/*
 * The simulated board: which simulated chips sit on which bus, and the knobs
 * a test or `npm start` turns (the scenario a chip measures).
 *
 * Built on first use, never at module load: the Moddable simulator preloads
 * modules into read-only memory.
 */

import { SimulatedI2CBus } from "./bus";
import { roomTemperature } from "./scenario";
import { TMP102Model } from "./tmp102";

export interface SimulatedBoard {
  readonly i2c: SimulatedI2CBus[];
  readonly tmp102: TMP102Model;
  /** When set, the temperature every thermometer measures instead of the scenario's. */
  temperatureOverride: number | undefined;
}

/** I2C address of the board's TMP102 (ADD0 to ground, TMP102 datasheet 7.3.4). */
export const BOARD_TMP102_ADDRESS = 0x48;

let board: SimulatedBoard | undefined;

function build(): SimulatedBoard {
  const scenario = roomTemperature();
  const i2c = [new SimulatedI2CBus()];
  const built: SimulatedBoard = {
    i2c,
    tmp102: new TMP102Model({ temperature: () => built.temperatureOverride ?? scenario(Date.now()) }),
    temperatureOverride: undefined,
  };
  i2c[0].attach(BOARD_TMP102_ADDRESS, built.tmp102);
  return built;
}

/** The simulated board, wired on first call. */
export function simulatedBoard(): SimulatedBoard {
  return (board ??= build());
}

/** The simulated bus on `port`; ports the board does not have are empty buses. */
export function simulatedI2CBus(port = 0): SimulatedI2CBus {
  const buses = simulatedBoard().i2c;
  return (buses[port] ??= new SimulatedI2CBus());
}
