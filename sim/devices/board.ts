/*
 * The simulated board: which simulated chips sit on which bus, and the
 * environment they measure. The host describes the board once, before the
 * firmware opens a bus (`configureBoard`, from the firmware's `sensors`
 * config, so the simulator has what the firmware expects); without that it
 * has one TMP102 at 0x48. Tests and the hosts' control channels reach chips
 * by name to inject faults.
 *
 * Built on first use, never at module load: the Moddable simulator preloads
 * modules into read-only memory.
 */

import type { AnalogSource } from "./analog";
import { SimulatedI2CBus } from "./bus";
import type { SimulatedChip } from "./chip";
import { Environment } from "./environment";
import { MODELS } from "./models";
import { SimulatedOneWireBus } from "./onewire-bus";

/** A chip on the board. */
export interface Placement {
  /** A name to reach it by (the firmware's sensor name). */
  name: string;
  /** Chip name, as in src/sensors/catalog.ts. */
  chip: string;
  /** I2C chips. */
  address?: number;
  port?: number;
  /** 1-Wire and analog chips. */
  pin?: number;
  rom?: string;
}

/** Pins of the simulated board's 1-Wire bus and analog input (an ESP32 DevKit's usual choices). */
export const BOARD_ONEWIRE_PIN = 4;
export const BOARD_ANALOG_PIN = 34;

export interface SimulatedBoard {
  readonly environment: Environment;
  readonly i2c: SimulatedI2CBus[];
  readonly oneWire: Map<number, SimulatedOneWireBus>;
  readonly analog: Map<number, AnalogSource>;
  /** Chips by placement name. */
  readonly chips: Map<string, SimulatedChip>;
  /** Whether the board's wall clock counts as set (a board before SNTP answers: false). */
  readonly clock: { synced: boolean };
}

const DEFAULT_BOARD: readonly Placement[] = Object.freeze([Object.freeze({ name: "tmp102", chip: "tmp102", address: 0x48 })]);

let placements: readonly Placement[] | undefined;
let board: SimulatedBoard | undefined;

/** Describes the board; call before the firmware opens a bus. */
export function configureBoard(list: readonly Placement[]): void {
  if (board) throw new Error("the simulated board is already built; configure it before the firmware starts");
  placements = list;
}

function build(): SimulatedBoard {
  const built: SimulatedBoard = { environment: new Environment(), i2c: [], oneWire: new Map(), analog: new Map(), chips: new Map(), clock: { synced: true } };
  let serial = 0x5eed00;
  for (const placement of placements ?? DEFAULT_BOARD) {
    const make = MODELS[placement.chip];
    if (!make) throw new Error(`the simulated board has no model of a ${placement.chip} (${placement.name})`);
    // 1-Wire chips without a ROM code in the setting each get a distinct one (12 hex digits of serial).
    const model = make(built.environment, { address: placement.address, rom: placement.rom ?? (serial++).toString(16).padStart(12, "0") });
    if (model.bus === "i2c") {
      const port = placement.port ?? 0;
      (built.i2c[port] ??= new SimulatedI2CBus()).attach(placement.address!, model.chip);
    }
    else if (model.bus === "onewire") {
      const pin = placement.pin ?? BOARD_ONEWIRE_PIN;
      let bus = built.oneWire.get(pin);
      if (!bus) built.oneWire.set(pin, bus = new SimulatedOneWireBus());
      bus.attach(model.chip);
    }
    else built.analog.set(placement.pin ?? BOARD_ANALOG_PIN, model.chip);
    built.chips.set(placement.name, model.chip);
  }
  return built;
}

/** The simulated board, built on first call. */
export function simulatedBoard(): SimulatedBoard {
  return (board ??= build());
}

/** The 1-Wire bus on `pin`; pins the board does not use are empty buses. */
export function oneWireBus(pin: number): SimulatedOneWireBus {
  const buses = simulatedBoard().oneWire;
  let bus = buses.get(pin);
  if (!bus) buses.set(pin, bus = new SimulatedOneWireBus());
  return bus;
}

/** What drives analog `pin`, if anything. */
export function analogSource(pin: number): AnalogSource | undefined {
  return simulatedBoard().analog.get(pin);
}

/** The simulated bus on `port`; ports the board does not have are empty buses. */
export function simulatedI2CBus(port = 0): SimulatedI2CBus {
  const buses = simulatedBoard().i2c;
  return (buses[port] ??= new SimulatedI2CBus());
}
