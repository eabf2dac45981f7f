/*
 * Update announcements: what the release pipeline (tools/release.ts)
 * publishes, retained, on the update topic, and the checks a device makes
 * before it downloads a byte.
 *
 *   {"manifest": "<JSON text>", "key": "<key id>", "signature": "<r||s, 128 hex digits>"}
 *
 * The signature (ECDSA P-256 over SHA-256) covers the UTF-8 bytes of the
 * manifest text exactly as sent, so nothing depends on how JSON is
 * re-serialised. The manifest text is
 *
 *   {"version":"0.2.0+3f2a9c1","counter":2,"target":"sim","size":81234,
 *    "sha256":"<64 hex digits>","url":"http://host/sim/0.2.0.bin","downgrade":false}
 *
 * The key id (the first 8 bytes of the SHA-256 of the public key, hex) only
 * says which key signed, so a device can tell "signed by another key" from
 * "tampered with"; it is trusted for nothing.
 */

import { decodeUTF8, encodeUTF8 } from "mqtt/utf8";
import { verify } from "ota/p256";
import { sha256 } from "ota/sha256";
import { compareVersions, parseVersion, type Version } from "ota/version";

/** Announcements are small; anything bigger is refused before parsing. */
export const MAX_ANNOUNCEMENT_BYTES = 2048;

export interface UpdateManifest {
  readonly version: string;
  /** Security counter: monotonic across releases; a device refuses a lower one. */
  readonly counter: number;
  readonly target: string;
  readonly size: number;
  /** SHA-256 of the image, 32 bytes. */
  readonly sha256: Uint8Array;
  readonly url: string;
  /**
   * Signed as an explicit downgrade: a lower version is allowed. The security
   * counter never goes down, downgrade or not: a downgrade is a new release
   * of old code with the next counter, so an old announcement cannot be
   * replayed once a newer release is installed.
   */
  readonly downgrade: boolean;
}

export type RefusalReason =
  | "malformed"
  | "unsigned"
  | "wrong-key"
  | "bad-signature"
  | "wrong-target"
  | "oversized"
  | "downgrade";

export type AnnouncementCheck =
  | { readonly kind: "install"; readonly manifest: UpdateManifest }
  /** The running image is this release already. */
  | { readonly kind: "current"; readonly manifest: UpdateManifest }
  | { readonly kind: "refused"; readonly reason: RefusalReason; readonly message: string; readonly version?: string };

export interface Trust {
  /** The release key, an uncompressed P-256 point (65 bytes). */
  readonly publicKey: Uint8Array;
  /** This firmware's target, e.g. "sim" or "esp32/nodemcu". */
  readonly target: string;
  /** The running image's version and the lowest security counter still accepted. */
  readonly version: Version & { readonly text: string };
  readonly counter: number;
  /** The update slot's size in bytes. */
  readonly slotSize: number;
}

export function hexBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesHex(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return text;
}

/** The key id the pipeline writes next to a signature: the first 8 bytes of SHA-256(public key), hex. */
export function keyId(publicKey: Uint8Array): string {
  return bytesHex(sha256(publicKey).subarray(0, 8));
}

const refused = (reason: RefusalReason, message: string, version?: string): AnnouncementCheck => ({ kind: "refused", reason, message, version });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const isCount = (value: unknown, max: number): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max;

/** The manifest's fields, or why they are not a manifest. */
export function parseManifest(text: string): UpdateManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  }
  catch {
    return "the manifest is not JSON";
  }
  if (!isRecord(value)) return "the manifest is not a JSON object";
  const { version, counter, target, size, url, downgrade } = value;
  if (typeof version !== "string" || !parseVersion(version)) return "manifest version: expected MAJOR.MINOR.PATCH[+build]";
  if (!isCount(counter, 0xffffffff)) return "manifest counter: expected an integer from 0 to 4294967295";
  if (typeof target !== "string" || !target) return "manifest target: expected a target name";
  if (!isCount(size, 0xffffffff) || size === 0) return "manifest size: expected the image size in bytes";
  const digest = typeof value.sha256 === "string" && value.sha256.length === 64 ? hexBytes(value.sha256) : undefined;
  if (!digest) return "manifest sha256: expected 64 hex digits";
  if (typeof url !== "string" || !/^https?:\/\/[^/\s]+\/\S*$/.test(url)) return "manifest url: expected an http:// or https:// URL";
  if (downgrade !== undefined && typeof downgrade !== "boolean") return "manifest downgrade: expected true or false";
  return { version, counter, target, size, sha256: digest, url, downgrade: downgrade === true };
}

/**
 * Checks an announcement's payload against the device's trust and state:
 * its signature first (nothing unsigned is even parsed further), then
 * target, size and anti-rollback.
 */
export function checkAnnouncement(payload: Uint8Array, trust: Trust): AnnouncementCheck {
  if (payload.length > MAX_ANNOUNCEMENT_BYTES) return refused("malformed", `the announcement is ${payload.length} bytes; at most ${MAX_ANNOUNCEMENT_BYTES}`);
  const text = decodeUTF8(payload);
  let outer: unknown;
  try {
    outer = text === undefined ? undefined : JSON.parse(text);
  }
  catch {
    outer = undefined;
  }
  if (!isRecord(outer) || typeof outer.manifest !== "string") return refused("malformed", "the announcement is not {\"manifest\", \"key\", \"signature\"} JSON");
  if (outer.signature === undefined || outer.signature === "") return refused("unsigned", "the announcement carries no signature");
  const signature = typeof outer.signature === "string" && outer.signature.length === 128 ? hexBytes(outer.signature) : undefined;
  if (!signature) return refused("malformed", "signature: expected 128 hex digits (r || s)");
  const ours = keyId(trust.publicKey);
  if (typeof outer.key === "string" && outer.key.toLowerCase() !== ours)
    return refused("wrong-key", `signed by key ${outer.key.slice(0, 16)}, this device trusts key ${ours}`);
  if (!verify(trust.publicKey, sha256(encodeUTF8(outer.manifest)), signature))
    return refused("bad-signature", "the signature does not match the manifest: tampered with, or signed by another key");

  const manifest = parseManifest(outer.manifest);
  if (typeof manifest === "string") return refused("malformed", manifest);
  const version = manifest.version;
  if (manifest.target !== trust.target) return refused("wrong-target", `built for ${manifest.target}, this device is ${trust.target}`, version);
  if (manifest.size > trust.slotSize) return refused("oversized", `the image is ${manifest.size} bytes; the update slot holds ${trust.slotSize}`, version);
  if (version === trust.version.text) return { kind: "current", manifest };
  if (!manifest.downgrade && compareVersions(parseVersion(version)!, trust.version) < 0)
    return refused("downgrade", `version ${version} is older than the running ${trust.version.text}; a downgrade must be signed as one`, version);
  if (manifest.counter < trust.counter)
    return refused("downgrade", `security counter ${manifest.counter} is below this device's ${trust.counter}: an older release, replayed or out of date (a downgrade is released with a new counter)`, version);
  return { kind: "install", manifest };
}
