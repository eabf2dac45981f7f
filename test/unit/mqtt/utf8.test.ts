/*
 * Strict UTF-8 (MQTT 3.1.1 section 1.5.3, RFC 3629): lengths, encoding,
 * decoding, and agreement with Node's own fatal TextDecoder on random input.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { decodeUTF8, encodeUTF8, encodeUTF8With, utf8Length, utf8Problem, writeUTF8 } from "../../../src/mqtt/utf8";
import { seededRandom } from "./random";

const SEED = 0x0075_7466; // fixed: failures reproduce

/** Well-formed strings and their UTF-8, each boundary of Table 3-7 in the Unicode standard. */
const wellFormed: [name: string, text: string, bytes: number[]][] = [
  ["empty", "", []],
  ["U+0001, the smallest allowed code point", "\u0001", [0x01]],
  ["ASCII", "A/b", [0x41, 0x2f, 0x62]],
  ["U+007F, last one-byte form", "\u007f", [0x7f]],
  ["U+0080, first two-byte form", "\u0080", [0xc2, 0x80]],
  ["é U+00E9", "é", [0xc3, 0xa9]],
  ["U+07FF, last two-byte form", "\u07ff", [0xdf, 0xbf]],
  ["U+0800, first three-byte form", "\u0800", [0xe0, 0xa0, 0x80]],
  ["€ U+20AC", "€", [0xe2, 0x82, 0xac]],
  ["U+D7FF, just below the surrogates", "\ud7ff", [0xed, 0x9f, 0xbf]],
  ["U+E000, just above the surrogates", "\ue000", [0xee, 0x80, 0x80]],
  ["U+FEFF, a byte order mark kept as a character (1.5.3-3)", "\ufeff", [0xef, 0xbb, 0xbf]],
  ["U+FFFF, last three-byte form", "\uffff", [0xef, 0xbf, 0xbf]],
  ["U+10000, first four-byte form", "\u{10000}", [0xf0, 0x90, 0x80, 0x80]],
  ["😀 U+1F600", "😀", [0xf0, 0x9f, 0x98, 0x80]],
  ["U+10FFFF, the last code point", "\u{10ffff}", [0xf4, 0x8f, 0xbf, 0xbf]],
  ["the standard's example U+2A6D4 (1.5.3.1)", "A\u{2a6d4}", [0x41, 0xf0, 0xaa, 0x9b, 0x94]],
  ["mixed", "aé€😀", [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]],
];

