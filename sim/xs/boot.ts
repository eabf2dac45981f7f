/*
 * The XS host: runs the firmware on a real XS engine (the xsnap worker that
 * @agoric/xsnap builds from XS's C sources on install), with sockets, timers
 * and storage bridged to this Node process. A child process per simulated
 * device, with the same command line as the Node host:
 *
 *   node --import tsx sim/xs/boot.ts --storage DIR [--config JSON]
 *
 * Control messages (process.send): those of sim/devices/control.ts, as on
 * the Node host; {type: "meter"} answers {type: "meter", meter} with the XS
 * engine's figures of the latest delivery.
 */

import { prepareDevice } from "../boot-image";
import { RESTART_EXIT_CODE } from "../host-args";
import { XSHost } from "./bridge-host";

// The simulated bootloader picks the image: the working tree's (factory) or an update's from a flash slot.
const { booted } = prepareDevice(process.argv.slice(2));

const host = new XSHost({
  config: booted.config,
  image: booted.image === "factory" ? undefined : booted.path,
  trace: (text) => process.stdout.write(text),
  onRestart: () => {
    process.stdout.write("XS host: restart\n");
    host.stop();
    process.exit(RESTART_EXIT_CODE);
  },
  onCrash: (error) => {
    process.stderr.write(`firmware crashed on XS: ${error.message}\n`);
    process.exit(70);
  },
});

process.on("message", (message: Record<string, unknown>) => {
  if (message?.type === "meter") process.send?.({ type: "meter", meter: host.meter });
  else host.post(() => ({ ...message, event: "control" }));
});
if (process.send) process.channel?.unref();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => { host.stop(); process.exit(0); });

await host.start();
