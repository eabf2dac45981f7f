/*
 * Firmware versions as the release pipeline stamps them: semantic versions
 * MAJOR.MINOR.PATCH with optional build metadata after "+" (the git commit,
 * "0.2.0+3f2a9c1"). Order ignores the build metadata, as semver says; two
 * builds of one version differ only in it.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly build: string;
}

const PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:\+([0-9A-Za-z.-]{1,40}))?$/;

/** The version, or undefined when `text` is not MAJOR.MINOR.PATCH[+build]. */
export function parseVersion(text: string): Version | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), build: match[4] ?? "" };
}

/** Negative when a is older than b, 0 when the same release (any build), positive when newer. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
