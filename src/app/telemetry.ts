/*
 * The telemetry loop: each sensor sampled at its interval, its readings
 * passed through its filters and published at QoS 1 in the configured
 * format; a sensor that fails is marked offline on its availability topic,
 * its fault published on its error topic, and it is retried at its next
 * interval while the others carry on. (The device's own availability, the
 * retained "online"/"offline" on <base>/status, is the MQTT client's birth
 * and Will: see main.ts.)
 *
 * Knows nothing of sockets or chips: it gets a client, sensor slots, the
 * runtime settings and timers, so tests drive it on a virtual clock.
 */

import type { MQTTClient } from "../mqtt/client";
import type { TimerHandle, Timers } from "../mqtt/timers";
import type { SensorError } from "../sensors/errors";
import { parseFilter, ReadingFilter } from "./filters";
import type { RuntimeSettings } from "./runtime-settings";
import type { Readings } from "./sensors";
import type { Topics } from "./topics";

export type Quantity = keyof Readings;

export const UNITS: Readonly<Record<Quantity, string>> = Object.freeze({ temperature: "°C", humidity: "%", pressure: "Pa" });
const QUANTITIES = Object.freeze(Object.keys(UNITS) as Quantity[]);

/** What the loop needs of a sensor (SensorSlot has it). */
export interface SampledSensor {
  readonly name: string;
  sample(callback: (error: SensorError | undefined, readings: Readings | undefined) => void): void;
}

/** When a reading was taken: real time once the clock is synced, else time since boot, marked as such. */
export type Stamp = { ts: number } | { uptime: number };

export interface TelemetryOptions {
  client: MQTTClient;
  sensors: readonly SampledSensor[];
  timers: Timers;
  topics: Topics;
  settings: () => RuntimeSettings;
  stamp: () => Stamp;
  log: (line: string) => void;
}

interface SensorState {
  timer: TimerHandle | undefined;
  available: boolean | undefined;
  lastFault: string | undefined;
  filters: Map<Quantity, ReadingFilter>;
  filterText: string | undefined;
  /** The latest published value of each quantity, for the state document. */
  latest: Partial<Record<Quantity, number>>;
}

export class Telemetry {
  readonly #options: TelemetryOptions;
  readonly #state = new Map<string, SensorState>();
  #seq = 0;
  #running = false;

  constructor(options: TelemetryOptions) {
    this.#options = options;
    for (const sensor of options.sensors) {
      this.#state.set(sensor.name, { timer: undefined, available: undefined, lastFault: undefined, filters: new Map(), filterText: undefined, latest: {} });
    }
  }

  /** Takes the first readings now (they wait in the outbox until connected), then each sensor at its interval. */
  start(): void {
    this.#running = true;
    for (const sensor of this.#options.sensors) this.#sampleAndSchedule(sensor);
  }

  stop(): void {
    this.#running = false;
    for (const state of this.#state.values()) this.#options.timers.clear(state.timer);
  }

  /** The intervals or filters changed: each sensor's next sample follows its new interval. */
  reschedule(): void {
    if (!this.#running) return;
    for (const sensor of this.#options.sensors) {
      const state = this.#state.get(sensor.name)!;
      this.#options.timers.clear(state.timer);
      state.timer = this.#options.timers.set(() => this.#sampleAndSchedule(sensor), this.#interval(sensor.name));
    }
  }

  /** Samples now (one sensor, or all) and publishes as usual; calls back with what each gave. */
  sampleNow(only: string | undefined, done: (results: Record<string, Readings | { error: string }>) => void): void {
    const sensors = this.#options.sensors.filter((sensor) => only === undefined || sensor.name === only);
    const results: Record<string, Readings | { error: string }> = {};
    let left = sensors.length;
    if (left === 0) return done(results);
    for (const sensor of sensors) {
      this.#sample(sensor, (readings, error) => {
        results[sensor.name] = readings ?? { error: error?.message ?? "no reading" };
        if (--left === 0) done(results);
      });
    }
  }

  /** Republishes each sensor's availability (retained), e.g. after the broker lost its retained messages. */
  announce(): void {
    for (const [name, state] of this.#state) {
      if (state.available !== undefined) this.#publish(this.#options.topics.sensorAvailability(name), state.available ? "online" : "offline", true);
    }
  }

  #interval(name: string): number {
    const settings = this.#options.settings();
    return settings.sensors[name]?.interval ?? settings.interval;
  }

