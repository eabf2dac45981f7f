/*
 * Moddable's `time` module for the Node host: `Time.ticks` counts milliseconds
 * from boot (here: host start) and never jumps; `Time.set(seconds)` sets the
 * wall clock the firmware's Date sees (as SNTP does on a device).
 */

import { performance } from "node:perf_hooks";
import { timeScale } from "../time-scale";

const boot = performance.now();
let offset = 0;
const realNow = Date.now;

const Time = {
  get ticks(): number {
    return Math.floor((performance.now() - boot) * timeScale());
  },
  delta(start: number, end?: number): number {
    return (end ?? Time.ticks) - start;
  },
  set(seconds: number): void {
    offset = seconds * 1000 - realNow();
    Date.now = () => realNow() + offset;
  },
  timezone: 0,
  dst: 0,
  get microseconds(): number {
    return Math.floor((performance.now() - boot) * 1000 * timeScale());
  },
};

export default Time;
