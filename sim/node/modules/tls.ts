/*
 * `embedded:io/socket/tcp/tls` for the Node host: an ECMA-419 TLS socket on
 * node:tls, mirroring the Moddable SDK's TLS socket
 * (examples/io/tcp/tlssocket/tlssocket.js over modules/crypt/ssl), so the
 * options that work here work on a board:
 *
 *   new TLS({
 *     address: "192.168.1.10", port: 8883,   // an IP address, as for TCP
 *     host: "broker.example.com",            // server name: SNI and the certificate check
 *     TCP: {io: TCP},                        // the socket class TLS runs over (the SDK's socket needs it)
 *     secure: {
 *       certificate,                         // the CA that signs the server's certificate
 *       clientCertificates: [certificate],   // optional: client certificate (chain), with
 *       clientKey,                           //   its PKCS#8 private key
 *       serverName,                          // optional: overrides `host` for SNI and the check
 *       applicationLayerProtocolNegotiation, // optional: ALPN protocol name(s)
 *     },
 *     onReadable, onWritable, onError, format, nodelay, target,
 *   })
 *
 * Certificates and the key are DER (ArrayBuffer or a view, as the SDK takes
 * them) or PEM text. The names are the SDK's own (modules/crypt/ssl/ssl_cert.js,
 * documentation/network/securesocket.md): `certificate` is the *CA*, not the
 * client's certificate. Options the SDK takes that change nothing here
 * (`protocolVersion`, `trace`, `cache`, `tls_max_fragment_length`) are ignored.
 *
 * Behaviour:
 * - the callbacks follow the TCP socket's rules (./stream-socket.ts); the
 *   first onWritable means the TLS handshake finished. Grants are the send
 *   buffer less the SDK's 96-byte estimate of TLS overhead;
 * - TLS 1.2 only, with the cipher suites the SDK implements: what fails on a
 *   board fails here;
 * - verification is always on (`verify: false` is refused): the chain must
 *   lead to `secure.certificate` (which then replaces the default roots; without
 *   it, Node's roots stand in for the certificates a device build includes),
 *   the certificate must be in its validity period, and `host` must be one of
 *   its subjectAltName entries (DNS name or IP address; as on the SDK, never
 *   the subject's CN);
 * - a failure reaches onError as an Error whose message starts with "TLS: " and
 *   says what failed ("TLS: certificate has expired ...", "TLS: host name
 *   mismatch: ...", "TLS: unknown certificate authority ..."). On a board the
 *   SDK's socket calls onError with no argument.
 *
 * Messages never contain certificates or keys.
 */

import { createPrivateKey, X509Certificate } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { checkEndpoint, SEND_BUFFER, StreamSocket, type StreamSocketOptions } from "./stream-socket";

/** The SDK's TLS socket grants its TCP socket's count less this estimate of record overhead. */
export const TLS_OVERHEAD = 96;

/** What a TLS socket may write at once: the TCP send buffer less TLS_OVERHEAD. */
export const TLS_SEND_BUFFER = SEND_BUFFER - TLS_OVERHEAD;

/**
 * The cipher suites the SDK's TLS 1.2 client offers (modules/crypt/ssl/ssl_ciphersuites.js,
 * with the default DHE_RSA and ECDHE_RSA config), in OpenSSL's names.
 */
export const MODDABLE_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-SHA256",
  "DHE-RSA-AES128-GCM-SHA256",
  "DHE-RSA-AES128-SHA256",
  "DHE-RSA-AES256-SHA256",
  "AES128-SHA256",
  "AES256-SHA256",
  "AES128-SHA",
  "AES256-SHA",
].join(":");

/** A certificate or key: DER bytes, or PEM text. */
export type PEMOrDER = string | ArrayBuffer | ArrayBufferView;

export interface TLSSecureOptions {
  /** The CA certificate the server's chain must lead to (replaces the default roots). */
  certificate?: PEMOrDER;
  /** The client's certificate, then any intermediates, for brokers that require one. */
  clientCertificates?: PEMOrDER[];
  /** The client certificate's private key, PKCS#8. */
  clientKey?: PEMOrDER;
  /** The name to send (SNI) and check; defaults to `host`. */
  serverName?: string;
  applicationLayerProtocolNegotiation?: string | string[];
  /** Must not be false: verification is always on. */
  verify?: boolean;
  [option: string]: unknown;
}

export interface TLSOptions extends StreamSocketOptions<TLS> {
  /** The server's name, for SNI and the certificate check (`address` is where to connect). */
  host?: string;
  /** The socket class TLS runs over: `{io: TCP}`. */
  TCP?: { io?: unknown };
  secure?: TLSSecureOptions;
}

