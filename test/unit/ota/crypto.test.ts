/*
 * The update agent's SHA-256 and ECDSA P-256 verification (src/ota/sha256.ts,
 * src/ota/p256.ts) against published vectors (FIPS 180-4 examples, RFC 6979
 * A.2.5) and against an independent implementation, node:crypto (OpenSSL),
 * on random inputs: streamed in random chunks, signed with fresh keys,
 * tampered with bit by bit.
 */

import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify as nodeVerify } from "node:crypto";
import { describe, it } from "node:test";
import { publicKeyPoint, verify } from "../../../src/ota/p256";
import { SHA256, sha256 } from "../../../src/ota/sha256";
import { seededRandom } from "../mqtt/random";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const text = (value: string) => new Uint8Array(Buffer.from(value));
const fromHex = (value: string) => new Uint8Array(Buffer.from(value, "hex"));

function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]));
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicKey, raw: rawPublicKey(publicKey) };
}

const signRaw = (message: Uint8Array, privateKey: KeyObject) => new Uint8Array(sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" }));

describe("SHA-256", () => {
  it("matches the FIPS 180-4 example digests", () => {
    assert.equal(hex(sha256(text("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hex(sha256(text(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(hex(sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const million = new SHA256();
    const chunk = new Uint8Array(1000).fill(0x61);
    for (let i = 0; i < 1000; i++) million.update(chunk);
    assert.equal(hex(million.digest()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("matches node:crypto on random data streamed in random chunks, across every padding boundary", () => {
    const random = seededRandom(256);
    const lengths = [...Array.from({ length: 130 }, (_, i) => i), 1000, 4096, 65_537];
    for (const length of lengths) {
      const data = new Uint8Array(length).map(() => Math.floor(random() * 256));
      const hash = new SHA256();
      for (let offset = 0; offset < length;) {
        const size = Math.min(length - offset, 1 + Math.floor(random() * 150));
        hash.update(data.subarray(offset, offset + size));
        offset += size;
      }
      assert.equal(hex(hash.digest()), createHash("sha256").update(data).digest("hex"), `${length} bytes`);
    }
  });

  it("refuses to be used after its digest", () => {
    const hash = new SHA256().update(text("x"));
    hash.digest();
    assert.throws(() => hash.update(text("y")), /after digest/);
    assert.throws(() => hash.digest(), /twice/);
  });
});

describe("ECDSA P-256 verification", () => {
  it("accepts RFC 6979's A.2.5 signature of \"sample\" with SHA-256", () => {
    const key = fromHex("04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
    const signature = fromHex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716" + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
    const nodeKey = createPublicKey({ key: spki(key), format: "der", type: "spki" });
    assert.equal(nodeVerify("sha256", text("sample"), { key: nodeKey, dsaEncoding: "ieee-p1363" }, signature), true, "node:crypto agrees on the vector");
    assert.equal(verify(key, sha256(text("sample")), signature), true);
    assert.equal(verify(key, sha256(text("samplf")), signature), false);
  });

  it("agrees with node:crypto on signatures by fresh keys, and on every single-bit tampering of a few", () => {
    const random = seededRandom(6979);
    for (let round = 0; round < 12; round++) {
      const { privateKey, publicKey, raw } = keyPair();
      const message = new Uint8Array(1 + Math.floor(random() * 300)).map(() => Math.floor(random() * 256));
      const signature = signRaw(message, privateKey);
      assert.equal(verify(raw, sha256(message), signature), true, `round ${round}`);
      const bit = Math.floor(random() * 512);
      const tampered = signature.slice();
      tampered[bit >> 3] ^= 1 << (bit & 7);
      const node = nodeVerify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, tampered);
      assert.equal(verify(raw, sha256(message), tampered), node, `round ${round}, signature bit ${bit}`);
      assert.equal(node, false);
      const otherMessage = message.slice();
      otherMessage[0] ^= 0x80;
      assert.equal(verify(raw, sha256(otherMessage), signature), false, "another message");
      assert.equal(verify(keyPair().raw, sha256(message), signature), false, "another key");
    }
  });

  it("accepts the high-s twin of a signature, as ECDSA (and node:crypto) does", () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const { privateKey, publicKey, raw } = keyPair();
    const message = text("version 2");
    const signature = signRaw(message, privateKey);
    const s = BigInt("0x" + hex(signature.subarray(32)));
    const twin = new Uint8Array([...signature.subarray(0, 32), ...fromHex((n - s).toString(16).padStart(64, "0"))]);
    assert.equal(nodeVerify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, twin), true);
    assert.equal(verify(raw, sha256(message), twin), true);
  });

  it("rejects out-of-range r and s, wrong lengths and keys off the curve", () => {
    const { privateKey, raw } = keyPair();
    const message = text("m");
    const hash = sha256(message);
    const signature = signRaw(message, privateKey);
    const n = fromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const zero = new Uint8Array(32);
    for (const [name, bad] of [
      ["r = 0", [...zero, ...signature.subarray(32)]],
      ["s = 0", [...signature.subarray(0, 32), ...zero]],
      ["r = n", [...n, ...signature.subarray(32)]],
      ["s = n", [...signature.subarray(0, 32), ...n]],
      ["63 bytes", [...signature.subarray(0, 63)]],
      ["65 bytes", [...signature, 0]],
    ] as const) assert.equal(verify(raw, hash, new Uint8Array(bad)), false, name);
    const offCurve = raw.slice();
    offCurve[64] ^= 1;
    assert.match(String(publicKeyPoint(offCurve)), /not a point on P-256/);
    assert.equal(verify(offCurve, hash, signature), false);
    assert.match(String(publicKeyPoint(raw.subarray(0, 33))), /65 bytes/);
    const compressedPrefix = raw.slice();
    compressedPrefix[0] = 2;
    assert.equal(verify(compressedPrefix, hash, signature), false);
    assert.equal(verify(raw, hash.subarray(0, 31), signature), false, "short hash");
  });
});

/** DER SubjectPublicKeyInfo for a raw P-256 point, so node:crypto can check the RFC's vector too. */
function spki(point: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"), Buffer.from(point)]);
}
