/*
 * Where the Node host keeps the simulated device's storage: a folder given by
 * the host (`--storage`), the device's flash and NVS.
 */

let directory: string | undefined;

export function setStorageDirectory(path: string): void {
  directory = path;
}

export function storageDirectory(): string {
  if (!directory) throw new Error("Node host: no storage folder set");
  return directory;
}