/** Node's and OpenSSL's names the SDK does not take, and what to use instead. */
const NOT_MODDABLE: Record<string, string> = {
  ca: "use secure.certificate for the CA certificate",
  cert: "use secure.clientCertificates: [certificate] for a client certificate",
  key: "use secure.clientKey for the client certificate's key",
  rejectUnauthorized: "verification is always on",
  checkServerIdentity: "the certificate is checked against host (or secure.serverName)",
};

function bytesOf(value: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(value);
}

function isBytes(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** PEM text of a certificate given as PEM or DER; `field` names it in errors (never its content). */
function certificatePEM(field: string, value: unknown): string {
  try {
    if (typeof value === "string") {
      if (!/-----BEGIN CERTIFICATE-----/.test(value)) throw new Error("no BEGIN CERTIFICATE line");
      new X509Certificate(value); // parses: a clear error here rather than a vague one at connect
      return value;
    }
    if (isBytes(value)) return new X509Certificate(bytesOf(value)).toString();
  }
  catch {
    throw new TypeError(`TLS: ${field} is not an X.509 certificate (DER bytes or PEM text)`);
  }
  throw new TypeError(`TLS: ${field} must be a certificate: DER bytes (ArrayBuffer) or PEM text`);
}

/** PEM text (PKCS#8) of the client key given as PKCS#8 PEM or DER. */
function keyPEM(value: unknown): string {
  if (typeof value === "string") {
    if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(value) && !/-----BEGIN PRIVATE KEY-----/.test(value))
      throw new TypeError("TLS: secure.clientKey must be an unencrypted PKCS#8 key (BEGIN PRIVATE KEY), as the SDK's TLS takes it; convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem");
    try {
      return createPrivateKey({ key: value, format: "pem" }).export({ format: "pem", type: "pkcs8" }) as string;
    }
    catch {
      throw new TypeError("TLS: secure.clientKey is not a PEM private key (BEGIN PRIVATE KEY)");
    }
  }
  if (isBytes(value)) {
    try {
      return createPrivateKey({ key: bytesOf(value), format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }) as string;
    }
    catch {
      throw new TypeError("TLS: secure.clientKey is not a PKCS#8 private key in DER");
    }
  }
  throw new TypeError("TLS: secure.clientKey must be a PKCS#8 private key: DER bytes (ArrayBuffer) or PEM text");
}

interface Checked {
  serverName: string;
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
  alpn: string[] | undefined;
}

function checkSecure(options: TLSOptions): Checked {
  const secure = options.secure ?? {};
  if (typeof secure !== "object" || secure === null) throw new TypeError("TLS: secure must be an object");
  for (const [name, hint] of Object.entries(NOT_MODDABLE))
    if (name in secure) throw new TypeError(`TLS: secure.${name} is not an option of Moddable's TLS socket; ${hint}`);
  if (secure.verify === false) throw new RangeError("TLS: secure.verify false is not supported: certificates are always verified");
  const serverName = secure.serverName ?? options.host;
  if (typeof serverName !== "string" || serverName.length === 0)
    throw new TypeError("TLS: host must be the server's name (for SNI and the certificate check); address says where to connect");
  const ca = secure.certificate === undefined ? undefined : certificatePEM("secure.certificate", secure.certificate);
  let cert: string | undefined;
  let key: string | undefined;
  if (secure.clientCertificates !== undefined || secure.clientKey !== undefined) {
    const chain = secure.clientCertificates;
    if (!Array.isArray(chain) || chain.length === 0)
      throw new TypeError("TLS: secure.clientCertificates must be an array holding the client certificate (and any intermediates), given with secure.clientKey");
    if (secure.clientKey === undefined) throw new TypeError("TLS: secure.clientKey is required with secure.clientCertificates");
    cert = chain.map((one, i) => certificatePEM(`secure.clientCertificates[${i}]`, one)).join("\n");
    key = keyPEM(secure.clientKey);
  }
  const alpnOption = secure.applicationLayerProtocolNegotiation;
  const alpn = alpnOption === undefined ? undefined : Array.isArray(alpnOption) ? alpnOption : [alpnOption];
  if (alpn && !alpn.every((name) => typeof name === "string" && name.length > 0))
    throw new TypeError("TLS: secure.applicationLayerProtocolNegotiation must be a protocol name or an array of them");
  return { serverName, ca, cert, key, alpn };
}

/**
 * Node's host name check, with the SDK's rule that only subjectAltName
 * counts (modules/crypt/ssl/ssl_cert.js never reads the subject's CN; Node
 * falls back to it).
 */
function checkName(serverName: string, certificate: tls.PeerCertificate): Error | undefined {
  if (!certificate.subjectaltname) {
    return Object.assign(new Error(`certificate has no subjectAltName`), {
      code: "ERR_TLS_CERT_ALTNAME_INVALID", reason: "no subjectAltName", cert: certificate,
    });
  }
  return tls.checkServerIdentity(serverName, certificate);
}

