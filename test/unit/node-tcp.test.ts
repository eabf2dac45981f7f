/*
 * The Node host's ECMA-419 TCP socket behaves as Moddable's lwIP socket
 * (modules/io/socket/lwip/tcp.c): the firmware meets the same rules here as
 * on a board. The XS host proxies this same class.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import TCP, { SEND_BUFFER } from "../../sim/node/modules/tcp";

let server: net.Server;
let port: number;
const accepted: net.Socket[] = [];

before(async () => {
  server = net.createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  for (const socket of accepted) socket.destroy();
  server.close();
});

function acceptedAt(index: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const poll = () => (accepted.length > index ? resolve(accepted[index]) : setTimeout(poll, 5));
    poll();
  });
}

function open(extra: Partial<ConstructorParameters<typeof TCP>[0]> = {}) {
  const events: string[] = [];
  const index = accepted.length;
  let writable: (count: number) => void = () => undefined;
  const connected = new Promise<number>((resolve) => { writable = resolve; });
  let failed: (error?: Error) => void = () => undefined;
  const error = new Promise<Error | undefined>((resolve) => { failed = resolve; });
  const socket = new TCP({
    address: "127.0.0.1", port,
    onWritable(count) { events.push(`writable ${count}`); writable(count); },
    onReadable(count) { events.push(`readable ${count}`); },
    onError(e) { events.push("error"); failed(e); },
    ...extra,
  });
  return { socket, events, connected, error, peer: () => acceptedAt(index) };
}

describe("Node host TCP socket (ECMA-419, as on lwIP)", () => {
  it("takes IP addresses only and checks the port", () => {
    assert.throws(() => new TCP({ address: "localhost", port: 1 }), /invalid address/);
    assert.throws(() => new TCP({ host: "example.com", port: 1 }), /host names need DNS/);
    assert.throws(() => new TCP({ address: "127.0.0.1", port: 0 }), /invalid port/);
  });

  it("refuses writes before it is connected, then grants the send buffer", async () => {
    const { socket, connected } = open();
    assert.throws(() => socket.write(Uint8Array.of(1)), /not ready/);
    assert.equal(await connected, SEND_BUFFER);
    socket.close();
  });

  it("throws 'would block' past the granted count and grants again as bytes drain", async () => {
    const { socket, connected, events, peer: accept } = open();
    await connected;
    const peer = await accept();
    let received = 0;
    peer.on("data", (data) => { received += data.length; });
    assert.throws(() => socket.write(new Uint8Array(SEND_BUFFER + 1)), /would block/);
    socket.write(new Uint8Array(SEND_BUFFER));
    assert.throws(() => socket.write(Uint8Array.of(1)), /would block/);
    while (received < SEND_BUFFER) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(events.filter((e) => e.startsWith("writable")).length >= 2, "writable again after draining");
    socket.close();
  });

  it("reads all, some, or into a buffer", async () => {
    const { socket, connected, events, peer: accept } = open();
    await connected;
    const peer = await accept();
    peer.write(Buffer.from([1, 2, 3, 4, 5, 6]));
    while (!events.some((e) => e === "readable 6")) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual([...new Uint8Array(socket.read(2) as ArrayBuffer)], [1, 2]);
    const into = new Uint8Array(2);
    assert.equal(socket.read(into), 2);
    assert.deepEqual([...into], [3, 4]);
    assert.throws(() => socket.read(3), /invalid/);
    assert.deepEqual([...new Uint8Array(socket.read() as ArrayBuffer)], [5, 6]);
    assert.equal(socket.read(), undefined);
    socket.close();
  });

  it("reports the peer's close only after the buffered bytes are read", async () => {
    const { socket, connected, events, error, peer: accept } = open();
    await connected;
    const peer = await accept();
    peer.end(Buffer.from("bye"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!events.includes("error"), "no error while bytes wait");
    assert.equal(Buffer.from(socket.read() as ArrayBuffer).toString(), "bye");
    assert.match((await error)?.message ?? "", /closed/);
  });

  it("reports a refused connection through onError", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { error, events } = open({ port: deadPort });
    assert.match((await error)?.message ?? "", /ECONNREFUSED/);
    assert.ok(!events.some((e) => e.startsWith("writable")));
  });

  it("calls nothing after the firmware closes it", async () => {
    const { socket, connected, events, peer: accept } = open();
    await connected;
    const peer = await accept();
    socket.close();
    peer.write("late");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(events, [`writable ${SEND_BUFFER}`]);
  });
});
