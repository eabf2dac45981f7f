/*
 * Moddable's `timer` module for the Node host (modules/base/timer):
 * `Timer.set(callback, interval, repeat)`, `Timer.repeat`, `Timer.schedule`,
 * `Timer.clear`, `Timer.delay`. Callbacks get the timer as argument.
 * A one-shot timer is cleared after it fires; clearing it again is harmless.
 * Delays are in device time (sim/node/time-scale.ts).
 */

import { timeScale } from "../time-scale";

type Callback = (timer: TimerRecord) => void;

interface TimerRecord {
  callback: Callback | undefined;
  handle: NodeJS.Timeout | undefined;
}

function arm(timer: TimerRecord, interval: number, repeat: number): void {
  if (timer.handle) clearTimeout(timer.handle);
  const scale = timeScale();
  timer.handle = setTimeout(function fire() {
    const callback = timer.callback;
    if (!callback) return;
    if (repeat > 0) timer.handle = setTimeout(fire, repeat / scale);
    else timer.handle = undefined;
    callback(timer);
    if (!repeat && !timer.handle) timer.callback = undefined;
  }, Math.max(0, interval) / scale);
}

function check(name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !(value >= 0)) throw new RangeError(`Timer ${name} must be a number of milliseconds, not ${String(value)}`);
  return value;
}

const Timer = {
  set(callback: Callback, interval?: number, repeat?: number): TimerRecord {
    if (typeof callback !== "function") throw new TypeError("Timer.set needs a callback");
    const timer: TimerRecord = { callback, handle: undefined };
    arm(timer, check("interval", interval), check("repeat", repeat));
    return timer;
  },
  repeat(callback: Callback, interval: number): TimerRecord {
    return Timer.set(callback, interval, interval);
  },
  schedule(timer: TimerRecord, interval?: number, repeat?: number): void {
    if (!timer?.callback) throw new Error("Timer.schedule: timer is cleared");
    arm(timer, check("interval", interval), check("repeat", repeat));
  },
  clear(timer: TimerRecord | undefined | null): void {
    if (!timer) return;
    if (timer.handle) clearTimeout(timer.handle);
    timer.handle = undefined;
    timer.callback = undefined;
  },
  delay(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, check("delay", ms) / timeScale());
  },
};

export default Timer;
