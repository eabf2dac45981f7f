/*
 * Simulated analog inputs and the ECMA-419 Analog class over them
 * (2nd edition, 9.2: `read()` returns an integer of `resolution` bits).
 * A source gives the voltage at the pin; the converter maps 0 to `reference`
 * volts onto 0 to 2^resolution - 1, as an ESP32's ADC does at 11 dB
 * attenuation after calibration (about 0 to 3.3 V).
 */

import { analogSource } from "./board";

/** What drives a pin: its voltage at a moment. */
export interface AnalogSource {
  volts(now: number): number;
}

export const ANALOG_REFERENCE_VOLTS = 3.3;

export class SimulatedAnalog {
  readonly resolution: number;
  readonly #pin: number;
  #open = true;

  constructor(options: { pin: number; resolution?: number }) {
    if (typeof options?.pin !== "number" || !Number.isInteger(options.pin) || options.pin < 0) throw new RangeError("invalid pin");
    const resolution = options.resolution ?? 12;
    if (!Number.isInteger(resolution) || resolution < 8 || resolution > 16) throw new RangeError("unsupported resolution");
    this.#pin = options.pin;
    this.resolution = resolution;
  }

  get format(): "number" {
    return "number";
  }

  read(): number {
    if (!this.#open) throw new Error("Analog is closed");
    const source = analogSource(this.#pin);
    const volts = source ? source.volts(Date.now()) : 0; // an unconnected pin reads as ground here
    const max = 2 ** this.resolution - 1;
    return Math.max(0, Math.min(max, Math.round((volts / ANALOG_REFERENCE_VOLTS) * max)));
  }

  close(): void {
    this.#open = false;
  }
}
