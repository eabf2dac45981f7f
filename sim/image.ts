/*
 * Simulator firmware images: what the release pipeline ships for the
 * simulator target and what the simulated bootloader runs from a flash slot.
 *
 * An image is the firmware (sim/image-entry.ts and everything it links, the
 * simulated board included) bundled into one ES module whose imports of the
 * device's built-in modules are left open, for whichever host boots it to
 * supply, as a board's firmware calls the SDK built into it. Its first line
 * is a descriptor (sim/flash.ts): target, version, and the config it was
 * built with, the simulator's esp_app_desc_t.
 */

import { build } from "esbuild";
import { type FirmwareConfig, firmwareConfig, imageConfig } from "./config";
import { DESCRIPTOR_PREFIX, type ImageDescriptor } from "./flash";
import { deviceFlash } from "./node/storage";
import { BUNDLE_OPTIONS, FACTORY_IMAGE, firmwareResolution } from "./xs/bundle";

export interface ImageBuild {
  target: string;
  version: string;
  /** Config the image is built with: manifest defaults, then these. */
  config: FirmwareConfig;
  /** Keys the image decides over a device's own settings. */
  pinned: string[];
}

/** Builds a simulator image of the working tree. */
export async function buildSimulatorImage(options: ImageBuild): Promise<Uint8Array> {
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [FACTORY_IMAGE],
    plugins: [firmwareResolution(FACTORY_IMAGE, (name) => ({ path: name, external: true }))],
    minifyWhitespace: true,
    minifySyntax: true,
  });
  const descriptor: ImageDescriptor = {
    format: 1, target: options.target, version: options.version,
    config: firmwareConfig(options.config), pinned: options.pinned,
  };
  const head = Buffer.from(`${DESCRIPTOR_PREFIX}${JSON.stringify(descriptor)}\n`);
  return new Uint8Array(Buffer.concat([head, result.outputFiles[0].contents]));
}

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
