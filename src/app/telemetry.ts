/*
 * The telemetry loop: every interval, sample each sensor and publish each
 * quantity it measured at QoS 1 as `{value, unit, ts, seq}`. A sensor that
 * fails is logged and counted, and retried at the next interval; the others
 * keep publishing. (Availability, the retained "online" birth and "offline"
 * Will on the status topic, is the client's: see main.ts.)
 *
 * Knows nothing of the socket or the chips: it gets a client, sensor slots
 * and timers, so tests drive it on a virtual clock.
 */

import type { MQTTClient } from "../mqtt/client";
import type { TimerHandle, Timers } from "../mqtt/timers";
import type { Readings } from "./sensors";
import type { SensorError } from "../sensors/errors";

export type Quantity = keyof Readings;

export const UNITS: Readonly<Record<Quantity, string>> = Object.freeze({ temperature: "°C", humidity: "%", pressure: "Pa" });

/** What the loop needs of a sensor (SensorSlot has it). */
export interface SampledSensor {
  readonly name: string;
  sample(callback: (error: SensorError | undefined, readings: Readings | undefined) => void): void;
}

export interface TelemetryOptions {
  client: MQTTClient;
  sensors: readonly SampledSensor[];
  timers: Timers;
  /** Topic of a sensor's quantity. */
  topic: (sensor: string, quantity: Quantity) => string;
  /** Sampling interval, ms. */
  interval: number;
  /** Wall-clock time for the reading's `ts`, ms since the epoch. */
  wallClock: () => number;
  log: (line: string) => void;
}

export class Telemetry {
  readonly #options: TelemetryOptions;
  #seq = 0;
  #timer: TimerHandle | undefined;

  constructor(options: TelemetryOptions) {
    this.#options = options;
  }

  /** Takes the first readings now (they wait in the outbox until connected), then every interval. */
  start(): void {
    this.#sampleAll();
    this.#schedule();
  }

  stop(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#options.timers.set(() => {
      this.#sampleAll();
      this.#schedule();
    }, this.#options.interval);
  }

  #sampleAll(): void {
    const { client, sensors, topic, log, wallClock } = this.#options;
    for (const sensor of sensors) {
      const ts = wallClock();
      sensor.sample((error, readings) => {
        if (error || !readings) {
          log(`sensor ${sensor.name}: ${error?.message ?? "no reading"}`);
          return;
        }
        for (const quantity of Object.keys(UNITS) as Quantity[]) {
          const value = readings[quantity];
          if (value === undefined) continue;
          const seq = ++this.#seq;
          const payload = JSON.stringify({ value, unit: UNITS[quantity], ts, seq });
          client.publish(topic(sensor.name, quantity), payload, { qos: 1 })
            .catch((failure: Error) => log(`reading ${seq} not published: ${failure.message}`));
        }
      });
    }
  }
}
