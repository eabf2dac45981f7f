/*
 * Moddable's `time` module for the XS host: ticks from the worker's monotonic
 * clock, captured by the bridge before its global is removed.
 */

import { call, monotonicNow } from "../bridge";

const boot = monotonicNow();

const Time = {
  get ticks(): number {
    return Math.floor(monotonicNow() - boot);
  },
  delta(start: number, end?: number): number {
    return (end ?? Time.ticks) - start;
  },
  set(seconds: number): void {
    call("time.set", { seconds });
  },
  timezone: 0,
  dst: 0,
  get microseconds(): number {
    return Math.floor((monotonicNow() - boot) * 1000);
  },
};

export default Time;
