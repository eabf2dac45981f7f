/*
 * Bench firmware for the firmware's own footprint on the XS host (run by
 * tools/bench/ota.ts): the simulated board's host provider and the whole
 * firmware (src/main.ts), loaded and started at run time, with the live
 * heap read on the first turn after (./xs-bench-firmware.ts). The XS host does
 * not preload: every module's functions, classes and tables are in the
 * heap, as on a board that loads the firmware at run time (a Moddable mod
 * host). tools/bench/xs-footprint-base-entry.ts is the same without the
 * firmware; the difference is the firmware's.
 */

import config from "mc/config";
import Timer from "timer";
import "../../hosts/sim/provider";
import "../../src/main";
import { markHeap } from "./xs-bench-firmware";

Timer.set(() => {
  markHeap("started", Number(config["bench.pressure"]));
  trace("BENCH done\n");
}, 0);
