/*
 * The board's LED as a status light (ECMA-419 Digital): lit while the device
 * is not connected to the broker, dark once it is, and blinking for a while
 * when asked to identify itself (the `identify` command). Boards without an
 * LED get a light that does nothing.
 */

import type { DigitalPinOptions } from "embedded:provider/builtin";
import type { TimerHandle, Timers } from "../mqtt/timers";

interface Pin {
  write(value: 0 | 1): void;
  close(): void;
}

export class StatusLight {
  readonly #pin: Pin | undefined;
  readonly #timers: Timers;
  #connected = false;
  #blink: TimerHandle | undefined;
  #blinkUntil = 0;
  #lit = false;

  constructor(led: DigitalPinOptions | undefined, timers: Timers) {
    this.#timers = timers;
    if (led) {
      const Digital = led.io as unknown as { new (options: object): Pin; readonly Output: unknown };
      this.#pin = new Digital({ ...led, mode: Digital.Output });
    }
    this.#show();
  }

  /** Whether there is an LED to light. */
  get present(): boolean {
    return this.#pin !== undefined;
  }

  set connected(value: boolean) {
    this.#connected = value;
    if (!this.#blink) this.#show();
  }

  /** Blinks at 4 Hz for `seconds`, then shows the status again. */
  identify(seconds: number): void {
    this.#blinkUntil = this.#timers.now() + seconds * 1000;
    if (this.#blink) return;
    const step = () => {
      if (this.#timers.now() >= this.#blinkUntil) {
        this.#blink = undefined;
        this.#show();
        return;
      }
      this.#set(!this.#lit);
      this.#blink = this.#timers.set(step, 125);
    };
    step();
  }

  close(): void {
    this.#timers.clear(this.#blink);
    this.#blink = undefined;
    this.#pin?.close();
  }

  #show(): void {
    this.#set(!this.#connected);
  }

  #set(lit: boolean): void {
    if (lit === this.#lit && this.#pin) return;
    this.#lit = lit;
    this.#pin?.write(lit ? 1 : 0);
  }
}
