/*
 * Options of `npm start`. Both spellings work:
 *
 *   npm start -- --duration 10s --host xs
 *   npm start --duration 10s --host xs
 *
 * In the second, npm keeps `--duration` for itself (as npm_config_duration=true)
 * and hands `10s` to the script as a bare argument, losing the pairing (npm
 * also rewrites its own process title, so it cannot be read back). Values are
 * matched to such options by their shape; when two could match (--duration
 * and --interval), the `--` form is required.
 */

import type { HostName } from "../sim/launch";

export interface StartOptions {
  /** External broker, or undefined for the embedded one. */
  broker: URL | undefined;
  host: HostName;
  /** Stop after this many ms; undefined runs until Ctrl-C. */
  duration: number | undefined;
  /** Sampling interval override, ms. */
  interval: number | undefined;
  /** Other config overrides (--set key=value). */
  set: Record<string, string>;
  help: boolean;
}

export const USAGE = `usage: npm start -- [options]

Runs the firmware in the simulator with a simulated TMP102 and an embedded
MQTT broker (aedes), and prints every reading the broker receives.

  --broker mqtt://HOST:PORT   use this broker instead of the embedded one (HOST: a name or an IPv4 address)
  --host node|xs              run on the Node host (default) or the XS engine
  --duration TIME             stop after TIME (e.g. 10s, 2m, 500ms); default: until Ctrl-C
  --interval TIME             sampling interval (default: manifest config, 5s)
  --set KEY=VALUE             any other firmware config key (repeatable)
  --help                      this text`;

export class UsageError extends Error {}

const VALUE_OPTIONS = ["broker", "host", "duration", "interval", "set"] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

const SHAPES: Record<ValueOption, RegExp> = {
  broker: /^mqtts?:\/\//,
  host: /^(node|xs)$/,
  duration: /^\d+(\.\d+)?(ms|s|m|h)?$/,
  interval: /^\d+(\.\d+)?(ms|s|m|h)?$/,
  set: /^[^=]+=/,
};

/** Parses "10s", "500ms", "2m", "1h" or plain seconds into ms. */
export function parseTime(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new UsageError(`--${option} ${JSON.stringify(text)} is not a time like 10s, 500ms or 2m`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h" ?? "s"];
  const ms = Math.round(Number(match[1]) * scale);
  if (ms <= 0) throw new UsageError(`--${option} must be longer than 0`);
  return ms;
}

export function parseBrokerURL(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  }
  catch {
    throw new UsageError(`--broker ${JSON.stringify(text)} is not a URL like mqtt://broker.lan:1883 or mqtt://192.168.1.10:1883`);
  }
  if (url.protocol === "mqtts:") throw new UsageError(`--broker ${JSON.stringify(text)}: npm start takes only mqtt:// brokers; for mqtts:// give the firmware the TLS keys of docs/tls.md in a device build`);
  if (url.protocol !== "mqtt:") throw new UsageError(`--broker ${JSON.stringify(text)}: npm start takes only mqtt:// brokers`);
  if (!url.hostname) throw new UsageError(`--broker ${JSON.stringify(text)} has no host`);
  if (url.pathname && url.pathname !== "/") throw new UsageError(`--broker ${JSON.stringify(text)} must not have a path`);
  return url;
}

export function parseStartArgs(argv: string[], env: Record<string, string | undefined> = {}): StartOptions {
  const raw: Partial<Record<ValueOption, string[]>> = {};
  let help = false;
  const bare: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") { help = true; continue; }
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (!(VALUE_OPTIONS as readonly string[]).includes(name)) throw new UsageError(`unknown option ${arg} (try --help)`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value (try --help)`);
      (raw[name as ValueOption] ??= []).push(value);
      continue;
    }
    bare.push(arg);
  }
  // Options npm swallowed: npm_config_<name>=true, their values among the bare arguments.
  if (env.npm_config_help === "true") help = true;
  const swallowed = VALUE_OPTIONS.filter((name) => env[`npm_config_${name}`] === "true");
  for (const value of bare) {
    const owners = swallowed.filter((name) => SHAPES[name].test(value) && !(raw[name]?.length && name !== "set"));
    if (owners.length !== 1) {
      throw new UsageError(owners.length === 0
        ? `unexpected argument ${JSON.stringify(value)} (try --help)`
        : `cannot tell which option ${JSON.stringify(value)} belongs to: npm keeps options before "--" for itself; write npm start -- ${swallowed.map((name) => `--${name} VALUE`).join(" ")}`);
    }
    (raw[owners[0]] ??= []).push(value);
  }
  for (const name of swallowed) if (!raw[name]?.length) throw new UsageError(`--${name} needs a value (try --help)`);
  for (const name of VALUE_OPTIONS) if (name !== "set" && (raw[name]?.length ?? 0) > 1) throw new UsageError(`--${name} given twice`);

  const host = raw.host?.[0] ?? "node";
  if (host !== "node" && host !== "xs") throw new UsageError(`--host must be node or xs, not ${JSON.stringify(host)}`);
  const set: Record<string, string> = {};
  for (const pair of raw.set ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--set ${JSON.stringify(pair)} must be KEY=VALUE`);
    set[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    broker: raw.broker ? parseBrokerURL(raw.broker[0]) : undefined,
    host,
    duration: raw.duration ? parseTime("duration", raw.duration[0]) : undefined,
    interval: raw.interval ? parseTime("interval", raw.interval[0]) : undefined,
    set,
    help,
  };
}