/** Node's codes for a chain that does not lead to a trusted CA. */
const UNKNOWN_CA = new Set([
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE",
]);

type NodeTLSError = Error & { code?: string; reason?: string };

export default class TLS extends StreamSocket {
  readonly #serverName: string;
  readonly #withCA: boolean;
  readonly #withClientCertificate: boolean;
  readonly #address: string;
  readonly #port: number;

  constructor(options: TLSOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TLS options must be an object");
    if (options.host !== undefined && options.address === undefined)
      throw new RangeError("unimplemented: host names need DNS first; pass address (host is the name to check the certificate against)");
    const { address, port } = checkEndpoint(options);
    if (typeof options.TCP?.io !== "function")
      throw new TypeError("TLS: TCP must be {io: TCP} (TCP from embedded:io/socket/tcp): the SDK's TLS socket runs over that socket class");
    const checked = checkSecure(options);
    super(options, TLS_SEND_BUFFER);
    this.#serverName = checked.serverName;
    this.#withCA = checked.ca !== undefined;
    this.#withClientCertificate = checked.cert !== undefined;
    this.#address = address;
    this.#port = port;
    const serverName = checked.serverName;
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: address,
        port,
        servername: net.isIP(serverName) ? undefined : serverName, // SNI carries names only (RFC 6066)
        ca: checked.ca,
        cert: checked.cert,
        key: checked.key,
        ALPNProtocols: checked.alpn,
        minVersion: "TLSv1.2",
        maxVersion: "TLSv1.2",
        ciphers: MODDABLE_CIPHERS,
        rejectUnauthorized: true,
        checkServerIdentity: (_host, certificate) => checkName(serverName, certificate),
      });
    }
    catch (error) {
      // Node checks the client certificate and key when it builds the context.
      const code = (error as NodeTLSError).code;
      if (code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH") throw new TypeError("TLS: secure.clientKey is not the key of secure.clientCertificates[0]");
      throw new TypeError(`TLS: cannot use these secure options: ${(error as NodeTLSError).reason ?? code ?? "invalid"}`);
    }
    socket.setNoDelay(options.nodelay ?? false);
    this.attach(socket, "secureConnect");
  }

  protected override describeError(error: NodeTLSError, ready: boolean): Error {
    if (ready) return error; // after the handshake: the link failed like any TCP link
    const code = error.code ?? "";
    const described = this.#describe(code, error);
    return described ? new Error(described, { cause: error }) : error;
  }

  #describe(code: string, error: NodeTLSError): string | undefined {
    const broker = `${this.#address}:${this.#port}`;
    if (code === "CERT_HAS_EXPIRED") return `TLS: certificate has expired: the certificate of ${broker} (or one in its chain) is past its end date`;
    if (code === "CERT_NOT_YET_VALID") return `TLS: certificate is not yet valid: the certificate of ${broker} starts later than this device's clock; is the clock set?`;
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
      const names = (error as NodeTLSError & { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
      return names
        ? `TLS: host name mismatch: the certificate of ${broker} is not for "${this.#serverName}" (it is for ${names})`
        : `TLS: host name mismatch: the certificate of ${broker} names no host in subjectAltName, the only place Moddable's TLS looks (not the CN)`;
    }
    if (UNKNOWN_CA.has(code))
      return `TLS: unknown certificate authority: the certificate of ${broker} ${this.#withCA ? "is not signed by the CA in secure.certificate" : "does not lead to a trusted root; give its CA in secure.certificate"} (${code})`;
    if (code === "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" || code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED") {
      return this.#withClientCertificate
        ? `TLS: ${broker} refused the handshake (handshake failure alert): no cipher suite in common, or it refused the client certificate`
        : `TLS: ${broker} refused the handshake (handshake failure alert): it probably requires a client certificate; give secure.clientCertificates and secure.clientKey`;
    }
    if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|DECRYPT_ERROR)$/.test(code))
      return `TLS: ${broker} rejected the client certificate (${alertName(code)} alert)`;
    if (code === "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" || code === "ERR_SSL_UNSUPPORTED_PROTOCOL" || code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE")
      return `TLS: ${broker} does not accept TLS 1.2, the version Moddable's TLS speaks`;
    if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG")
      return `TLS: ${broker} did not answer with TLS; is it a TLS listener (usually port 8883) and not plain MQTT (1883)?`;
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"))
      return `TLS: handshake with ${broker} failed: ${error.reason ?? error.message}`;
    if (code === "ECONNRESET" || /before secure TLS connection was established/.test(error.message) || error.message === "connection closed by peer")
      return `TLS: ${broker} closed the connection during the handshake; is it a TLS listener (usually port 8883), and does it accept this client?`;
    return undefined;
  }
}

function alertName(code: string): string {
  return code.replace(/^ERR_SSL_(SSLV3|TLSV1)_ALERT_/, "").toLowerCase().replace(/_/g, " ");
}
