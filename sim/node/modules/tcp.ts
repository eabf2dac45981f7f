/*
 * `embedded:io/socket/tcp` for the Node host: the ECMA-419 TCP socket class
 * on node:net, behaving as Moddable's lwIP implementation does
 * (modules/io/socket/lwip/tcp.c), so firmware that works here works there:
 *
 * - `address` must be an IP address (no host names; "invalid address");
 * - the first `onWritable(count)` means connected; `write()` before that
 *   throws "not ready", and writing more than the last granted count throws
 *   "would block" (the send buffer is SEND_BUFFER bytes, refilled as Node
 *   flushes it to the kernel);
 * - `onReadable(count)` reports bytes buffered; `read()` takes all of them,
 *   `read(n)` n of them, `read(buffer)` fills the buffer;
 * - `onError()` once when the peer closes or the connection fails, after
 *   buffered bytes have been read.
 *
 * Those rules live in ./stream-socket.ts, shared with the TLS socket (./tls.ts).
 * Callbacks run from Node's event loop, never inside a call the firmware made.
 */

import net from "node:net";
import { checkEndpoint, SEND_BUFFER, StreamSocket, type StreamSocketOptions } from "./stream-socket";

export { SEND_BUFFER };

export interface TCPOptions extends StreamSocketOptions<TCP> {
  host?: string;
}

export default class TCP extends StreamSocket {
  constructor(options: TCPOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("TCP options must be an object");
    if (options.host !== undefined && options.address === undefined) throw new RangeError("unimplemented: host names need DNS first; pass address");
    const { address, port } = checkEndpoint(options);
    super(options, SEND_BUFFER);
    // Reads land in one shared buffer (net's `onread`), copied out at once: no stream machinery
    // and no new backing store per read. The copy comes from Node's pool for small reads.
    const socket: net.Socket = net.connect({
      host: address, port, noDelay: options.nodelay ?? false,
      onread: { buffer: readBuffer(), callback: (count, buffer) => { this.received(socket, Buffer.from(buffer.subarray(0, count))); return true; } },
    });
    this.attach(socket, "connect", "onread");
  }
}

let shared: Buffer | undefined;

function readBuffer(): Buffer {
  shared ??= Buffer.allocUnsafe(65536);
  return shared;
}
