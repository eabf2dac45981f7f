/*
 * The simulated device's firmware flash, in its storage folder, laid out and
 * booted as ESP-IDF lays out and boots an ESP32 with two OTA slots and app
 * rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE):
 *
 *   <storage>/flash/ota_0.bin, ota_1.bin   the update slots (SLOT_SIZE bytes each)
 *   <storage>/flash/otadata.json           which slot boots, and each slot's state
 *
 * "factory" is the firmware built from this working tree, as a board's
 * factory app. A completed update is "new"; the bootloader boots it once as
 * "pending"; the firmware then confirms it ("valid") or gives it up
 * ("invalid"). A pending image that restarts unconfirmed is "aborted" by the
 * bootloader, which boots the previous image instead (ESP-IDF's
 * esp_ota_ops and bootloader_utility do the same). otadata is replaced
 * atomically (temp file + rename), so pulling the power at any moment leaves
 * either the old or the new selection, never half of one.
 */

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SLOT_SIZE } from "./node/modules/flash";

export { SLOT_SIZE };

export type SlotName = "ota_0" | "ota_1";
export type ImageName = "factory" | SlotName;
export type SlotState = "new" | "pending" | "valid" | "invalid" | "aborted";

interface OtaData {
  boot: ImageName;
  /** The image that was running when `boot` was written: where a failed update goes back to. */
  previous: ImageName;
  states: Partial<Record<SlotName, SlotState>>;
}

/** The first line of a simulator image: what the image is, and the config it was built with. */
export interface ImageDescriptor {
  format: 1;
  target: string;
  version: string;
  /** The manifest config the image was built with (as mcconfig bakes it). */
  config: Record<string, unknown>;
  /** Keys of `config` the image decides, over the device's own settings (version, ota.*, and what the release set). */
  pinned: string[];
}

export const DESCRIPTOR_PREFIX = "//xs-sensor-image ";
/** The most of an image's start read for its descriptor line (its config may hold certificates). */
const DESCRIPTOR_BYTES = 64 * 1024;

/** The descriptor at the start of `image`, or why there is none. */
function readDescriptor(image: Uint8Array): ImageDescriptor | string {
  const end = image.indexOf(0x0a);
  const line = Buffer.from(image.subarray(0, end < 0 ? image.length : end)).toString("utf8");
  if (!line.startsWith(DESCRIPTOR_PREFIX)) return "not a simulator firmware image (no descriptor line)";
  try {
    const descriptor = JSON.parse(line.slice(DESCRIPTOR_PREFIX.length)) as ImageDescriptor;
    if (descriptor.format !== 1 || typeof descriptor.version !== "string" || typeof descriptor.config !== "object" || !Array.isArray(descriptor.pinned)) return "image descriptor has the wrong fields";
    return descriptor;
  }
  catch {
    return "image descriptor is not JSON";
  }
}

const other = (image: ImageName): SlotName => (image === "ota_0" ? "ota_1" : "ota_0");

/** The descriptor of the image in the file at `path`, reading only the start of it, or why there is none. */
function descriptorOf(path: string): ImageDescriptor | string {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(DESCRIPTOR_BYTES);
    return readDescriptor(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  }
  finally {
    closeSync(fd);
  }
}

export class SimulatedFlash {
  readonly #dir: string;
  /** The image this boot runs (set by boot()). */
  running: ImageName = "factory";
  #writing: { slot: SlotName; fd: number; written: number; byteLength?: number } | undefined;

