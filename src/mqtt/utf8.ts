/*
 * Strict UTF-8 for MQTT strings (1.5.3), with no TextEncoder: Moddable firmware
 * does not have it unless the manifest adds it.
 *
 * `encodeUTF8` refuses only what cannot be encoded (lone surrogates): payloads
 * may hold U+0000. MQTT strings must not (1.5.3-2); `utf8Problem` and the
 * encoder's field checks refuse it there. Decoding refuses ill-formed UTF-8
 * (overlong forms, surrogates, code points past U+10FFFF, truncated
 * sequences) and U+0000, since it decodes only MQTT strings.
 */

/** Why a string was refused; see `utf8Problem`. */
export type UTF8Problem = "lone-surrogate" | "null-character";

/** Number of bytes `text` takes in UTF-8, or -1 if it holds a lone surrogate. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0, length = text.length; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      bytes += 4;
      i++;
    }
    else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else bytes += 3;
  }
  return bytes;
}

/** The reason MQTT would refuse `text`, or undefined if it is acceptable. */
export function utf8Problem(text: string): UTF8Problem | undefined {
  if (utf8Length(text) < 0) return "lone-surrogate";
  if (text.indexOf("\u0000") >= 0) return "null-character";
  return undefined;
}

/**
 * Writes `text` at `offset` and returns the offset after it. `target` must
 * have room (`utf8Length` bytes, or 3 a UTF-16 unit); throws TypeError at a
 * lone surrogate (after writing what came before it).
 */
export function writeUTF8(target: Uint8Array, offset: number, text: string): number {
  for (let i = 0, length = text.length; i < length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      target[offset++] = c;
    }
    else if (c < 0x800) {
      target[offset++] = 0xc0 | (c >> 6);
      target[offset++] = 0x80 | (c & 0x3f);
    }
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) throw new TypeError("string holds a lone surrogate and has no UTF-8 form");
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
      target[offset++] = 0xf0 | (c >> 18);
      target[offset++] = 0x80 | ((c >> 12) & 0x3f);
      target[offset++] = 0x80 | ((c >> 6) & 0x3f);
      target[offset++] = 0x80 | (c & 0x3f);
    }
    else {
      target[offset++] = 0xe0 | (c >> 12);
      target[offset++] = 0x80 | ((c >> 6) & 0x3f);
      target[offset++] = 0x80 | (c & 0x3f);
    }
  }
  return offset;
}

/** Strings up to this many UTF-16 units are encoded in one pass into a worst-case buffer (3 bytes a unit). */
const ONE_PASS_UNITS = 512;

/**
 * That buffer, made at the first such call and reused (at most 1.5 KiB).
 * Made at run time, never while preloading: a buffer a device build
 * preloads lives in flash, where it cannot be written. (Nothing calls
 * encodeUTF8 at a module's top level.)
 */
let scratch: Uint8Array | undefined;

/** Moddable's `ArrayBuffer.fromString`: a native copy of XS's own UTF-8 form of a string. */
export type FromString = (this: ArrayBufferConstructor, text: string) => ArrayBuffer;

/**
 * `text` as a new UTF-8 byte array; throws TypeError for a lone surrogate.
 *
 * On boards XS keeps strings as UTF-8 and `ArrayBuffer.fromString` copies
 * that form natively (xsDataView.c; U+0000, kept as C0 80 inside XS, comes
 * out as 00; SDKs before 2024 copy it as C0 80). It is standard UTF-8
 * except for surrogates: a lone one, and a pair joined at run time
 * ("\ud83d" + "\ude00"), stay 3-byte ED sequences. So its bytes are taken
 * as they are only when they hold no ED and no C0 byte (checked natively;
 * standard UTF-8 never holds C0); otherwise, and where there is no fromString
 * (Node; XS built with CESU-8 strings, as xsnap and xst are), the string is
 * encoded in JavaScript. (Checked with the SDK's XS, xst built without
 * mxCESU8.) `fromString` is looked up at each call, not at preload.
 *
 * In JavaScript a short string (a reading) takes one pass into a reused
 * worst-case buffer and one native copy of the bytes written: on XS the
 * per-character JavaScript is much of a publish's cost, and this halves it
 * (on V8, allocating the buffer at every call would cost more than the
 * pass saves). A longer one is measured first, so no buffer larger than the
 * result is ever needed.
 */
export function encodeUTF8(text: string): Uint8Array {
  return encodeUTF8With(text, (ArrayBuffer as unknown as { fromString?: FromString }).fromString);
}

/** `encodeUTF8` with the native copy given (tests give an emulation of the boards' one). */
export function encodeUTF8With(text: string, fromString: FromString | undefined): Uint8Array {
  if (fromString) {
    // Called on ArrayBuffer: the native builds its result with `this` as the constructor.
    const native = new Uint8Array(fromString.call(ArrayBuffer, text));
    if (native.indexOf(0xed) < 0 && native.indexOf(0xc0) < 0) return native;
  }
  const length = text.length;
  if (length > ONE_PASS_UNITS) {
    const bytes = utf8Length(text);
    if (bytes < 0) throw new TypeError("string holds a lone surrogate and has no UTF-8 form");
    const exact = new Uint8Array(bytes);
    writeUTF8(exact, 0, text);
    return exact;
  }
  if (!scratch || scratch.length < length * 3) scratch = new Uint8Array(Math.max(192, length * 3));
  return scratch.slice(0, writeUTF8(scratch, 0, text));
}

const CHUNK = 1024;

/**
 * Decodes bytes[start, end) as strict UTF-8 (RFC 3629, as MQTT 1.5.3 requires).
 * Returns undefined when the bytes are ill-formed or contain U+0000.
 */
export function decodeUTF8(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  let text = "";
  let units: number[] | undefined;
  let i = start;
  while (i < end) {
    const b0 = bytes[i];
    let code: number;
    if (b0 < 0x80) {
      if (b0 === 0) return undefined;
      code = b0;
      i += 1;
    }
    else if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end) return undefined;
      const b1 = bytes[i + 1];
      if ((b1 & 0xc0) !== 0x80) return undefined;
      code = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    }
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return undefined;
      const b1 = bytes[i + 1], b2 = bytes[i + 2];
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return undefined;
      code = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      i += 3;
    }
    else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return undefined;
      const b1 = bytes[i + 1], b2 = bytes[i + 2], b3 = bytes[i + 3];
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
      code = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (code < 0x10000 || code > 0x10ffff) return undefined;
      i += 4;
    }
    else return undefined;

    units ??= [];
    if (code >= 0x10000) {
      code -= 0x10000;
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
    }
    else units.push(code);
    if (units.length >= CHUNK) {
      text += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  if (units?.length) text += String.fromCharCode.apply(null, units);
  return text;
}
