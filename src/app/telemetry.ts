/*
 * The telemetry loop: sample the thermometer every interval and publish the
 * reading at QoS 1. (Availability, the retained "online" birth and "offline"
 * Will on the status topic, is the client's: see main.ts.)
 *
 * Knows nothing of the socket or the chip: it gets a client, a sampler and
 * timers, so tests drive it on a virtual clock.
 */

import type { MQTTClient } from "../mqtt/client";
import type { TimerHandle, Timers } from "../mqtt/timers";

export interface Thermometer {
  sample(): { temperature: number } | undefined;
}

export interface TelemetryTopics {
  temperature: string;
  status: string;
}

export interface TelemetryOptions {
  client: MQTTClient;
  thermometer: Thermometer;
  timers: Timers;
  topics: TelemetryTopics;
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

  /** Takes the first reading now (it waits in the outbox until connected), then one every interval. */
  start(): void {
    this.#sample();
    this.#schedule();
  }

  stop(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#options.timers.set(() => {
      this.#sample();
      this.#schedule();
    }, this.#options.interval);
  }

  #sample(): void {
    const { client, thermometer, topics, log, wallClock } = this.#options;
    const reading = thermometer.sample();
    if (!reading) return; // the driver reported the fault through onError
    const seq = ++this.#seq;
    const payload = JSON.stringify({ value: reading.temperature, unit: "°C", ts: wallClock(), seq });
    client.publish(topics.temperature, payload, { qos: 1 })
      .catch((error: Error) => log(`reading ${seq} not published: ${error.message}`));
  }
}
