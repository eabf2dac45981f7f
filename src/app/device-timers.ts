/*
 * Timers on Moddable's `timer` module, with `time`'s millisecond ticks as the
 * clock: ticks count from boot and do not jump when SNTP sets the date.
 */

import Time from "time";
import Timer from "timer";
import type { TimerHandle, Timers } from "../mqtt/timers";

export const deviceTimers: Timers = Object.freeze({
  now: () => Time.ticks,
  set: (callback, ms) => Timer.set(() => callback(), ms),
  clear: (handle) => Timer.clear(handle as ReturnType<typeof Timer.set> | undefined),
});

export type { TimerHandle };
