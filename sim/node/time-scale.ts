/*
 * Simulated time for the simulator hosts (`--time-scale N`): the firmware's
 * clocks run N times faster than the host's. Timers fire after 1/N of their
 * delay, `time`'s ticks count N ms per real ms, and `Date.now()` advances N ms
 * per real ms from the moment the host started, so a test can let a minute
 * of device time pass in a second and readings still carry their device
 * timestamps. Scale 1 (the default) changes nothing.
 */

let scale = 1;

export function timeScale(): number {
  return scale;
}

export function setTimeScale(factor: number): void {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`time scale must be a positive number, not ${String(factor)}`);
  scale = factor;
  if (factor === 1) return;
  const realNow = Date.now;
  const start = realNow();
  Date.now = () => start + (realNow() - start) * factor;
}
