/*
 * `crypt` for the Node host: the SDK's native Digest (modules/crypt/digest)
 * on node:crypto. The XS host has its own (sim/xs/engine/modules/crypt.ts).
 */

import { createHash, type Hash } from "node:crypto";

const ALGORITHMS: Record<string, string> = { MD5: "md5", SHA1: "sha1", SHA224: "sha224", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512" };

export class Digest {
  readonly #algorithm: string;
  #hash: Hash;

  constructor(type: string) {
    const algorithm = ALGORITHMS[type];
    if (!algorithm) throw new Error("unsupported digest");
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  write(message: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof message === "string") this.#hash.update(message, "utf8");
    else if (ArrayBuffer.isView(message)) this.#hash.update(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    else this.#hash.update(new Uint8Array(message));
  }

  close(): ArrayBuffer {
    const digest = this.#hash.digest();
    this.#hash = createHash(this.#algorithm);
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
  }

  reset(): void {
    this.#hash = createHash(this.#algorithm);
  }
}
