/*
 * The simulated world the chips measure: temperature, relative humidity and
 * air pressure as functions of time, a room over a day unless a test or the
 * host's control channel overrides a quantity.
 */

import { roomTemperature } from "./scenario";

export type Quantity = "temperature" | "humidity" | "pressure";

const DAY_MS = 86_400_000;

export class Environment {
  readonly #temperature = roomTemperature();
  readonly #overrides: Partial<Record<Quantity, number>> = {};

  /** Degrees Celsius. */
  temperature(now: number): number {
    return this.#overrides.temperature ?? this.#temperature(now);
  }

  /** Percent relative humidity: drier when warmer, around 45 %. */
  humidity(now: number): number {
    return this.#overrides.humidity ?? Math.max(0, Math.min(100, 45 - 2 * (this.#temperature(now) - 21) + 3 * Math.sin(2 * Math.PI * now / 5_400_000)));
  }

  /** Pascal: a slow weather swing around 1013.25 hPa. */
  pressure(now: number): number {
    return this.#overrides.pressure ?? 101_325 + 600 * Math.sin(2 * Math.PI * now / (3 * DAY_MS)) + 20 * Math.sin(2 * Math.PI * now / 600_000);
  }

  /** Fixes a quantity (undefined: back to the scenario). */
  override(quantity: Quantity, value: number | undefined): void {
    if (value === undefined) delete this.#overrides[quantity];
    else this.#overrides[quantity] = value;
  }
}
