/*
 * The release pipeline's steps (the CLI is tools/release.ts): build an image
 * for a target, stamp version and security counter, hash, sign the manifest,
 * write image and announcement into the release folder, publish the
 * announcement (retained) over MQTT.
 *
 *   <out>/<target>/<version>.bin    the image
 *   <out>/<target>/<version>.json   the signed announcement
 *   <out>/<target>/counter          the last security counter used (monotonic)
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import mqtt from "mqtt";
import { ROOT } from "../../sim/firmware-modules";
import { buildSimulatorImage } from "../../sim/image";
import { parseManifest } from "../../src/ota/manifest";
import { parseVersion } from "../../src/ota/version";
import { type ManifestFields, manifestText, signedAnnouncement } from "./announcement";
import type { SigningKey } from "./keys";

export interface ReleaseOptions {
  /** "sim", "esp32/<board>" (needs $MODDABLE) or "pico_w" (refused: no OTA). */
  target: string;
  key: SigningKey;
  /** The release folder. */
  out: string;
  /** Where devices fetch images: the folder's URL (e.g. http://192.168.1.5:8080). */
  baseURL: string;
  /** Default: package.json's version + "+" + the git commit. */
  version?: string;
  /** Default: the folder's last counter for the target + 1. */
  counter?: number;
  /** Sign as an explicit downgrade (devices accept a lower version and counter). */
  downgrade?: boolean;
  /** Firmware config for the build (key=value); these keys are pinned in simulator images. */
  config?: Record<string, string>;
  progress?(line: string): void;
}

export interface Release {
  manifest: ManifestFields;
  /** The announcement payload, as published. */
  announcement: string;
  imagePath: string;
  announcementPath: string;
}

export function defaultVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const commit = spawnSync("git", ["rev-parse", "--short=7", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  if (commit.status !== 0) return pkg.version;
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() !== "";
  // Two builds of one dirty tree must not share a version, or devices would take the second for the first.
  return `${pkg.version}+${commit.stdout.trim()}${dirty ? `.dirty.${Math.floor(Date.now() / 1000)}` : ""}`;
}

/** The last security counter released for the target, or undefined before the first release. */
function lastCounter(counterFile: string): number | undefined {
  if (!existsSync(counterFile)) return undefined;
  const last = Number(readFileSync(counterFile, "utf8").trim());
  if (!Number.isInteger(last) || last < 0) throw new Error(`${counterFile} does not hold a counter; fix it or pass --counter`);
  return last;
}

async function buildImage(options: ReleaseOptions, stamp: Record<string, string | number>, log: (line: string) => void): Promise<Uint8Array> {
  const { target } = options;
  const config = { ...options.config, ...stamp };
  if (target === "sim") {
    log("building the simulator image (esbuild)");
    return buildSimulatorImage({ target, version: String(stamp.version), config, pinned: Object.keys(config) });
  }
  if (target === "pico_w" || target.startsWith("pico")) {
    throw new Error("Pico W cannot take over-the-air updates: the Moddable SDK has no OTA for Pico (README: Updates)");
  }
  const board = /^esp32\/([a-z0-9_-]+)$/.exec(target)?.[1];
  if (!board) throw new Error(`unknown target ${JSON.stringify(target)}: use sim or esp32/<board> (e.g. esp32/nodemcu)`);
  const moddable = process.env.MODDABLE;
  if (!moddable) throw new Error(`target ${target} is built with the Moddable SDK, and $MODDABLE is not set (README: Device builds); the sim target needs no SDK`);
  const args = ["-m", "-p", target, "-t", "build", "manifest.json", ...Object.entries(config).map(([key, value]) => `${key}=${value}`)];
  log(`mcconfig ${args.filter((arg) => !/^(password|mqtt\.password|mqtt\.key)=/.test(arg)).join(" ")}`);
  const built = spawnSync("mcconfig", args, { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`mcconfig failed (exit ${built.status ?? built.error?.message})`);
  const image = join(moddable, "build/bin/esp32", board, "release", basename(ROOT), "xs_esp32.bin");
  if (!existsSync(image)) throw new Error(`mcconfig finished but ${image} is not there`);
  return new Uint8Array(readFileSync(image));
}

/** Builds, stamps, hashes, signs and writes one release; returns what to announce. */
export async function release(options: ReleaseOptions): Promise<Release> {
  const log = options.progress ?? (() => undefined);
  const version = options.version ?? defaultVersion();
  // The device's own rule (src/ota/version.ts), so no release is signed that devices would refuse.
  if (!parseVersion(version)) throw new Error(`version ${JSON.stringify(version)} must be MAJOR.MINOR.PATCH[+build] (numbers without leading zeros, a build tag of at most 40 characters)`);
  const folder = join(options.out, options.target);
  const counterFile = join(folder, "counter");
  const last = lastCounter(counterFile);
  const counter = options.counter ?? (last ?? 0) + 1;
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw new Error(`--counter must be an integer from 0 to 4294967295`);
  const name = `${version}.bin`;
  const imagePath = join(folder, name);
  // A device may be resuming a download of it (HTTP Range): a release, once out, never changes.
  if (existsSync(imagePath)) throw new Error(`${imagePath} exists: version ${version} was released already; release a new version (or remove it if it was never announced)`);
  const started = Date.now();
  const image = await buildImage(options, { version, "ota.counter": counter, "ota.publicKey": options.key.publicHex, "ota.target": options.target }, log);
  log(`image: ${image.length} bytes in ${Date.now() - started} ms`);
  const sha256 = createHash("sha256").update(image).digest("hex");
  const manifest: ManifestFields = {
    version, counter, target: options.target, size: image.length, sha256,
    url: `${options.baseURL.replace(/\/$/, "")}/${options.target}/${encodeURIComponent(name)}`,
    downgrade: options.downgrade === true,
  };
  // Read back as a device reads it: a manifest devices would refuse is never signed.
  const refused = parseManifest(manifestText(manifest));
  if (typeof refused === "string") throw new Error(`devices would refuse this release: ${refused}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(imagePath, image);
  const announcement = signedAnnouncement(manifest, options.key);
  const announcementPath = join(folder, `${version}.json`);
  writeFileSync(announcementPath, `${announcement}\n`);
  if (counter > (last ?? -1)) writeFileSync(counterFile, `${counter}\n`);
  log(`signed ${version} (counter ${counter}, sha256 ${sha256.slice(0, 16)}..., key ${options.key.source}): ${imagePath}`);
  return { manifest, announcement, imagePath, announcementPath };
}

/** The topic devices of a target listen on: `<topicPrefix>/ota/<target>`. */
export function announceTopic(topicPrefix: string, target: string): string {
  return `${topicPrefix}/ota/${target}`;
}

/** Publishes the announcement retained at QoS 1 and waits for the broker's PUBACK. */
export async function publishAnnouncement(broker: string, topic: string, announcement: string): Promise<void> {
  const client = await mqtt.connectAsync(broker, { clientId: `xs-sensor-release-${process.pid}`, reconnectPeriod: 0, connectTimeout: 10_000 });
  try {
    await client.publishAsync(topic, announcement, { qos: 1, retain: true });
  }
  finally {
    await client.endAsync();
  }
}
