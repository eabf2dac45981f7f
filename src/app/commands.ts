/*
 * Commands to the device, JSON on <base>/command:
 *
 *   {"command": "reboot"}                               publish "offline", disconnect, restart
 *   {"command": "interval", "value": 10000}             sampling interval, ms (persisted; "sensor": name for one sensor)
 *   {"command": "identify", "seconds": 5}               blink the status LED (1 to 60 s, default 5)
 *   {"command": "sample"}                               sample now ("sensor": name for one) and publish
 *   {"command": "diagnostics"}                          publish diagnostics now
 *
 * Any command may carry an "id", echoed in the reply on <base>/command/reply:
 * {"id", "command", "ok": true, ...} or {"id", "command", "ok": false, "error"}.
 * A malformed or unknown command is answered with an error and never acted on.
 */

export type Command =
  | { command: "reboot" }
  | { command: "interval"; value: number; sensor?: string }
  | { command: "identify"; seconds: number }
  | { command: "sample"; sensor?: string }
  | { command: "diagnostics" };

export interface ParsedCommand {
  id?: unknown;
  command?: string;
  ok: boolean;
  parsed?: Command;
  error?: string;
}

const COMMANDS = Object.freeze(["reboot", "interval", "identify", "sample", "diagnostics"]);
const FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  reboot: Object.freeze([]), interval: Object.freeze(["value", "sensor"]), identify: Object.freeze(["seconds"]),
  sample: Object.freeze(["sensor"]), diagnostics: Object.freeze([]),
});

/** Parses a command payload; never throws. */
export function parseCommand(text: string, sensorNames: readonly string[]): ParsedCommand {
  let body: unknown;
  try {
    body = JSON.parse(text);
  }
  catch {
    return { ok: false, error: "not JSON: send an object like {\"command\": \"sample\"}" };
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return { ok: false, error: "a command is a JSON object like {\"command\": \"sample\"}" };
  const fields = body as Record<string, unknown>;
  const id = fields.id;
  const name = fields.command;
  if (typeof name !== "string" || !COMMANDS.includes(name))
    return { id, command: typeof name === "string" ? name : undefined, ok: false, error: `unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.join(", ")}` };
  const fail = (error: string): ParsedCommand => ({ id, command: name, ok: false, error });
  for (const key of Object.keys(fields)) {
    if (key !== "id" && key !== "command" && !FIELDS[name].includes(key)) return fail(`${name} takes no field "${key}"${FIELDS[name].length ? ` (fields: ${FIELDS[name].join(", ")})` : ""}`);
  }
  const sensor = fields.sensor;
  if (sensor !== undefined && (typeof sensor !== "string" || !sensorNames.includes(sensor)))
    return fail(`sensor must be one of ${sensorNames.join(", ")}, not ${JSON.stringify(sensor)}`);
  switch (name) {
    case "interval": {
      const value = fields.value;
      if (typeof value !== "number" || !Number.isInteger(value) || value < 100 || value > 86_400_000)
        return fail(`value must be an interval in ms from 100 to 86400000, not ${JSON.stringify(value)}`);
      return { id, command: name, ok: true, parsed: sensor === undefined ? { command: name, value } : { command: name, value, sensor: sensor as string } };
    }
    case "identify": {
      const seconds = fields.seconds ?? 5;
      if (typeof seconds !== "number" || !(seconds >= 1 && seconds <= 60)) return fail(`seconds must be 1 to 60, not ${JSON.stringify(seconds)}`);
      return { id, command: name, ok: true, parsed: { command: name, seconds } };
    }
    case "sample":
      return { id, command: name, ok: true, parsed: sensor === undefined ? { command: name } : { command: name, sensor: sensor as string } };
    default:
      return { id, command: name, ok: true, parsed: { command: name } as Command };
  }
}
