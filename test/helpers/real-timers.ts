/*
 * The firmware's Timers interface on Node's clock, for running the MQTT
 * client in process against real brokers.
 */

import type { TimerHandle, Timers } from "../../src/mqtt/timers";

export const realTimers: Timers = {
  now: () => performance.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle: TimerHandle | undefined) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
