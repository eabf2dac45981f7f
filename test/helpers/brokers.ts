/*
 * Brokers for integration tests. Tests that run against "each broker" get
 * mosquitto (when installed) and aedes; a test that wants "the real broker"
 * gets mosquitto, or aedes in its place when mosquitto is not installed
 * (a failure instead under REQUIRE_MOSQUITTO=1, as in CI).
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Broker, type MosquittoOptions, mosquittoPath, startAedes, startMosquitto } from "../../tools/brokers";

export type BrokerName = "mosquitto" | "aedes";

/** The brokers a test should run against, in order. */
export function availableBrokers(): BrokerName[] {
  return mosquittoPath() ? ["mosquitto", "aedes"] : ["aedes"];
}

export async function startBroker(name: BrokerName, options: MosquittoOptions = {}): Promise<Broker> {
  if (name === "aedes") return startAedes(options.port);
  if (!mosquittoPath()) {
    if (process.env.REQUIRE_MOSQUITTO === "1") throw new Error("REQUIRE_MOSQUITTO=1 but mosquitto is not installed");
    return startAedes(options.port);
  }
  return startMosquitto(options);
}

/** mosquitto if installed, else aedes (see the module comment). */
export async function startRealBroker(options: MosquittoOptions = {}): Promise<Broker> {
  return startBroker("mosquitto", options);
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}
