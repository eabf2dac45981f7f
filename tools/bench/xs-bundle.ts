/*
 * The bench firmware's entry (tools/bench/xs-publish-entry.ts) is held to the
 * firmware's rules before the XS host bundles it (XSHost's `entry` option:
 * sim/xs/bundle.ts resolves its imports as on a device): it may import only
 * firmware modules and the device's modules, and use no Node or browser
 * global (tools/firmware-rules.ts `checkSource`).
 */

import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { firmwareModules, ROOT } from "../../sim/firmware-modules";
import { checkSource } from "../firmware-rules";

/** Returns `entry` if it keeps the firmware's rules; throws listing what it breaks. */
export function checkBenchEntry(entry: string): string {
  const names = new Set(firmwareModules().byName.keys());
  const violations = checkSource(relative(ROOT, entry), readFileSync(entry, "utf8"), names);
  if (violations.length) throw new Error(`bench entry breaks the firmware rules:\n${violations.map((v) => `  ${v.file}:${v.line}: ${v.message}`).join("\n")}`);
  return entry;
}
