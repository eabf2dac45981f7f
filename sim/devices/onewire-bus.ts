/*
 * A simulated 1-Wire bus: the devices on one wire, found by ROM code.
 */

import type { ChipFaults } from "./chip";

/** A device on the bus. */
export interface OneWireDevice {
  /** 8 bytes, bus order. */
  readonly rom: Uint8Array;
  faults?: ChipFaults;
  /** A reset pulse: the device drops any function command in progress. */
  reset(): void;
  /** A byte from the controller after this device was selected (a function command or its data). */
  write(byte: number): void;
  /** A byte read by the controller from this device. */
  read(): number;
}

export class SimulatedOneWireBus {
  readonly devices: OneWireDevice[] = [];

  attach(device: OneWireDevice): void {
    if (device.rom.length !== 8) throw new RangeError("a 1-Wire ROM code is 8 bytes");
    this.devices.push(device);
  }

  detach(device: OneWireDevice): void {
    const at = this.devices.indexOf(device);
    if (at >= 0) this.devices.splice(at, 1);
  }

  present(): OneWireDevice[] {
    return this.devices.filter((device) => !device.faults?.absent);
  }

  find(rom: Uint8Array): OneWireDevice | undefined {
    return this.present().find((device) => device.rom.every((byte, i) => byte === rom[i]));
  }
}
