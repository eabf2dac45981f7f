/*
 * The start-up module of a simulator firmware image: the simulated board's
 * host provider, then the firmware's main module, as a device's preload and
 * start-up run them. The simulated hardware lives in the image (as hosts/sim
 * links it in), so its test controls are exported for the host to call.
 *
 * The factory image is this module run from the working tree; an update is
 * this module bundled by the release pipeline (tools/ota/sim-image.ts).
 */

import "../hosts/sim/provider";
import "../src/main";

export { applyControl } from "./devices/control";
