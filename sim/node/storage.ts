/*
 * Where the Node host keeps the simulated device's storage: a folder given by
 * the host (`--storage`), the device's flash and NVS.
 */

import { SimulatedFlash } from "../flash";

let directory: string | undefined;
let flash: SimulatedFlash | undefined;

export function setStorageDirectory(path: string): void {
  directory = path;
  flash = undefined;
}

export function storageDirectory(): string {
  if (!directory) throw new Error("Node host: no storage folder set");
  return directory;
}

/** The device's firmware flash (slots and boot selection) in the storage folder. */
export function deviceFlash(): SimulatedFlash {
  flash ??= new SimulatedFlash(storageDirectory());
  return flash;
}
