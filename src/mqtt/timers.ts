/*
 * Time as the MQTT client and the application see it. Injected, so tests can
 * drive keepalive and backoff on a virtual clock and the firmware uses
 * Moddable's `timer` module (src/app/device-timers.ts).
 */

export interface Timers {
  /** Milliseconds on a monotonic-enough clock (only differences are used). */
  now(): number;
  /** Calls `callback` once after `ms`; returns a handle for `clear`. */
  set(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; a handle that already fired or was cleared is ignored. */
  clear(handle: TimerHandle | undefined): void;
}

/** Opaque timer handle. */
export type TimerHandle = { readonly timer: true } | object;