  constructor(storage: string) {
    this.#dir = join(storage, "flash");
    mkdirSync(this.#dir, { recursive: true });
  }

  slotPath(slot: SlotName): string {
    return join(this.#dir, `${slot}.bin`);
  }

  #read(): OtaData {
    try {
      return JSON.parse(readFileSync(join(this.#dir, "otadata.json"), "utf8")) as OtaData;
    }
    catch {
      return { boot: "factory", previous: "factory", states: {} };
    }
  }

  #write(data: OtaData): void {
    const path = join(this.#dir, "otadata.json");
    writeFileSync(`${path}.tmp`, JSON.stringify(data));
    renameSync(`${path}.tmp`, path);
  }

  /** The slot's image descriptor, or undefined when the slot holds no readable image. */
  #descriptor(slot: SlotName): ImageDescriptor | undefined {
    if (!existsSync(this.slotPath(slot))) return undefined;
    const descriptor = descriptorOf(this.slotPath(slot));
    return typeof descriptor === "string" ? undefined : descriptor;
  }

  /**
   * The bootloader: picks the image to run and records this boot.
   * Returns the image, its descriptor (for a slot) and a line saying what it did.
   */
  boot(): { image: ImageName; descriptor?: ImageDescriptor; log: string } {
    const data = this.#read();
    let log: string;
    let image = data.boot;
    let descriptor: ImageDescriptor | undefined;
    if (image !== "factory") {
      const state = data.states[image];
      descriptor = this.#descriptor(image);
      const usable = descriptor !== undefined;
      if (state === "new" && usable) {
        data.states[image] = "pending";
        log = `bootloader: booting ${image}, new: pending verification`;
        this.#write(data);
      }
      else if (state === "valid" && usable) {
        log = `bootloader: booting ${image}`;
      }
      else {
        if (state === "pending") data.states[image] = "aborted";
        const reason = state === "pending" ? "restarted before it was confirmed" : !usable ? "its image is missing or damaged" : `it is ${state}`;
        log = `bootloader: not booting ${image} (${reason}); booting ${data.previous} instead`;
        image = data.previous;
        // The previous image must be a confirmed, readable slot; otherwise the factory app, as a last resort.
        descriptor = image === "factory" || data.states[image] !== "valid" ? undefined : this.#descriptor(image);
        if (!descriptor) image = "factory";
        data.boot = image;
        this.#write(data);
      }
    }
    else {
      log = "bootloader: booting factory";
    }
    this.running = image;
    return { image, descriptor, log };
  }

  /** The running image's state for the firmware: factory, valid or pending. */
  state(): "factory" | "valid" | "pending" {
    if (this.running === "factory") return "factory";
    return this.#read().states[this.running] === "pending" ? "pending" : "valid";
  }

  /** embedded:update open(): erases the slot the running image is not in. */
  open(byteLength?: number): SlotName {
    if (byteLength !== undefined && (!Number.isInteger(byteLength) || byteLength < 0 || byteLength > SLOT_SIZE)) throw new RangeError("invalid byteLength");
    this.abandon();
    const slot = other(this.running);
    this.#writing = { slot, fd: openSync(this.slotPath(slot), "w"), written: 0, byteLength };
    return slot;
  }

  write(bytes: Uint8Array): void {
    const writing = this.#writing;
    if (!writing) throw new Error("already complete");
    if (writing.written + bytes.length > SLOT_SIZE) throw new Error("write failed");
    writeSync(writing.fd, bytes);
    writing.written += bytes.length;
  }

  /** embedded:update complete(): checks the image (as esp_ota_end does) and makes it the boot image, new. */
  complete(): void {
    const writing = this.#writing;
    if (!writing) throw new Error("already complete");
    this.#writing = undefined;
    closeSync(writing.fd);
    if (writing.byteLength !== undefined && writing.written !== writing.byteLength) throw new Error("end failed");
    if (typeof descriptorOf(this.slotPath(writing.slot)) === "string") throw new Error("end failed");
    const data = this.#read();
    data.states[writing.slot] = "new";
    data.previous = this.running;
    data.boot = writing.slot;
    this.#write(data);
  }

  /** embedded:update close() before complete(): the slot's content is abandoned. */
  abandon(): void {
    if (this.#writing) closeSync(this.#writing.fd);
    this.#writing = undefined;
  }

  markValid(): void {
    if (this.running === "factory") return;
    const data = this.#read();
    data.states[this.running] = "valid";
    this.#write(data);
  }

  /** Another trial boot for the running pending image: new again, as esp_ota_set_boot_partition(running) makes it. */
  retry(): void {
    const data = this.#read();
    if (this.running === "factory" || data.states[this.running] !== "pending") return;
    data.states[this.running] = "new";
    this.#write(data);
  }

  /** Marks the running image invalid and selects the previous one (the caller restarts). */
  rollback(): void {
    if (this.running === "factory") throw new Error("the factory image has nothing to roll back to");
    const data = this.#read();
    data.states[this.running] = "invalid";
    data.boot = data.previous === this.running ? "factory" : data.previous;
    this.#write(data);
  }

  /** Empties both slots and otadata: the next boot runs the factory image. */
  erase(): void {
    this.abandon();
    rmSync(this.#dir, { recursive: true, force: true });
    mkdirSync(this.#dir, { recursive: true });
  }

  /** What otadata says, for tests and logs. */
  describe(): OtaData {
    return this.#read();
  }
}
