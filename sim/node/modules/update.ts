/*
 * `embedded:update` for the simulator hosts: Moddable's ECMA-419 firmware
 * update module (modules/io/update/esp32 in the SDK) over the simulated
 * flash's update slot (sim/flash.ts). Same surface and errors:
 * open({partition: flash.open({path: "nextota"}), byteLength?}) erases the
 * slot the device is not running from; write(buffer) appends; complete()
 * checks the image and makes it the boot image; close() abandons an
 * incomplete one.
 */

import { UpdateWriter } from "../../update-writer";
import { deviceFlash } from "../storage";

export interface UpdateOptions {
  /** `flash.open({path: "nextota"})` (./flash.ts). */
  partition: { path?: string };
  byteLength?: number;
  mode?: "a" | "w";
}

export default Object.freeze({
  open(options: UpdateOptions): UpdateWriter {
    if (options?.partition?.path !== "nextota") throw new Error("partition not found");
    if (options.mode === "w") throw new RangeError("the simulator's update slot takes sequential writes only (mode \"a\")");
    const flash = deviceFlash();
    flash.open(options.byteLength);
    return new UpdateWriter({ write: (bytes) => flash.write(bytes), complete: () => flash.complete(), abandon: () => flash.abandon() });
  },
});
