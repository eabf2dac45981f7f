/*
 * `crypt`: the Moddable SDK's native message digests (modules/crypt/digest),
 * as far as the firmware uses them. @moddable/typings has no declaration;
 * the SDK's own (typings/crypt.d.ts) is excluded in manifest.json for this
 * one, which also takes typed-array views, as modCrypt.c's
 * xsmcGetBufferReadable does.
 */
declare module "crypt" {
  export class Digest {
    constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
    write(message: string | ArrayBuffer | ArrayBufferView): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
