/*
 * The Debian packages the integration tests use: mosquitto (the real broker),
 * openssl (the TLS tests' certificates) and python3-paho-mqtt (the seed
 * demo's Python subscriber). `npm test` installs the missing ones on first
 * use when it can (root with apt-get, as in CI); otherwise it says which are
 * missing and how to install them.
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mosquittoPath } from "./brokers";

interface SystemPackage {
  name: string;
  present: () => boolean;
}

const hasCommand = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  { name: "mosquitto", present: () => mosquittoPath() !== undefined },
  { name: "openssl", present: () => hasCommand("openssl") },
  { name: "python3-paho-mqtt", present: () => existsSync("/usr/bin/python3") && spawnSync("/usr/bin/python3", ["-c", "import paho.mqtt.client"], { stdio: "ignore" }).status === 0 },
];

/** Installs what is missing when this process may (root, apt-get); returns the names still missing. */
export function ensureSystemPackages(log: (line: string) => void): string[] {
  let missing = SYSTEM_PACKAGES.filter((p) => !p.present());
  if (!missing.length) return [];
  const names = missing.map((p) => p.name);
  if (process.getuid?.() === 0 && hasCommand("apt-get")) {
    log(`Installing Debian packages the tests use (first run): ${names.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => spawnSync("apt-get", ["install", "-y", ...names], { stdio: ["ignore", "ignore", "inherit"], env }).status === 0;
    if (!install()) {
      spawnSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
      install();
    }
    missing = missing.filter((p) => !p.present());
  }
  return missing.map((p) => p.name);
}
