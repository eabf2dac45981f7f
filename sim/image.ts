/*
 * Simulator firmware images: what the release pipeline ships for the
 * simulator target and what the simulated bootloader runs from a flash slot.
 *
 * An image is the firmware (sim/image-entry.ts and everything it links, the
 * simulated board included) bundled into one ES module whose imports of the
 * device's built-in modules are left open, for whichever host boots it to
 * supply, as a board's firmware calls the SDK built into it. Its first line
 * is a descriptor (sim/flash.ts): target, version, and the config it was
 * built with, the simulator's esp_app_desc_t. The simulated bootloader that
 * runs them is sim/boot-image.ts.
 */

import { build } from "esbuild";
import { type FirmwareConfig, firmwareConfig } from "./config";
import { FACTORY_IMAGE } from "./firmware-modules";
import { DESCRIPTOR_PREFIX, type ImageDescriptor } from "./flash";
import { BUNDLE_OPTIONS, firmwareResolution } from "./xs/bundle";

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
