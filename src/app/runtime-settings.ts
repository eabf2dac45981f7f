/*
 * The settings that can change while the firmware runs, over MQTT
 * (<base>/config/set) or the `interval` command, as well as at build time:
 *
 *   interval                    sampling interval of every sensor, ms (100 to 86,400,000)
 *   readings.format             json ({value, unit, ts, seq}), plain (the number), or state (one JSON document)
 *   ha.discovery                true/false: Home Assistant discovery messages
 *   diagnostics.interval        ms between diagnostics messages; 0: only on request
 *   sensors.<name>.interval     one sensor's own sampling interval, ms
 *   sensors.<name>.filter       one sensor's filters, e.g. "median:5,delta:0.1,heartbeat:5m" (src/app/filters.ts)
 *
 * Everything else (broker, credentials, TLS, device id, topics, which sensors)
 * is set at build time only: changing it over MQTT could cut the device off.
 * A change is checked whole; one bad key changes nothing and the error names
 * the key. Build-time values arrive as strings (`mcconfig key=value`) and are
 * read the same way.
 */

import { formatFilter, parseFilter } from "./filters";

export type ReadingsFormat = "json" | "plain" | "state";

export interface SensorRuntime {
  /** Own sampling interval, ms, or undefined for the device's. */
  interval?: number;
  /** Filter text ("" for none), parsed by ./filters. */
  filter: string;
}

export interface RuntimeSettings {
  interval: number;
  format: ReadingsFormat;
  discovery: boolean;
  diagnosticsInterval: number;
  sensors: Record<string, SensorRuntime>;
}

/** Settings errors by key, for the reply on <base>/config/reply. */
export type SettingsErrors = Record<string, string>;

function integer(key: string, raw: unknown, min: number, max: number): number {
  const value = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${key} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

function boolean(key: string, raw: unknown): boolean {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new TypeError(`${key} must be true or false, not ${JSON.stringify(raw)}`);
}

const BUILD_TIME_ONLY = /^(broker|deviceId|clientId|topicPrefix|keepalive|sensors|mqtt\.|outbox\.|ha\.prefix|onewire\.|i2c\.|analog\.|ssid|password|version)/;

function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Applies `changes` to `current` (a copy is returned), checking each key.
 * Throws nothing: returns the new settings, or the errors by key.
 */
export function applySettings(current: RuntimeSettings, changes: Readonly<Record<string, unknown>>, sensorNames: readonly string[]):
  { settings: RuntimeSettings; errors?: undefined } | { settings?: undefined; errors: SettingsErrors } {
  // Keys come from the network: records without a prototype, so "__proto__" or "constructor" is just a name.
  const next: RuntimeSettings = { ...current, sensors: record<SensorRuntime>() };
  for (const name of sensorNames) next.sensors[name] = { ...(Object.hasOwn(current.sensors, name) ? current.sensors[name] : { filter: "" }) };
  const errors = record<string>();
  for (const [key, value] of Object.entries(changes)) {
    try {
      const sensor = /^sensors\.([^.]+)\.(interval|filter)$/.exec(key);
      if (key === "interval") next.interval = integer(key, value, 100, 86_400_000);
      else if (key === "readings.format") {
        if (value !== "json" && value !== "plain" && value !== "state") throw new TypeError(`${key} must be "json", "plain" or "state", not ${JSON.stringify(value)}`);
        next.format = value;
      }
      else if (key === "ha.discovery") next.discovery = boolean(key, value);
      else if (key === "diagnostics.interval") next.diagnosticsInterval = value === 0 || value === "0" ? 0 : integer(key, value, 1000, 86_400_000);
      else if (sensor) {
        const [, name, field] = sensor;
        const target = sensorNames.includes(name) ? next.sensors[name] : undefined;
        if (!target) throw new TypeError(`${key}: there is no sensor named "${name}" (sensors: ${sensorNames.join(", ")})`);
        if (field === "interval") target.interval = value === null || value === "" ? undefined : integer(key, value, 100, 86_400_000);
        else {
          if (typeof value !== "string") throw new TypeError(`${key} must be a string like "median:5,delta:0.1", not ${JSON.stringify(value)}`);
          target.filter = formatFilter(parseFilter(key, value));
        }
      }
      else if (BUILD_TIME_ONLY.test(key)) throw new TypeError(`${key} can only be set at build time (mcconfig ${key}=...): changing it over MQTT could cut the device off`);
      else throw new TypeError(`unknown setting ${key}; these can change at run time: interval, readings.format, ha.discovery, diagnostics.interval, sensors.<name>.interval, sensors.<name>.filter`);
    }
    catch (error) {
      errors[key] = (error as Error).message;
    }
  }
  // Plain objects out: spreading defines own properties, never calling a "__proto__" setter.
  return Object.keys(errors).length ? { errors: { ...errors } } : { settings: { ...next, sensors: { ...next.sensors } } };
}

/** The runtime settings from build-time config: the defaults and `mcconfig` overrides. */
export function runtimeSettingsFrom(config: Readonly<Record<string, unknown>>, sensorNames: readonly string[]): RuntimeSettings {
  const defaults: RuntimeSettings = { interval: 5000, format: "json", discovery: true, diagnosticsInterval: 300_000, sensors: {} };
  for (const name of sensorNames) defaults.sensors[name] = { filter: "" };
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "interval" || key === "readings.format" || key === "ha.discovery" || key === "diagnostics.interval" || /^sensors\.[^.]+\.(interval|filter)$/.test(key)) changes[key] = value;
  }
  const result = applySettings(defaults, changes, sensorNames);
  if (result.errors) {
    const [key, message] = Object.entries(result.errors)[0];
    throw new TypeError(`config ${key === message.slice(0, key.length) ? message : `${key}: ${message}`}`);
  }
  return result.settings;
}

/** The settings as key/value pairs, the form <base>/config shows and config/set takes. */
export function settingsAsConfig(settings: RuntimeSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "interval": settings.interval, "readings.format": settings.format,
    "ha.discovery": settings.discovery, "diagnostics.interval": settings.diagnosticsInterval,
  };
  for (const [name, sensor] of Object.entries(settings.sensors)) {
    if (sensor.interval !== undefined) out[`sensors.${name}.interval`] = sensor.interval;
    if (sensor.filter) out[`sensors.${name}.filter`] = sensor.filter;
  }
  return out;
}
