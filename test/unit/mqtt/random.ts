/*
 * Seeded randomness for the reader and fuzz tests (not a test file itself).
 * Kept apart from support.ts so the fuzz worker does not load node:test.
 */

/** A small seeded PRNG (mulberry32): deterministic runs without fast-check's overhead. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into chunks at random places (sometimes one chunk, sometimes one byte each). */
export function randomChunks(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const style = random();
  if (style < 0.15) return [bytes];
  if (style < 0.25) return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  const chunks: Uint8Array[] = [];
  const average = 1 + Math.floor(random() * 32);
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 2 * average);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (random() < 0.1) chunks.splice(Math.floor(random() * (chunks.length + 1)), 0, new Uint8Array(0));
  return chunks;
}
