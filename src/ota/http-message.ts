/*
 * HTTP/1.1 message syntax for the image download (./http-download.ts), pure:
 * no sockets, timers or state. The URL a manifest names, the GET request's
 * bytes, the response header parsed from bytes, and whether that response
 * can serve the request (RFC 9110, RFC 9112).
 *
 * Failures are DownloadErrors with a reason code and a message a person can
 * act on; text the server sent is shortened and made printable before it
 * goes into a message.
 */

import { isHost, literalAddress } from "mqtt/resolver";

export const MAX_URL_LENGTH = 1024;

export type DownloadFailure =
  | "url"        // not http(s)://<host>[:port]/path, or one this client cannot fetch
  | "connect"    // the host name did not resolve, the socket did not open, or the request could not be sent
  | "status"     // a status other than 200 or 206 (`status` holds it)
  | "protocol"   // a response this client cannot or must not use
  | "timeout"    // no bytes for the idle timeout
  | "truncated"  // the connection ended before the whole response
  | "too-long";  // more body bytes than announced

export class DownloadError extends Error {
  override readonly name = "DownloadError";
  readonly reason: DownloadFailure;
  /** The HTTP status, for "status". */
  readonly status: number | undefined;
  constructor(reason: DownloadFailure, message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.status = status;
  }
}

export interface HttpTarget {
  /** IPv4 address to connect to; undefined when the URL names the host (looked up before connecting). */
  readonly address: string | undefined;
  readonly port: number;
  /** The Host field's value. */
  readonly host: string;
  /** The host as written in the URL, without the port (the TLS server name unless configured). */
  readonly name: string;
  /** https:// */
  readonly secure: boolean;
  /** Path and query, printable ASCII. */
  readonly path: string;
}

const FORM = "expected http://<host name or IPv4 address>[:port]/path or https://...";

/**
 * Where `url` points: http:// or https://, a host name or an IPv4 address
 * ("localhost" is 127.0.0.1), port 80 or 443 by default, a path. Throws
 * DownloadError "url" saying what is wrong.
 */
export function parseHttpUrl(url: string): HttpTarget {
  const refuse = (why: string) => new DownloadError("url", `url ${JSON.stringify(url)}: ${why}`);
  if (typeof url !== "string") throw new DownloadError("url", `url: ${FORM}, got ${typeof url}`);
  if (url.length > MAX_URL_LENGTH) throw new DownloadError("url", `url is ${url.length} characters; at most ${MAX_URL_LENGTH}`);
  const scheme = url.slice(0, 8).toLowerCase();
  const secure = scheme === "https://";
  if (!secure && !scheme.startsWith("http://")) throw refuse(FORM);
  const start = secure ? 8 : 7;
  const slash = url.indexOf("/", start);
  if (slash < 0) throw refuse(`no path; ${FORM}`);
  const authority = url.slice(start, slash);
  let path = url.slice(slash);
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.slice(0, hash);
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw refuse(`the path holds a space, control or non-ASCII character at ${slash + i}; percent-encode it`);
  }
  if (authority.indexOf("@") >= 0) throw refuse("user names and passwords are not supported");
  if (authority.charAt(0) === "[") throw refuse("IPv6 addresses are not supported; use an IPv4 address");
  const match = /^([^:]*)(?::(\d+))?$/.exec(authority);
  if (!match) throw refuse(`bad host or port "${authority}"; ${FORM}`);
  const name = match[1];
  const standard = secure ? 443 : 80;
  const port = match[2] === undefined ? standard : Number(match[2]);
  if (port < 1 || port > 65535) throw refuse(`port ${match[2]} is out of range 1-65535`);
  if (!isHost(name)) throw refuse(`host "${name}" is neither a host name nor an IPv4 address`);
  const address = literalAddress(name);
  return { address, port, host: port === standard ? name : `${name}:${port}`, name, path, secure };
}

/** The request's bytes; `Range: bytes=<offset>-` when offset > 0. */
export function encodeGet(target: HttpTarget, offset: number): Uint8Array {
  const text = `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}\r\n${offset > 0 ? `Range: bytes=${offset}-\r\n` : ""}Accept-Encoding: identity\r\nConnection: close\r\n\r\n`;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // ASCII: parseHttpUrl checked the path
  return bytes;
}

