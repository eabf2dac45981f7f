/*
 * The writer `embedded:update`'s open() returns in the simulator hosts, as
 * the SDK's (modules/io/update/esp32/update-esp32.js) behaves: sequential
 * writes only, complete() once, close() abandoning an incomplete update.
 * Where the bytes go is the host's: the flash directly (Node host) or
 * across the bridge (XS host). No Node APIs: the XS host bundles it.
 */

export interface SlotOperations {
  write(bytes: Uint8Array): void;
  complete(): void;
  abandon(): void;
}

export class UpdateWriter {
  #open = true;
  readonly #slot: SlotOperations;

  constructor(slot: SlotOperations) {
    this.#slot = slot;
  }

  write(buffer: ArrayBuffer | ArrayBufferView, byteOffset?: number): void {
    if (!this.#open) throw new Error("already complete");
    if (byteOffset !== undefined) throw new Error("offset not allowed");
    this.#slot.write(ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer));
  }

  complete(): void {
    if (!this.#open) throw new Error("already complete");
    this.#open = false;
    this.#slot.complete();
  }

  close(): void {
    if (this.#open) this.#slot.abandon();
    this.#open = false;
  }

  get format(): string {
    return "buffer";
  }
}
