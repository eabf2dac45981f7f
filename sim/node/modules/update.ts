/*
 * `embedded:update` for the simulator hosts: Moddable's ECMA-419 firmware
 * update module (modules/io/update/esp32 in the SDK) over the simulated
 * flash's update slot (sim/flash.ts). Same surface and errors:
 * open({partition: "nextota", byteLength?}) erases the slot the device is
 * not running from; write(buffer) appends; complete() checks the image and
 * makes it the boot image; close() abandons an incomplete one.
 */

import { deviceFlash } from "../storage";

export interface UpdateOptions {
  /** `flash.open({path: "nextota"})` (./flash.ts). */
  partition: { path?: string };
  byteLength?: number;
  mode?: "a" | "w";
}

class Update {
  #open = true;

  write(buffer: ArrayBuffer | ArrayBufferView, byteOffset?: number): void {
    if (!this.#open) throw new Error("already complete");
    if (byteOffset !== undefined) throw new Error("offset not allowed");
    const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
    deviceFlash().write(bytes);
  }

  complete(): void {
    if (!this.#open) throw new Error("already complete");
    this.#open = false;
    deviceFlash().complete();
  }

  close(): void {
    if (this.#open) deviceFlash().abandon();
    this.#open = false;
  }

  get format(): string {
    return "buffer";
  }
}

export default Object.freeze({
  open(options: UpdateOptions): Update {
    if (options?.partition?.path !== "nextota") throw new Error("partition not found");
    if (options.mode === "w") throw new RangeError("the simulator's update slot takes sequential writes only (mode \"a\")");
    deviceFlash().open(options.byteLength);
    return new Update();
  },
});
