/*
 * ECDSA signature verification on NIST P-256 (FIPS 186-4 section 6.4.2 with
 * SHA-256), in BigInt arithmetic so the same code runs on every host. It only
 * verifies public data (a manifest signature against a built-in public key),
 * so it needs no constant-time care; it does check every input: the key is a
 * point on the curve, r and s are in [1, n-1].
 *
 * Keys are uncompressed SEC 1 points (0x04 || X || Y, 65 bytes); signatures
 * are r || s (64 bytes, IEEE P1363), what node:crypto's
 * sign(..., {dsaEncoding: "ieee-p1363"}) writes.
 */

// FIPS 186-4 appendix D.1.2.3 (curve P-256): y^2 = x^3 - 3x + b over GF(p), base point G of order n.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

export const PUBLIC_KEY_LENGTH = 65;
export const SIGNATURE_LENGTH = 64;

/** A point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is the point at infinity. */
type Point = [bigint, bigint, bigint];

const mod = (a: bigint, m: bigint) => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError("p256: no inverse");
  return mod(oldS, m);
}

// Doubling for a = -3 (Bernstein-Lange, "dbl-2001-b").
function double([x, y, z]: Point): Point {
  if (z === 0n || y === 0n) return [1n, 1n, 0n];
  const delta = z * z % P;
  const gamma = y * y % P;
  const beta = x * gamma % P;
  const alpha = 3n * mod(x - delta, P) * (x + delta) % P;
  const x3 = mod(alpha * alpha - 8n * beta, P);
  const z3 = mod((y + z) * (y + z) - gamma - delta, P);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, P);
  return [x3, y3, z3];
}

// General addition ("add-2007-bl").
function add(p: Point, q: Point): Point {
  const [x1, y1, z1] = p, [x2, y2, z2] = q;
  if (z1 === 0n) return q;
  if (z2 === 0n) return p;
  const z1z1 = z1 * z1 % P, z2z2 = z2 * z2 % P;
  const u1 = x1 * z2z2 % P, u2 = x2 * z1z1 % P;
  const s1 = y1 * z2 % P * z2z2 % P, s2 = y2 * z1 % P * z1z1 % P;
  const h = mod(u2 - u1, P);
  const r = mod(2n * (s2 - s1), P);
  if (h === 0n) return r === 0n ? double(p) : [1n, 1n, 0n];
  const i = 4n * h * h % P;
  const j = h * i % P;
  const v = u1 * i % P;
  const x3 = mod(r * r - j - 2n * v, P);
  const y3 = mod(r * (v - x3) - 2n * s1 * j, P);
  const z3 = mod(((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h, P);
  return [x3, y3, z3];
}

/** u1*G + u2*Q by Shamir's trick: one pass over the bits of both scalars. */
function twoMultiply(u1: bigint, u2: bigint, q: Point): Point {
  const g: Point = [GX, GY, 1n];
  const gq = add(g, q);
  let acc: Point = [1n, 1n, 0n];
  for (let bit = 255n; bit >= 0n; bit--) {
    acc = double(acc);
    const b1 = (u1 >> bit) & 1n, b2 = (u2 >> bit) & 1n;
    if (b1 && b2) acc = add(acc, gq);
    else if (b1) acc = add(acc, g);
    else if (b2) acc = add(acc, q);
  }
  return acc;
}

function toBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  let value = 0n;
  for (let i = start; i < end; i++) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/** The key's point, or a reason it is not a usable P-256 public key. */
export function publicKeyPoint(key: Uint8Array): Point | string {
  if (key.length !== PUBLIC_KEY_LENGTH || key[0] !== 4) return `a P-256 public key is ${PUBLIC_KEY_LENGTH} bytes starting 0x04 (uncompressed); got ${key.length} bytes`;
  const x = toBigInt(key, 1, 33), y = toBigInt(key, 33, 65);
  if (x >= P || y >= P) return "public key coordinates out of range";
  if (mod(y * y - (x * x * x - 3n * x + B), P) !== 0n) return "public key is not a point on P-256";
  return [x, y, 1n];
}

/**
 * Whether `signature` (r || s) is a valid ECDSA P-256 signature of the
 * SHA-256 digest `hash` under `publicKey`. Malformed input is simply invalid.
 */
export function verify(publicKey: Uint8Array, hash: Uint8Array, signature: Uint8Array): boolean {
  if (hash.length !== 32 || signature.length !== SIGNATURE_LENGTH) return false;
  const q = publicKeyPoint(publicKey);
  if (typeof q === "string") return false;
  const r = toBigInt(signature, 0, 32), s = toBigInt(signature, 32, 64);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  // Section 6.4.2: e from the hash (P-256's n has 256 bits, so all of it), then R = u1*G + u2*Q.
  const e = toBigInt(hash, 0, 32);
  const w = inverse(s, N);
  const point = twoMultiply(mod(e * w, N), r * w % N, q);
  if (point[2] === 0n) return false;
  const zInverse = inverse(point[2], P);
  const x = point[0] * zInverse % P * zInverse % P;
  return x % N === r;
}