/** A response's status line and the fields the download uses. */
export interface ResponseHead {
  status: number;
  /** Reason phrase, printable. */
  text: string;
  length: number | undefined;
  range: string | undefined;
  coding: string | undefined;
  encoding: string | undefined;
  location: string | undefined;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Parses bytes[0, length): a status line and field lines, each ending in LF
 * (CRLF or bare LF, RFC 9112 2.2), up to the empty line. Returns what is
 * wrong as a string.
 */
export function parseResponseHead(bytes: Uint8Array, length: number): ResponseHead | string {
  let start = 0;
  let head: ResponseHead | undefined;
  while (start < length) {
    let end = bytes.indexOf(LF, start);
    if (end < 0 || end >= length) end = length;
    const next = end + 1;
    if (end > start && bytes[end - 1] === CR) end--;
    const line = latin1(bytes, start, end);
    start = next;
    if (!head) {
      const match = /^HTTP\/1\.\d (\d{3})(?: (.*))?$/.exec(line);
      if (!match) return `not an HTTP/1.x status line: "${printable(line)}"`;
      head = { status: Number(match[1]), text: printable(match[2] ?? "", 40), length: undefined, range: undefined, coding: undefined, encoding: undefined, location: undefined };
      continue;
    }
    if (line === "") break;
    // Obsolete line folding and whitespace before the colon are refused (RFC 9112 5.1, 5.2).
    const colon = line.indexOf(":");
    if (colon <= 0 || /[ \t]/.test(line.slice(0, colon))) return `malformed header line "${printable(line)}"`;
    const value = printable(line.slice(colon + 1).trim(), 200);
    switch (line.slice(0, colon).toLowerCase()) {
      case "content-length":
        // "n" or "n, n"; repeated fields must agree (RFC 9110 8.6).
        for (const item of value.split(",")) {
          const digits = item.trim();
          if (!/^\d{1,15}$/.test(digits)) return `bad Content-Length "${value}"`;
          const n = Number(digits);
          if (head.length !== undefined && head.length !== n) return `conflicting Content-Length values ${head.length} and ${n}`;
          head.length = n;
        }
        break;
      case "content-range":
        if (head.range !== undefined && head.range !== value) return "conflicting Content-Range fields";
        head.range = value;
        break;
      case "transfer-encoding":
        head.coding = head.coding === undefined ? value : `${head.coding}, ${value}`;
        break;
      case "content-encoding":
        head.encoding = head.encoding === undefined ? value : `${head.encoding}, ${value}`;
        break;
      case "location":
        head.location = value;
        break;
    }
  }
  return head ?? "empty response header";
}

/** What was asked: `size` is the whole image, `offset` where the Range starts (0: no Range). */
export interface Request {
  readonly target: HttpTarget;
  readonly offset: number;
  readonly size: number;
}

/**
 * Whether a final (non-1xx) response serves the request: the offset its body
 * starts at (206: the one asked for; 200: 0), or why not.
 */
export function checkResponse(head: ResponseHead, request: Request): number | DownloadError {
  const { status, length } = head;
  const { offset, size } = request;
  const where = `http://${request.target.host}${request.target.path}`;
  const protocol = (message: string) => new DownloadError("protocol", `${where}: ${message}`);
  if (status !== 200 && status !== 206) {
    let hint = "";
    if (status >= 300 && status < 400) hint = `: redirects are not followed${head.location ? ` (Location: ${head.location})` : ""}; put the final URL in the manifest`;
    else if (status === 416) hint = `: the server's file is shorter than ${offset + 1} bytes; download from offset 0`;
    return new DownloadError("status", `HTTP ${status}${head.text ? " " + head.text : ""} for ${where}${hint}`, status);
  }
  if (head.coding !== undefined) return protocol(`Transfer-Encoding: ${head.coding} is not supported (no chunked transfer coding); serve the image with Content-Length`);
  if (head.encoding !== undefined && head.encoding.toLowerCase() !== "identity") return protocol(`Content-Encoding: ${head.encoding}; serve the image as is`);
  if (status === 200) {
    if (length === undefined) return protocol("no Content-Length; it is needed to know the image arrived whole");
    if (length !== size) return protocol(`the server has ${length} bytes (Content-Length), the manifest says ${size}: the server has another file`);
    return 0;
  }
  if (offset === 0) return protocol("206 Partial Content to a request without Range");
  const expected = `bytes ${offset}-${size - 1}/${size}`;
  if (head.range === undefined) return protocol(`206 Partial Content without Content-Range; expected ${expected}`);
  const range = /^bytes +(\d{1,15})-(\d{1,15})\/(\d{1,15})$/i.exec(head.range);
  if (!range) return protocol(`Content-Range: ${head.range}; expected ${expected}`);
  if (Number(range[3]) !== size) return protocol(`the server has ${range[3]} bytes (Content-Range), the manifest says ${size}: the server has another file`);
  if (Number(range[1]) !== offset || Number(range[2]) !== size - 1) return protocol(`Content-Range: ${head.range}; expected ${expected}`);
  if (length !== undefined && length !== size - offset) return protocol(`Content-Length ${length} with Content-Range ${head.range}; expected ${size - offset}`);
  return offset;
}

/** Bytes as text, one character per byte. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Server-sent text fit for a message: printable ASCII, shortened. */
function printable(text: string, max = 60): string {
  return (text.length > max ? text.slice(0, max) + "..." : text).replace(/[^\x20-\x7e]/g, "?");
}
