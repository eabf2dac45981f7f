/*
 * SHA-256 (FIPS 180-4), streaming: an update image is hashed chunk by chunk
 * as it arrives, never held whole. Pure TypeScript so the same code runs on
 * every host; the work buffers are allocated once per hash (336 bytes).
 */

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = Uint32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

// Section 5.3.3: the initial hash value.
const H0 = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export class SHA256 {
  readonly #state = H0.slice();
  readonly #block = new Uint8Array(64);
  readonly #words = new Uint32Array(64);
  #blockLength = 0;
  /** Bytes hashed so far; a Number is exact up to 2^53, far beyond any image. */
  #total = 0;
  #finished = false;

  /** Adds `bytes` (any length) to the hash. */
  update(bytes: Uint8Array): this {
    if (this.#finished) throw new Error("SHA256: update() after digest()");
    let offset = 0;
    this.#total += bytes.length;
    if (this.#blockLength > 0) {
      const take = Math.min(64 - this.#blockLength, bytes.length);
      this.#block.set(bytes.subarray(0, take), this.#blockLength);
      this.#blockLength += take;
      offset = take;
      if (this.#blockLength < 64) return this;
      this.#compress(this.#block, 0);
      this.#blockLength = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) this.#compress(bytes, offset);
    if (offset < bytes.length) {
      this.#block.set(bytes.subarray(offset), 0);
      this.#blockLength = bytes.length - offset;
    }
    return this;
  }

  /** The 32-byte digest; the hash cannot be updated after this. */
  digest(): Uint8Array {
    if (this.#finished) throw new Error("SHA256: digest() called twice");
    // Section 5.1.1: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian number.
    const bits = this.#total * 8;
    const block = this.#block;
    block[this.#blockLength++] = 0x80;
    if (this.#blockLength > 56) {
      block.fill(0, this.#blockLength);
      this.#compress(block, 0);
      this.#blockLength = 0;
    }
    block.fill(0, this.#blockLength, 56);
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    for (let i = 0; i < 4; i++) {
      block[56 + i] = (high >>> (24 - 8 * i)) & 0xff;
      block[60 + i] = (low >>> (24 - 8 * i)) & 0xff;
    }
    this.#compress(block, 0);
    this.#finished = true;
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      const word = this.#state[i];
      out[4 * i] = word >>> 24;
      out[4 * i + 1] = (word >>> 16) & 0xff;
      out[4 * i + 2] = (word >>> 8) & 0xff;
      out[4 * i + 3] = word & 0xff;
    }
    return out;
  }

  // Section 6.2.2: the compression function on one 64-byte block.
  #compress(bytes: Uint8Array, offset: number): void {
    const w = this.#words;
    for (let t = 0; t < 16; t++) {
      const i = offset + 4 * t;
      w[t] = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15], b = w[t - 2];
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    const state = this.#state;
    let a = state[0], b = state[1], c = state[2], d = state[3];
    let e = state[4], f = state[5], g = state[6], h = state[7];
    for (let t = 0; t < 64; t++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0;
      d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
  }
}

/** The SHA-256 digest of `bytes` in one call. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new SHA256().update(bytes).digest();
}
