/*
 * Shared set-up for the sensor drivers' unit tests: register-level chip
 * models (sim/devices) attached to the simulated I2C buses at places no
 * other test uses, with a clock the test can move, and the small awaitables
 * every driver test needs.
 */

import { simulatedI2CBus } from "../../sim/devices/board";
import type { I2CTarget } from "../../sim/devices/bus";
import { SimulatedI2C } from "../../sim/devices/i2c";
import type { SensorError } from "../../src/sensors/errors";
import type { Sample, SampleCallback } from "../../src/sensors/sensor";

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One sample(callback) as a promise of [error, sample]. */
export function sampleOnce<S extends Sample>(sensor: { sample(callback: SampleCallback<S>): void }): Promise<[SensorError | undefined, S | undefined]> {
  return new Promise((resolve) => sensor.sample((error, sample) => resolve([error, sample])));
}

/**
 * Fresh places on the simulated I2C buses: `perPort` addresses from
 * `firstAddress` on each of `ports` ports from `firstPort`. Every chip gets
 * its own, so tests never share a model.
 */
export function i2cPlaces(firstPort: number, firstAddress: number, perPort: number, ports = 10): () => { port: number; address: number } {
  let slot = 0;
  return () => {
    const index = slot++;
    if (index >= perPort * ports) throw new Error("test ran out of simulated I2C places");
    return { port: firstPort + Math.floor(index / perPort), address: firstAddress + (index % perPort) };
  };
}

/** A chip model with a clock the test sets (the models read `now()` for their conversion timing). */
export interface TimedModel extends I2CTarget {
  now: () => number;
}

/**
 * Attaches `model` at `place` with its clock at real time plus a skew that
 * `advance` adds to, or (frozen) only the skew, for exact timing. Gives the
 * bus options a driver takes and a raw I2C handle for poking registers.
 */
export function attachModel(place: { port: number; address: number }, model: TimedModel, { frozen = false } = {}) {
  const { port, address } = place;
  const clock = { skew: 0 };
  const base = Date.now();
  model.now = frozen ? () => base + clock.skew : () => Date.now() + clock.skew;
  simulatedI2CBus(port).attach(address, model);
  const bus = { io: SimulatedI2C, data: 21, clock: 22, port, address };
  const advance = (ms: number) => { clock.skew += ms; };
  const raw = new SimulatedI2C({ ...bus });
  const write16 = (register: number, value: number) => raw.write(Uint8Array.of(register, value >> 8, value & 0xff));
  return { port, address, bus, advance, raw, write16 };
}
