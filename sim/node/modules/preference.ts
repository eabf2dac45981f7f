/*
 * Moddable's `preference` module for the Node host: small values by domain
 * and key, kept in a folder (the device's NVS). One JSON file per domain,
 * written atomically (temp file + rename) so a kill never leaves half a file.
 *
 * Limits as on ESP32 (modules/files/preference/esp32): domain and key at most
 * 15 characters; values are booleans, integers, strings or ArrayBuffers.
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { storageDirectory } from "../storage";

type Value = boolean | number | string | ArrayBuffer;
type Stored = { t: "b"; v: boolean } | { t: "n"; v: number } | { t: "s"; v: string } | { t: "a"; v: string };

function check(what: string, name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 15) throw new RangeError(`preference ${what} must be 1 to 15 characters`);
  return name;
}

/** The file holding one domain's values in a device's storage folder. */
export function preferenceFile(domain: string, storage = storageDirectory()): string {
  return join(storage, "preference", `${encodeURIComponent(domain)}.json`);
}

function load(domain: string): Record<string, Stored> {
  try {
    return JSON.parse(readFileSync(preferenceFile(domain), "utf8")) as Record<string, Stored>;
  }
  catch {
    return {};
  }
}

function save(domain: string, entries: Record<string, Stored>): void {
  const path = preferenceFile(domain);
  mkdirSync(join(storageDirectory(), "preference"), { recursive: true });
  writeFileSync(path + ".tmp", JSON.stringify(entries));
  renameSync(path + ".tmp", path);
}

const Preference = {
  set(domain: string, key: string, value: Value): void {
    const entries = load(check("domain", domain));
    check("key", key);
    let stored: Stored;
    if (typeof value === "boolean") stored = { t: "b", v: value };
    else if (typeof value === "number" && Number.isInteger(value)) stored = { t: "n", v: value };
    else if (typeof value === "string") stored = { t: "s", v: value };
    else if (value instanceof ArrayBuffer) stored = { t: "a", v: Buffer.from(value).toString("base64") };
    else throw new TypeError("preference values are booleans, integers, strings or ArrayBuffers");
    entries[key] = stored;
    save(domain, entries);
  },
  get(domain: string, key: string): Value | undefined {
    const stored = load(check("domain", domain))[check("key", key)];
    if (!stored) return undefined;
    if (stored.t === "a") {
      const bytes = Buffer.from(stored.v, "base64");
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    }
    return stored.v;
  },
  delete(domain: string, key: string): void {
    const entries = load(check("domain", domain));
    if (!(check("key", key) in entries)) return;
    delete entries[key];
    save(domain, entries);
  },
  keys(domain: string): string[] {
    return Object.keys(load(check("domain", domain)));
  },
};

export default Preference;
