/*
 * The diagnostics document (src/app/diagnostics.ts): each field from its
 * input, null where the host cannot tell, and the clock's source.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DiagnosticsInput, diagnostics, type SensorHealth } from "../../../src/app/diagnostics";
import type { HostSystem } from "../../../src/app/system";
import type { ClientStats } from "../../../src/mqtt/client";

function system(overrides: Partial<HostSystem> = {}): HostSystem {
  return {
    name: "esp32",
    macAddress: () => "a0b1c2d3e4f5",
    freeHeap: () => 81_234,
    rssi: () => -67,
    clockSynced: () => true,
    restart: () => assert.fail("diagnostics restarted the device"),
    startNetwork: () => assert.fail("diagnostics started the network"),
    ...overrides,
  };
}

const STATS: ClientStats = { connects: 3, disconnects: 2, resent: 5, rejected: 7, dropped: 11, restored: 13, duplicates: 17, unpersisted: 19 };

const SENSORS: SensorHealth[] = [
  { name: "tmp102", spec: { chip: "tmp102" }, errors: 0, lastError: undefined },
  { name: "outdoor", spec: { chip: "bme280" }, errors: 4, lastError: { reason: "crc", message: "bad CRC from 0x76" } },
];

function input(overrides: Partial<DiagnosticsInput> = {}): DiagnosticsInput {
  return { stamp: { ts: 1_700_000_000_000 }, uptimeMs: 3_723_999, version: "1.2.3", system: system(), mqtt: STATS, outboxDepth: 23, sensors: SENSORS, ...overrides };
}

describe("diagnostics", () => {
  it("takes every field from its inputs", () => {
    assert.deepEqual(diagnostics(input()), {
      ts: 1_700_000_000_000,
      uptimeSeconds: 3723,
      firmware: "1.2.3",
      board: "esp32",
      freeHeap: 81_234,
      rssi: -67,
      clock: "sntp",
      mqtt: { connects: 3, disconnects: 2, resent: 5, outbox: { depth: 23, dropped: 11, rejected: 7, unpersisted: 19 } },
      sensors: {
        tmp102: { chip: "tmp102", errors: 0, lastError: null },
        outdoor: { chip: "bme280", errors: 4, lastError: { reason: "crc", message: "bad CRC from 0x76" } },
      },
    });
  });

  it("uptimeSeconds rounds down", () => {
    assert.equal(diagnostics(input({ uptimeMs: 999 })).uptimeSeconds, 0);
    assert.equal(diagnostics(input({ uptimeMs: 1000 })).uptimeSeconds, 1);
    assert.equal(diagnostics(input({ uptimeMs: 0 })).uptimeSeconds, 0);
  });

  it("freeHeap and rssi are null where the system cannot tell, and the document is still JSON", () => {
    const body = diagnostics(input({ system: system({ freeHeap: () => undefined, rssi: () => undefined }) }));
    assert.equal(body.freeHeap, null);
    assert.equal(body.rssi, null);
    // undefined would drop the keys from the published JSON; null keeps them.
    const published = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    assert.equal(published.freeHeap, null);
    assert.equal(published.rssi, null);
  });

  it("a free heap or signal of 0 is a value, not null", () => {
    const body = diagnostics(input({ system: system({ freeHeap: () => 0, rssi: () => 0 }) }));
    assert.equal(body.freeHeap, 0);
    assert.equal(body.rssi, 0);
  });

  it("clock: \"sntp\" with a synced clock, \"uptime\" without, and the stamp says which", () => {
    assert.equal(diagnostics(input()).clock, "sntp");
    const unsynced = diagnostics(input({ stamp: { uptime: 4200 }, system: system({ clockSynced: () => false }) }));
    assert.equal(unsynced.clock, "uptime");
    assert.equal(unsynced.uptime, 4200);
    assert.equal("ts" in unsynced, false);
  });

  it("reads the system at each call (the heap and signal change)", () => {
    let heap = 1000;
    const host = system({ freeHeap: () => heap });
    assert.equal(diagnostics(input({ system: host })).freeHeap, 1000);
    heap = 500;
    assert.equal(diagnostics(input({ system: host })).freeHeap, 500);
  });

  it("a last error is copied to its reason and message only (an Error's stack stays out)", () => {
    const error = Object.assign(new Error("no ack"), { reason: "nack" });
    const body = diagnostics(input({ sensors: [{ name: "tmp102", spec: { chip: "tmp102" }, errors: 1, lastError: error }] }));
    assert.deepEqual((body.sensors as Record<string, unknown>).tmp102, { chip: "tmp102", errors: 1, lastError: { reason: "nack", message: "no ack" } });
  });

  it("no sensors (auto-detect still looking): an empty object", () => {
    assert.deepEqual(diagnostics(input({ sensors: [] })).sensors, {});
  });
});
