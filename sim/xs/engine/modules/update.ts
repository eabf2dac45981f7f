/*
 * `embedded:update` for the XS host: the Node host's implementation
 * (sim/node/modules/update.ts, over sim/flash.ts) on the other side of the bridge.
 */

import { call } from "../bridge";

class Update {
  #open = true;

  write(buffer: ArrayBuffer | ArrayBufferView, byteOffset?: number): void {
    if (!this.#open) throw new Error("already complete");
    if (byteOffset !== undefined) throw new Error("offset not allowed");
    const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
    call("update.write", {}, bytes);
  }

  complete(): void {
    if (!this.#open) throw new Error("already complete");
    this.#open = false;
    call("update.complete");
  }

  close(): void {
    if (this.#open) call("update.close");
    this.#open = false;
  }

  get format(): string {
    return "buffer";
  }
}

export default Object.freeze({
  open(options: { partition: { path?: string }; byteLength?: number; mode?: "a" | "w" }): Update {
    call("update.open", { partition: options?.partition?.path, byteLength: options?.byteLength, mode: options?.mode });
    return new Update();
  },
});
