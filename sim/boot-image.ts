/*
 * What both simulator hosts (sim/node/boot.ts, sim/xs/boot.ts) do before the
 * firmware runs: read the command line, set up the device's storage, clock
 * and network, and run the simulated bootloader (sim/flash.ts), which picks
 * the image: the working tree's (factory) or an update's from a flash slot.
 * Kept apart from sim/image.ts, which builds images, so that a boot does not
 * load esbuild.
 */

import { mkdirSync } from "node:fs";
import { type FirmwareConfig, firmwareConfig, imageConfig } from "./config";
import { FACTORY_IMAGE } from "./firmware-modules";
import { type HostArgs, parseHostArgs } from "./host-args";
import { setHostsFile } from "./node/modules/net";
import { deviceFlash, setStorageDirectory } from "./node/storage";
import { setTimeScale } from "./node/time-scale";

export interface BootedImage {
  /** "factory": the working tree; otherwise the slot the bootloader chose. */
  image: "factory" | "ota_0" | "ota_1";
  /** The module to run: sim/image-entry.ts or the slot's file. */
  path: string;
  config: FirmwareConfig;
  /** What the bootloader did, for the device's log. */
  log: string;
}

/** Runs the simulated bootloader on the device's storage: which image boots, with which config. */
export function bootImage(overrides: FirmwareConfig): BootedImage {
  const flash = deviceFlash();
  const { image, descriptor, log } = flash.boot();
  if (image === "factory" || !descriptor) return { image: "factory", path: FACTORY_IMAGE, config: firmwareConfig(overrides), log };
  return { image, path: flash.slotPath(image), config: imageConfig(descriptor.config, descriptor.pinned, overrides), log: `${log} (${descriptor.version})` };
}

/** Sets the simulated device up from a host's command line and boots it; prints what the bootloader did. */
export function prepareDevice(argv: string[]): { args: HostArgs; booted: BootedImage } {
  const args = parseHostArgs(argv);
  mkdirSync(args.storage, { recursive: true });
  setStorageDirectory(args.storage);
  setTimeScale(args.timeScale ?? 1);
  setHostsFile(args.hosts);
  const booted = bootImage(args.config);
  process.stdout.write(`${booted.log}\n`);
  return { args, booted };
}
