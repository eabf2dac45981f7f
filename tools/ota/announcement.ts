/*
 * The pipeline's side of update announcements (the device's side, and the
 * format, is src/ota/manifest.ts): the manifest text, signed as it is sent.
 */

import { hexBytes, keyId } from "../../src/ota/manifest";
import { type SigningKey, signBytes } from "./keys";

export interface ManifestFields {
  version: string;
  counter: number;
  target: string;
  size: number;
  /** The image's SHA-256, 64 hex digits. */
  sha256: string;
  url: string;
  downgrade?: boolean;
}

/** The manifest text, fields in a fixed order. */
export function manifestText(fields: ManifestFields): string {
  const { version, counter, target, size, sha256, url, downgrade = false } = fields;
  return JSON.stringify({ version, counter, target, size, sha256, url, downgrade });
}

/** The key id devices match announcements by (src/ota/manifest.ts keyId). */
export function keyIdOf(publicHex: string): string {
  const key = hexBytes(publicHex);
  if (!key) throw new Error("public key is not hex");
  return keyId(key);
}

/** The announcement payload: {"manifest", "key", "signature"}. */
export function signedAnnouncement(fields: ManifestFields, key: SigningKey): string {
  const manifest = manifestText(fields);
  const signature = signBytes(Buffer.from(manifest, "utf8"), key.privateKey).toString("hex");
  return JSON.stringify({ manifest, key: keyIdOf(key.publicHex), signature });
}