/** Ill-formed byte sequences and U+0000, each of which decodeUTF8 refuses. */
const illFormed: [name: string, bytes: number[]][] = [
  ["U+0000 (1.5.3-2)", [0x00]],
  ["U+0000 after text", [0x61, 0x00]],
  ["overlong U+0000 (C0 80, modified UTF-8)", [0xc0, 0x80]],
  ["overlong '/' (C0 AF)", [0xc0, 0xaf]],
  ["overlong U+007F (C1 BF)", [0xc1, 0xbf]],
  ["overlong three-byte '/' (E0 80 AF)", [0xe0, 0x80, 0xaf]],
  ["overlong U+07FF (E0 9F BF)", [0xe0, 0x9f, 0xbf]],
  ["overlong four-byte '/' (F0 80 80 AF)", [0xf0, 0x80, 0x80, 0xaf]],
  ["overlong U+FFFF (F0 8F BF BF)", [0xf0, 0x8f, 0xbf, 0xbf]],
  ["high surrogate U+D800 (ED A0 80)", [0xed, 0xa0, 0x80]],
  ["high surrogate U+DBFF (ED AF BF)", [0xed, 0xaf, 0xbf]],
  ["low surrogate U+DC00 (ED B0 80)", [0xed, 0xb0, 0x80]],
  ["low surrogate U+DFFF (ED BF BF)", [0xed, 0xbf, 0xbf]],
  ["surrogate pair as CESU-8", [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
  ["past U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80]],
  ["lead byte F5", [0xf5, 0x80, 0x80, 0x80]],
  ["lead byte F8 (five-byte form)", [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ["lead byte FC (six-byte form)", [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80]],
  ["byte FE", [0xfe]],
  ["byte FF", [0xff]],
  ["lone continuation byte 80", [0x80]],
  ["lone continuation byte BF after text", [0x61, 0xbf]],
  ["two-byte form cut short", [0xc3]],
  ["three-byte form cut after one byte", [0xe2]],
  ["three-byte form cut after two bytes", [0xe2, 0x82]],
  ["four-byte form cut after three bytes", [0xf0, 0x9f, 0x98]],
  ["two-byte form with an ASCII second byte", [0xc3, 0x41]],
  ["three-byte form with a bad third byte", [0xe2, 0x82, 0x41]],
  ["four-byte form with a lead byte as its last", [0xf0, 0x9f, 0x98, 0xc3]],
  ["text then a cut sequence", [0x61, 0x62, 0xe2, 0x82]],
];

describe("utf8Length and utf8Problem", () => {
  for (const [name, text, bytes] of wellFormed) {
    it(`${name}: ${bytes.length} bytes`, () => {
      assert.equal(utf8Length(text), bytes.length);
      assert.equal(utf8Problem(text), undefined);
    });
  }

  it("is -1 for lone surrogates anywhere", () => {
    for (const text of ["\ud800", "a\ud800", "\ud800a", "\udc00", "a\udfff", "\udc00\ud800", "😀\ud83d", "\ud83d\ud83d\ude00x\ude00"]) {
      assert.equal(utf8Length(text), -1, JSON.stringify(text));
      assert.equal(utf8Problem(text), "lone-surrogate");
    }
  });

  it("reports U+0000", () => {
    assert.equal(utf8Length("a\u0000"), 2);
    assert.equal(utf8Problem("a\u0000"), "null-character");
    assert.equal(utf8Problem("\u0000"), "null-character");
  });
});

describe("encodeUTF8 and writeUTF8", () => {
  for (const [name, text, bytes] of wellFormed) {
    it(`encodes ${name}`, () => {
      assert.deepStrictEqual(Array.from(encodeUTF8(text)), bytes);
    });
  }

  it("writeUTF8 writes at an offset and returns the offset after", () => {
    const target = new Uint8Array(12).fill(0xee);
    assert.equal(writeUTF8(target, 2, "a€😀"), 2 + 1 + 3 + 4);
    assert.deepStrictEqual(Array.from(target), [0xee, 0xee, 0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xee, 0xee]);
  });

  it("encodeUTF8 throws TypeError for a lone surrogate, in short strings and long ones (the two ways it encodes)", () => {
    for (const pad of ["", "x".repeat(600)]) {
      assert.throws(() => encodeUTF8(`${pad}a\ud800`), TypeError);
      assert.throws(() => encodeUTF8(`${pad}\ude00`), TypeError);
      assert.throws(() => encodeUTF8(`${pad}\ud800\ud800\ude00`), TypeError, "a high surrogate followed by another");
      assert.throws(() => encodeUTF8(`\ud83d${pad}`), TypeError);
    }
  });

  it("gives each result bytes of its own: a later call does not change an earlier result", () => {
    const first = encodeUTF8("°first");
    const second = encodeUTF8("second, longer than the first and the first buffer".repeat(5));
    assert.equal(Buffer.from(first).toString(), "°first");
    assert.equal(Buffer.from(second).toString(), "second, longer than the first and the first buffer".repeat(5));
  });

  it("agrees with Node's encoder on both sides of the one-pass limit (512 units), with 1- to 4-byte characters and U+0000", () => {
    const random = seededRandom(512);
    const pieces = ["a", "\u0000", "é", "°", "€", "😀", "{\"value\":21.5}"];
    for (const length of [0, 1, 170, 171, 511, 512, 513, 1024, 4000]) {
      let text = "";
      while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
      text = text.slice(0, length);
      if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1) + "a";
      const encoded = encodeUTF8(text);
      assert.deepStrictEqual(Buffer.from(encoded), Buffer.from(text, "utf8"), `${text.length} units`);
      assert.equal(encoded.byteLength, encoded.buffer.byteLength, "no bytes beyond the result are held");
    }
  });

  it("agrees with Node's encoder for any well-formed string (property, seeded)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
        const expected = Buffer.from(text, "utf8");
        assert.equal(utf8Length(text), expected.length);
        assert.deepStrictEqual(Buffer.from(encodeUTF8(text)), expected);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

/**
 * The boards' ArrayBuffer.fromString, as the SDK's XS does it with UTF-8
 * strings (xsDataView.c; checked with xst built without mxCESU8): each
 * UTF-16 unit as UTF-8, a surrogate as a 3-byte ED sequence of its own (so
 * a pair joined at run time comes out as two), U+0000 as 00. (A pair XS
 * parsed from source comes out as 4 bytes; the encoder must be right either way.)
 */
function boardFromString(this: ArrayBufferConstructor, text: string): ArrayBuffer {
  // The native builds its result with `this`: it must be called on ArrayBuffer.
  assert.equal(this, ArrayBuffer, "fromString called on ArrayBuffer");
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out).buffer;
}

describe("encodeUTF8 on a board (with XS's native fromString)", () => {
  it("takes the native bytes when they hold no ED byte: ASCII, U+0000, 2- and 3-byte characters", () => {
    let calls = 0;
    const counted = function (this: ArrayBufferConstructor, text: string) { calls++; return boardFromString.call(this, text); };
    for (const text of ['{"value":21.5,"unit":"°C"}', "a\u0000b", "€uro", ""]) {
      assert.deepStrictEqual(Buffer.from(encodeUTF8With(text, counted)), Buffer.from(text, "utf8"), JSON.stringify(text));
    }
    assert.equal(calls, 4);
  });

  it("encodes in JavaScript when the native bytes hold surrogates (a pair joined at run time) or Hangul (ED 80-9F)", () => {
    for (const text of ["\ud83d" + "\ude00", "x😀y", "\ud55c\uae00"]) {
      assert.deepStrictEqual(Buffer.from(encodeUTF8With(text, boardFromString)), Buffer.from(text, "utf8"), JSON.stringify(text));
    }
  });

  it("is right whatever form an SDK's fromString gives: pairs as 4 bytes (parsed from source), U+0000 as C0 80 (SDKs before 2024)", () => {
    const fourBytePairs = function (this: ArrayBufferConstructor, text: string) { return Uint8Array.from(Buffer.from(text, "utf8")).buffer; };
    const olderSDK = function (this: ArrayBufferConstructor, text: string) {
      const bytes = new Uint8Array(boardFromString.call(this, text));
      const out: number[] = [];
      for (const byte of bytes) out.push(...(byte === 0 ? [0xc0, 0x80] : [byte]));
      return Uint8Array.from(out).buffer;
    };
    for (const native of [fourBytePairs, olderSDK]) {
      for (const text of ["x😀y", "a\u0000b", '{"value":21.5,"unit":"°C"}', "\u0000"]) {
        assert.deepStrictEqual(Buffer.from(encodeUTF8With(text, native)), Buffer.from(text, "utf8"), `${native.name}: ${JSON.stringify(text)}`);
      }
    }
  });

  it("still refuses a lone surrogate", () => {
    assert.throws(() => encodeUTF8With("a\ud800b", boardFromString), TypeError);
    assert.throws(() => encodeUTF8With("\ude00", boardFromString), TypeError);
  });

  it("agrees with Node's encoder for any well-formed string (property, seeded)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 64 }), (text) => {
        assert.deepStrictEqual(Buffer.from(encodeUTF8With(text, boardFromString)), Buffer.from(text, "utf8"));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe("decodeUTF8", () => {
  for (const [name, text, bytes] of wellFormed) {
    it(`decodes ${name}`, () => {
      assert.equal(decodeUTF8(new Uint8Array(bytes)), text);
    });
  }

  for (const [name, bytes] of illFormed) {
    it(`refuses ${name}`, () => {
      assert.equal(decodeUTF8(new Uint8Array(bytes)), undefined);
      // The same bytes inside well-formed text.
      assert.equal(decodeUTF8(new Uint8Array([0x78, ...bytes, 0x79])), undefined);
    });
  }

  it("decodes only bytes [start, end): a window cuts sequences and excludes what lies outside", () => {
    const bytes = new Uint8Array([0x00, 0x61, 0xe2, 0x82, 0xac, 0x62, 0xff]);
    assert.equal(decodeUTF8(bytes, 1, 6), "a€b");
    assert.equal(decodeUTF8(bytes, 1, 4), undefined); // ends inside "€"
    assert.equal(decodeUTF8(bytes, 3, 6), undefined); // starts inside "€"
    assert.equal(decodeUTF8(bytes, 2, 2), "");
    assert.equal(decodeUTF8(bytes, 5, 6), "b");
  });

  it("decodes long strings across its internal chunking, with pairs at every alignment", () => {
    for (const prefix of ["", "a", "ab", "abc"]) {
      const text = prefix + "😀é€x".repeat(700) + "\u{10ffff}";
      const bytes = encodeUTF8(text);
      assert.equal(decodeUTF8(bytes), text);
    }
    const ascii = "z".repeat(65535);
    assert.equal(decodeUTF8(encodeUTF8(ascii)), ascii);
  });

  it("agrees with a fatal TextDecoder (BOM kept, U+0000 refused) on random bytes (property, seeded)", () => {
    const reference = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const expected = (bytes: Uint8Array): string | undefined => {
      let text: string;
      try {
        text = reference.decode(bytes);
      }
      catch {
        return undefined;
      }
      return text.includes("\u0000") ? undefined : text;
    };
    // Bytes biased towards lead, continuation and boundary values so sequences are often nearly valid.
    const interesting = fc.constantFrom(
      0x00, 0x2f, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
      0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xfe, 0xff,
    );
    const byte = fc.oneof(interesting, fc.integer({ min: 0, max: 255 }));
    let valid = 0;
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (values) => {
        const bytes = new Uint8Array(values);
        const want = expected(bytes);
        if (want !== undefined) valid++;
        assert.equal(decodeUTF8(bytes), want);
      }),
      { seed: SEED, numRuns: 20_000 },
    );
    assert.ok(valid > 1000, `only ${valid} inputs were well-formed`);
  });

  it("round-trips any well-formed string without U+0000 (property, seeded)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (raw) => {
        const text = raw.replaceAll("\u0000", "");
        assert.equal(decodeUTF8(encodeUTF8(text)), text);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
