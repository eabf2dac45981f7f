/*
 * The shape every driver here has: the ECMA-419 Sensor Class Pattern
 * (constructor(options) with `options.sensor` carrying the bus, `configure`,
 * `sample`, `close`), with the pattern's asynchronous form of `sample` for
 * chips whose conversion takes time:
 *
 *   sensor.sample()            the latest reading, now (chips that convert
 *                              on their own); undefined after reporting a
 *                              fault to onError
 *   sensor.sample(callback)    a fresh reading: callback(error, sample) once
 *                              the chip has converted, on a timer, never
 *                              blocking (every chip)
 *
 * Samples use the SDK drivers' shapes and SI-style units: `{temperature}`
 * in degrees Celsius for a thermometer; `{thermometer: {temperature},
 * hygrometer: {humidity}, barometer: {pressure}}` (percent, pascal) for
 * combined sensors.
 */

import type { SensorError } from "./errors";

export interface ThermometerSample {
  temperature: number;
}

export interface CombinedSample {
  thermometer: ThermometerSample;
  hygrometer?: { humidity: number };
  barometer?: { pressure: number };
}

export type Sample = ThermometerSample | CombinedSample;

export type SampleCallback<S extends Sample = Sample> = (error: SensorError | undefined, sample: S | undefined) => void;

export interface Sensor<S extends Sample = Sample> {
  configure(options: object): void;
  /** A fresh reading through `callback`; chips that convert on their own also answer synchronously. */
  sample(callback: SampleCallback<S>): void;
  close(): void;
}

/** Readings of a sample by quantity, whatever its shape. */
export function quantities(sample: Sample): { temperature: number; humidity?: number; pressure?: number } {
  if ("temperature" in sample) return { temperature: sample.temperature };
  return { temperature: sample.thermometer.temperature, humidity: sample.hygrometer?.humidity, pressure: sample.barometer?.pressure };
}
