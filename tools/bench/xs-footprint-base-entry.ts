/*
 * The baseline of tools/bench/xs-footprint-entry.ts: the same start-up
 * without the firmware (the XS host's bridge and the simulated board only).
 */

import config from "mc/config";
import Timer from "timer";
import "../../hosts/sim/provider";
import { markHeap } from "./xs-bench-firmware";

Timer.set(() => {
  markHeap("started", Number(config["bench.pressure"]));
  trace("BENCH done\n");
}, 0);
