/*
 * The modules the update agent writes and boots images with. Listed in the
 * manifest's TypeScript `types` (@moddable/typings has none of them; the
 * SDK's own declarations of the first two are excluded in manifest.json).
 *
 * `embedded:update`: the Moddable SDK's ECMA-419 firmware update
 * (modules/io/update/esp32/update-esp32.js): open() erases the partition,
 * write() appends, complete() ends the update (esp_ota_end checks the image)
 * and makes it the boot partition, close() abandons it.
 */
declare module "embedded:update" {
  import type { Flash } from "embedded:storage/flash";
  export interface Options {
    /** The partition to write: `flash.open({path: "nextota"})`, the OTA slot the device is not running from. */
    partition: Flash;
    /** The image size, when known. */
    byteLength?: number;
    /** "a" (default): sequential writes. */
    mode?: "a";
  }
  export interface Update {
    write(buffer: ArrayBuffer | ArrayBufferView): void;
    complete(): void;
    close(): void;
    readonly format: "buffer";
  }
  const update: { open(options: Options): Update };
  export default update;
}

/*
 * `embedded:storage/flash`, as far as the update agent uses it: opening the
 * next OTA partition for `embedded:update` (the SDK's
 * modules/io/flash/esp32; its typings are excluded in the manifest in
 * favour of these, which @moddable/typings lacks).
 */
declare module "embedded:storage/flash" {
  export interface Flash {
    close(): void;
    status(): { size: number; blockLength: number; blocks: number };
  }
  const flash: { open(options: { path: string; mode?: "r" | "r+" }): Flash };
  export default flash;
}

/*
 * `boot-control`: which image is running and whether it is confirmed. On
 * ESP32 the project's native module (hosts/esp32/boot-control) over ESP-IDF's
 * app rollback; the simulator hosts implement the same over their flash.
 */
declare module "boot-control" {
  const bootControl: {
    /** "factory": never updated; "valid": confirmed; "pending": a new image's trial boot, not confirmed yet. */
    readonly state: "factory" | "valid" | "pending";
    /** Bytes an update slot holds. */
    readonly slotSize: number;
    /** Confirms the running image: it stays the boot image. */
    markValid(): void;
    /** Gives the running pending image another trial boot: the next unconfirmed restart boots it again instead of rolling back. */
    retry(): void;
    /** Gives up the running image: marks it invalid and restarts into the previous one. Does not return on a board. */
    rollback(): void;
  };
  export default bootControl;
}
