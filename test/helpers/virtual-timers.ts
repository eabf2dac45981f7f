/*
 * A virtual clock implementing the firmware's Timers interface: nothing
 * happens until the test advances time, and then timers fire in due order
 * (ties in the order they were set), including timers set while firing.
 */

import type { TimerHandle, Timers } from "../../src/mqtt/timers";

interface Entry {
  at: number;
  order: number;
  callback: (() => void) | undefined;
}

export class VirtualTimers implements Timers {
  #now: number;
  #order = 0;
  #entries: Entry[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(callback: () => void, ms: number): TimerHandle {
    const entry: Entry = { at: this.#now + Math.max(0, ms), order: this.#order++, callback };
    this.#entries.push(entry);
    return entry;
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle) (handle as Entry).callback = undefined;
  }

  /** Timers still to fire. */
  get pending(): number {
    return this.#entries.filter((entry) => entry.callback).length;
  }

  /** When the next live timer fires, or undefined. */
  get next(): number | undefined {
    const live = this.#entries.filter((entry) => entry.callback);
    return live.length ? Math.min(...live.map((entry) => entry.at)) : undefined;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(time: number): void {
    for (;;) {
      this.#entries = this.#entries.filter((entry) => entry.callback);
      let due: Entry | undefined;
      for (const entry of this.#entries) {
        if (entry.at <= time && (!due || entry.at < due.at || (entry.at === due.at && entry.order < due.order))) due = entry;
      }
      if (!due) break;
      this.#now = due.at;
      const callback = due.callback!;
      due.callback = undefined;
      callback();
    }
    this.#now = time;
  }
}
