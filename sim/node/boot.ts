/*
 * The Node host: runs the unchanged firmware modules on V8 with the device's
 * module set (see sim/node/hooks.ts) and globals (`device` from hosts/sim,
 * `trace`). A child process per simulated device: killing it is pulling the
 * power.
 *
 *   node --import tsx sim/node/boot.ts --storage DIR [--config JSON]
 *
 * Control messages from a parent (process.send), for tests: see
 * sim/devices/control.ts (the simulated room, injected chip faults).
 */

import { mkdirSync } from "node:fs";
import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { firmwareConfig } from "../config";
import { ROOT } from "../firmware-modules";
import { parseHostArgs, RESTART_EXIT_CODE } from "../host-args";
import { setStorageDirectory } from "./storage";
import { setTimeScale } from "./time-scale";

const args = parseHostArgs(process.argv.slice(2));
mkdirSync(args.storage, { recursive: true });
setStorageDirectory(args.storage);
setTimeScale(args.timeScale ?? 1);

// Moddable's `system` module gives boards a global System with restart(); here a restart is the launcher starting us again.
(globalThis as { System?: unknown }).System = Object.freeze({
  restart() {
    process.stdout.write("Node host: restart\n");
    process.exit(RESTART_EXIT_CODE);
  },
});

// Moddable's trace writes its arguments as they are, with no separator or newline.
(globalThis as { trace?: unknown }).trace = (...parts: unknown[]) => {
  process.stdout.write(parts.map(String).join(""));
};

register(new URL("./hooks.ts", import.meta.url).href, { data: { config: firmwareConfig(args.config) } });

const fileURL = (path: string) => pathToFileURL(join(ROOT, path)).href;
const control = await import(fileURL("sim/devices/control.ts")) as typeof import("../devices/control");
process.on("message", (message: import("../devices/control").ControlMessage) => {
  const problem = control.applyControl(message);
  if (problem) process.stderr.write(`Node host: control message refused: ${problem}\n`);
});
if (process.send) process.channel?.unref();

await import(fileURL("hosts/sim/provider.ts"));
const main = await import(fileURL("src/main.ts")) as { default?: unknown };
if (typeof main.default === "function") (main.default as () => void)();
