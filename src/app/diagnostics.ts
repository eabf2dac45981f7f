/*
 * The diagnostics document, published on <base>/diagnostics every
 * `diagnostics.interval` and on request:
 *
 *   {"ts" | "uptime", "uptimeSeconds", "firmware", "board", "freeHeap", "rssi",
 *    "clock": "sntp" | "uptime",
 *    "mqtt": {"connects", "disconnects", "resent", "outbox": {"depth", "dropped", "rejected", "unpersisted"}},
 *    "sensors": {"<name>": {"chip", "errors", "lastError"}}}
 *
 * freeHeap and rssi are null where the host cannot tell (the simulators).
 */

import type { ClientStats } from "../mqtt/client";
import type { HostSystem } from "./system";
import type { Stamp } from "./telemetry";

export interface SensorHealth {
  readonly name: string;
  readonly spec: { chip: string };
  readonly errors: number;
  readonly lastError: { reason: string; message: string } | undefined;
}

export interface DiagnosticsInput {
  stamp: Stamp;
  uptimeMs: number;
  version: string;
  system: HostSystem;
  mqtt: ClientStats;
  outboxDepth: number;
  sensors: readonly SensorHealth[];
}

export function diagnostics(input: DiagnosticsInput): Record<string, unknown> {
  const sensors: Record<string, unknown> = {};
  for (const sensor of input.sensors) {
    sensors[sensor.name] = {
      chip: sensor.spec.chip,
      errors: sensor.errors,
      lastError: sensor.lastError ? { reason: sensor.lastError.reason, message: sensor.lastError.message } : null,
    };
  }
  const { mqtt } = input;
  return {
    ...input.stamp,
    uptimeSeconds: Math.floor(input.uptimeMs / 1000),
    firmware: input.version,
    board: input.system.name,
    freeHeap: input.system.freeHeap() ?? null,
    rssi: input.system.rssi() ?? null,
    clock: input.system.clockSynced() ? "sntp" : "uptime",
    mqtt: {
      connects: mqtt.connects,
      disconnects: mqtt.disconnects,
      resent: mqtt.resent,
      outbox: { depth: input.outboxDepth, dropped: mqtt.dropped, rejected: mqtt.rejected, unpersisted: mqtt.unpersisted },
    },
    sensors,
  };
}