  #sampleAndSchedule(sensor: SampledSensor): void {
    if (!this.#running) return;
    const state = this.#state.get(sensor.name)!;
    state.timer = this.#options.timers.set(() => this.#sampleAndSchedule(sensor), this.#interval(sensor.name));
    this.#sample(sensor);
  }

  #sample(sensor: SampledSensor, done?: (readings: Readings | undefined, error: SensorError | undefined) => void): void {
    const stamp = this.#options.stamp();
    sensor.sample((error, readings) => {
      if (error || !readings) this.#failed(sensor.name, stamp, error);
      else this.#publishReadings(sensor.name, readings, stamp);
      done?.(readings, error);
    });
  }

  #failed(name: string, stamp: Stamp, error: SensorError | undefined): void {
    const state = this.#state.get(name)!;
    const reason = error?.reason ?? "bus";
    const message = error?.message ?? "no reading";
    if (state.lastFault !== `${reason}:${message}`) {
      // Once per fault, not at every retry: the availability says it is still failing.
      this.#options.log(`sensor ${name}: ${message}`);
      this.#publish(this.#options.topics.sensorError(name), JSON.stringify({ reason, message, ...stamp }), false);
      state.lastFault = `${reason}:${message}`;
    }
    if (state.available !== false) {
      state.available = false;
      this.#publish(this.#options.topics.sensorAvailability(name), "offline", true);
    }
    // The chip may come back reset: start its filters afresh.
    for (const filter of state.filters.values()) filter.reset();
  }

  #publishReadings(name: string, readings: Readings, stamp: Stamp): void {
    const state = this.#state.get(name)!;
    const { topics } = this.#options;
    if (state.available !== true) {
      if (state.lastFault) this.#options.log(`sensor ${name}: answering again`);
      state.available = true;
      state.lastFault = undefined;
      this.#publish(topics.sensorAvailability(name), "online", true);
    }
    const settings = this.#options.settings();
    const filterText = settings.sensors[name]?.filter ?? "";
    if (filterText !== state.filterText) {
      state.filterText = filterText;
      state.filters.clear();
    }
    let published = false;
    for (const quantity of QUANTITIES) {
      const raw = readings[quantity];
      if (raw === undefined) continue;
      let filter = state.filters.get(quantity);
      if (!filter) state.filters.set(quantity, filter = new ReadingFilter(parseFilter(`sensors.${name}.filter`, filterText), () => this.#options.timers.now()));
      const value = filter.offer(raw);
      if (value === undefined) continue;
      state.latest[quantity] = value;
      published = true;
      if (settings.format === "state") continue;
      const seq = ++this.#seq;
      const payload = settings.format === "plain" ? String(value) : JSON.stringify({ value, unit: UNITS[quantity], ...stamp, seq });
      this.#publish(topics.reading(name, quantity), payload, false, seq);
    }
    if (published && settings.format === "state") {
      const sensors: Record<string, Partial<Record<Quantity, number>>> = {};
      for (const [sensor, each] of this.#state) if (Object.keys(each.latest).length) sensors[sensor] = each.latest;
      const seq = ++this.#seq;
      this.#publish(topics.state, JSON.stringify({ ...stamp, seq, sensors }), false, seq);
    }
  }

  #publish(topic: string, payload: string, retain: boolean, seq?: number): void {
    this.#options.client.publish(topic, payload, { qos: 1, retain })
      .catch((failure: Error) => this.#options.log(`${seq === undefined ? topic : `reading ${seq}`} not published: ${failure.message}`));
  }
}
