/*
 * A simulated I2C bus: chips by 7-bit address, each answering transfers as
 * its hardware would.
 */

import type { ChipFaults } from "./chip";

/** A chip on the bus: answers transfers as the hardware would. */
export interface I2CTarget {
  /** Injected faults (absent: NACK; busErrorAfter: a transfer breaks part way). */
  faults?: ChipFaults;
  /** The controller wrote `bytes`; `stop` ends the transaction. */
  write(bytes: Uint8Array, stop: boolean): void;
  /** The controller reads `count` bytes. */
  read(count: number, stop: boolean): Uint8Array;
}

/** Thrown when no target acknowledges, or a target NACKs a byte. */
export class I2CNackError extends Error {
  override readonly name = "I2CNackError";
  readonly address: number;
  constructor(address: number, what: string) {
    super(`I2C ${what} at address 0x${address.toString(16).padStart(2, "0")} not acknowledged`);
    this.address = address;
  }
}

/** One simulated bus: targets by 7-bit address. */
export class SimulatedI2CBus {
  readonly #targets = new Map<number, I2CTarget>();

  attach(address: number, target: I2CTarget): void {
    if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError(`address must be a 7-bit I2C address, not ${address}`);
    if (this.#targets.has(address)) throw new Error(`I2C address 0x${address.toString(16)} already has a simulated chip`);
    this.#targets.set(address, target);
  }

  detach(address: number): void {
    this.#targets.delete(address);
  }

  target(address: number): I2CTarget | undefined {
    return this.#targets.get(address);
  }

  get addresses(): number[] {
    return [...this.#targets.keys()].sort((a, b) => a - b);
  }
}

