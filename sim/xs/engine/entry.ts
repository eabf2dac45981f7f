/*
 * What the XS host runs: the bridge first (it removes the worker's own
 * globals), then the host provider, then the firmware's main module, in
 * the order Moddable's preload and start-up would run them.
 */

import { onEvent } from "./bridge";
import { simulatedBoard } from "../../../sim/devices/board";
import "../../../hosts/sim/provider";
import * as main from "../../../src/main";

// Test control: the temperature the simulated room has (null: back to the scenario).
onEvent("control", (header) => {
  if (header.type === "temperature") simulatedBoard().temperatureOverride = (header.value as number | null) ?? undefined;
});

const start = (main as { default?: unknown }).default;
if (typeof start === "function") (start as () => void)();
