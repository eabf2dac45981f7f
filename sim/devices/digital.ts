/*
 * The ECMA-419 Digital class for the simulated board's pins: an output
 * remembers its level and tells the simulator host's log when it changes
 * (`sim: pin 2 = 1`), which is how a test sees an LED blink.
 */

export class SimulatedDigital {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;

  readonly #pin: number;
  #value: 0 | 1 = 0;
  #open = true;

  constructor(options: { pin: number; mode: number }) {
    if (typeof options?.pin !== "number" || !Number.isInteger(options.pin) || options.pin < 0) throw new RangeError("invalid pin");
    if (options.mode !== SimulatedDigital.Output && options.mode !== SimulatedDigital.OutputOpenDrain) throw new RangeError("the simulated board's digital pins are outputs");
    this.#pin = options.pin;
  }

  get format(): "number" {
    return "number";
  }

  read(): 0 | 1 {
    return this.#value;
  }

  write(value: 0 | 1): void {
    if (!this.#open) throw new Error("Digital is closed");
    const next = value ? 1 : 0;
    if (next === this.#value) return;
    this.#value = next;
    trace(`sim: pin ${this.#pin} = ${next}\n`);
  }

  close(): void {
    this.#open = false;
  }
}
