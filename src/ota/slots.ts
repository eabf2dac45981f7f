/*
 * What the update agent needs of the device's flash, from its host
 * (module "host/update"): `embedded:update` to write the inactive slot and
 * `boot-control` to know and settle the running image's trial. Boards
 * without OTA (Pico W) give none.
 */

export interface SlotWriter {
  write(bytes: Uint8Array): void;
  /** Ends the write; the image becomes the boot image, on trial. Throws if the slot refuses the image. */
  complete(): void;
  /** Abandons an incomplete write; the running image stays. */
  close(): void;
}

export interface FirmwareSlots {
  /** Opens the OTA slot the device is not running from, erased, for an image of `byteLength` bytes. */
  readonly update: { open(options: { byteLength: number }): SlotWriter };
  readonly boot: {
    readonly state: "factory" | "valid" | "pending";
    readonly slotSize: number;
    markValid(): void;
    /** Gives the running (pending) image another trial boot: an unconfirmed restart boots it again. */
    retry(): void;
    /** Marks the running image invalid and restarts into the previous one. */
    rollback(): void;
  };
}
