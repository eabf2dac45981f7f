/*
 * `crypt` for the XS host: the SDK's native Digest, SHA-256 only, in the
 * firmware's own TypeScript SHA-256 (src/ota/sha256.ts) inside the engine;
 * the host has no native code of its own to give it.
 */

import { SHA256 } from "../../../../src/ota/sha256";

export class Digest {
  #hash = new SHA256();

  constructor(type: string) {
    if (type !== "SHA256") throw new Error("unsupported digest: the XS host's crypt has SHA256 only");
  }

  write(message: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof message === "string") throw new TypeError("the XS host's crypt hashes buffers only");
    this.#hash.update(ArrayBuffer.isView(message) ? new Uint8Array(message.buffer, message.byteOffset, message.byteLength) : new Uint8Array(message));
  }

  close(): ArrayBuffer {
    const digest = this.#hash.digest();
    this.#hash = new SHA256();
    return digest.buffer as ArrayBuffer;
  }

  reset(): void {
    this.#hash = new SHA256();
  }
}
