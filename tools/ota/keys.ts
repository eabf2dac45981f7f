/*
 * The release signing key (ECDSA P-256). The private key never enters the
 * repo: it is read from $OTA_SIGNING_KEY (the PEM text, or a path to it) or
 * from keys/ota-signing.key.pem (git-ignored). The public key goes into the
 * firmware as manifest config `ota.publicKey`: 130 hex digits, the
 * uncompressed point, written to keys/ota-public.hex for device builds
 * (`ota.publicKey=$(cat keys/ota-public.hex)`).
 */

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../sim/firmware-modules";

export const KEYS_DIR = join(ROOT, "keys");
export const PRIVATE_KEY_FILE = join(KEYS_DIR, "ota-signing.key.pem");
export const PUBLIC_KEY_FILE = join(KEYS_DIR, "ota-public.hex");

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** The public key as the firmware's `ota.publicKey` config: 0x04 || X || Y in hex. */
  readonly publicHex: string;
  /** Where it came from, for messages (never the key itself). */
  readonly source: string;
}

export function publicKeyHex(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  if (jwk.crv !== "P-256") throw new Error(`the signing key is ${jwk.crv ?? jwk.kty}, not an ECDSA P-256 key (make one with npm run keygen)`);
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]).toString("hex");
}

/** A new signing key (npm run keygen writes one; tests and benches make their own). */
export function generateSigningKey(source = "generated"): SigningKey {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicHex: publicKeyHex(privateKey), source };
}

/** The signing key from `path`, $OTA_SIGNING_KEY or keys/; throws a message that says how to make one. */
export function loadSigningKey(path?: string): SigningKey {
  const fromEnvironment = process.env.OTA_SIGNING_KEY;
  let pem: string;
  let source: string;
  if (path) {
    if (!existsSync(path)) throw new Error(`signing key ${path} does not exist`);
    pem = readFileSync(path, "utf8");
    source = path;
  }
  else if (fromEnvironment) {
    const inline = fromEnvironment.includes("-----BEGIN");
    if (!inline && !existsSync(fromEnvironment)) throw new Error(`$OTA_SIGNING_KEY names ${fromEnvironment}, which does not exist`);
    pem = inline ? fromEnvironment : readFileSync(fromEnvironment, "utf8");
    source = inline ? "$OTA_SIGNING_KEY" : fromEnvironment;
  }
  else if (existsSync(PRIVATE_KEY_FILE)) {
    pem = readFileSync(PRIVATE_KEY_FILE, "utf8");
    source = "keys/ota-signing.key.pem";
  }
  else {
    throw new Error("no signing key: run `npm run keygen` (writes keys/ota-signing.key.pem), or set $OTA_SIGNING_KEY to the PEM or its path");
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  }
  catch (error) {
    throw new Error(`signing key from ${source} is not a PEM private key (${(error as Error).message})`);
  }
  return { privateKey, publicHex: publicKeyHex(privateKey), source };
}

/** ECDSA P-256 over SHA-256 of `bytes`, as r || s (src/ota/p256.ts verifies it). */
export function signBytes(bytes: Uint8Array, key: KeyObject): Buffer {
  return sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" });
}
