/*
 * What the XS host runs: the bridge first (it removes the worker's own
 * globals), then the firmware image (sim/image-entry.ts from the working
 * tree, or the update in the slot the simulated bootloader chose), in the
 * order Moddable's preload and start-up would run them.
 */

import { onEvent } from "./bridge";
import { applyControl } from "firmware-image";

// Test control of the simulated board (sim/devices/control.ts), inside the image.
onEvent("control", (header) => {
  const problem = applyControl(header);
  if (problem) trace(`XS host: control message refused: ${problem}\n`);
});
