/*
 * Moddable's `timer` module for the XS host: timers live on Node's event loop
 * (sim/node/modules/timer.ts, through the bridge) and fire as events.
 */

import { call, onEvent } from "../bridge";

type Callback = (timer: TimerRecord) => void;

interface TimerRecord {
  readonly id: number;
  callback: Callback | undefined;
  repeat: boolean;
}

const timers = new Map<number, TimerRecord>();
let nextId = 1;

onEvent("timer", (header) => {
  const timer = timers.get(header.id as number);
  if (!timer?.callback) return;
  if (!timer.repeat) timers.delete(timer.id);
  timer.callback(timer);
});

const Timer = {
  set(callback: Callback, interval = 0, repeat = 0): TimerRecord {
    if (typeof callback !== "function") throw new TypeError("Timer.set needs a callback");
    const timer: TimerRecord = { id: nextId++, callback, repeat: repeat > 0 };
    call("timer.set", { id: timer.id, interval, repeat });
    timers.set(timer.id, timer);
    return timer;
  },
  repeat(callback: Callback, interval: number): TimerRecord {
    return Timer.set(callback, interval, interval);
  },
  schedule(timer: TimerRecord, interval = 0, repeat = 0): void {
    if (!timer?.callback) throw new Error("Timer.schedule: timer is cleared");
    timer.repeat = repeat > 0;
    timers.set(timer.id, timer);
    call("timer.set", { id: timer.id, interval, repeat });
  },
  clear(timer: TimerRecord | undefined | null): void {
    if (!timer || !timers.has(timer.id)) return;
    timers.delete(timer.id);
    timer.callback = undefined;
    call("timer.clear", { id: timer.id });
  },
  delay(ms: number): void {
    call("timer.delay", { ms });
  },
};

export default Timer;
