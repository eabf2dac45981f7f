/*
 * What the XS host runs: the bridge first (it removes the worker's own
 * globals), then the host provider, then the firmware's main module, in
 * the order Moddable's preload and start-up would run them.
 */

import { onEvent } from "./bridge";
import { applyControl, type ControlMessage } from "../../../sim/devices/control";
import "../../../hosts/sim/provider";
import * as main from "../../../src/main";

// Test control of the simulated board (sim/devices/control.ts).
onEvent("control", (header) => {
  const problem = applyControl(header as ControlMessage);
  if (problem) trace(`XS host: control message refused: ${problem}\n`);
});

const start = (main as { default?: unknown }).default;
if (typeof start === "function") (start as () => void)();
