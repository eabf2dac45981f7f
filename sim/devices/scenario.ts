/*
 * Scenarios: what the simulated world does to the simulated chips.
 * Pure functions of time, so a test on a virtual clock gets the same values
 * every run.
 */

export interface RoomOptions {
  /** Mean temperature, degrees C. */
  mean?: number;
  /** Half the day's swing, degrees C. */
  swing?: number;
  /** Hour of the day (0-24) of the warmest moment. */
  warmestHour?: number;
  /** Amplitude of the small fast wobble on top, degrees C. */
  wobble?: number;
}

const DAY_MS = 86_400_000;

/** A room's temperature over a day: a daily sine plus a slow wobble a sensor can resolve. */
export function roomTemperature(options: RoomOptions = {}): (now: number) => number {
  const mean = options.mean ?? 21;
  const swing = options.swing ?? 2;
  const warmest = (options.warmestHour ?? 15) * 3_600_000;
  const wobble = options.wobble ?? 0.3;
  return (now) => {
    const day = (2 * Math.PI * (now - warmest)) / DAY_MS;
    const minutes = now / 60_000;
    return mean + swing * Math.cos(day) + wobble * Math.sin(2 * Math.PI * minutes / 0.7) * Math.cos(2 * Math.PI * minutes / 1.6);
  };
}
