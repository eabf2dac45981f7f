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

import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { prepareDevice } from "../boot-image";
import { RESTART_EXIT_CODE } from "../host-args";

// The simulated bootloader picks the image: the working tree's (factory) or an update's from a flash slot.
const { booted } = prepareDevice(process.argv.slice(2));

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

const imageURL = pathToFileURL(booted.path).href;
register(new URL("./hooks.ts", import.meta.url).href, { data: { config: booted.config, image: booted.image === "factory" ? undefined : imageURL } });

// Test control of the simulated board, inside the image; messages wait until it has loaded.
type Control = typeof import("../image-entry").applyControl;
let applyControl: Control | undefined;
const early: unknown[] = [];
const control = (message: unknown) => {
  const problem = applyControl!(message as Parameters<Control>[0]);
  if (problem) process.stderr.write(`Node host: control message refused: ${problem}\n`);
};
process.on("message", (message: unknown) => (applyControl ? control(message) : early.push(message)));
if (process.send) process.channel?.unref();

({ applyControl } = await import(imageURL) as typeof import("../image-entry"));
for (const message of early.splice(0)) control(message);
