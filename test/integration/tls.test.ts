/*
 * TLS (mqtts://) end to end against mosquitto's TLS listener, with
 * certificates made for the test by openssl (test/helpers/certificates.ts):
 *
 * - the Node host's TLS socket (sim/node/modules/tls.ts), directly: the
 *   handshake, grants, and the exact error for a wrong CA, a wrong host name,
 *   an expired certificate and a missing client certificate;
 * - the firmware on the Node host and on the XS host: mqtts:// with
 *   mqtt.serverName and mqtt.ca publishes; refusals are logged as a clear
 *   `mqtt:` line and retried; a client certificate (mqtt.certificate,
 *   mqtt.key) works when the broker requires one, and its absence is clear.
 *
 * Needs mosquitto and openssl; without them the suite is skipped with a
 * message, and fails instead under REQUIRE_MOSQUITTO=1 (as in CI). It does
 * not fall back to aedes, which has no TLS listener here.
 */

import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import TCP from "../../sim/node/modules/tcp";
import TLS, { type TLSOptions, TLS_SEND_BUFFER } from "../../sim/node/modules/tls";
import { type Broker, freePort, mosquittoPath, startMosquitto } from "../../tools/brokers";
import { makeCertificates, mosquittoTLS, opensslPath, SERVER_NAME, type TestCertificates } from "../helpers/certificates";
import { Device } from "../helpers/device";
import { Subscriber } from "../helpers/subscriber";

const missing = !mosquittoPath()
  ? "mosquitto is not installed (Debian: apt-get install -y mosquitto)"
  : !opensslPath() ? "openssl is not installed (Debian: apt-get install -y openssl)" : undefined;
const required = process.env.REQUIRE_MOSQUITTO === "1";
const skip = missing && !required
  ? `skipped: ${missing}; the TLS tests need mosquitto's TLS listener and openssl-made certificates, and do not run against aedes`
  : false;

/** MQTT 3.1.1 CONNECT: client id "", clean session, keepalive 60. */
const CONNECT = Uint8Array.of(0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 0);
const CONNACK_ACCEPTED = [0x20, 2, 0, 0];

interface Outcome {
  socket: TLS;
  /** The first grant (the handshake finished), or the error that came instead. */
  opened: Promise<{ writable: number } | { error: Error }>;
  /** Bytes read, as they arrive. */
  received: number[];
  next(): Promise<void>;
}

function open(port: number, options: Partial<TLSOptions>): Outcome {
  let settle: (value: { writable: number } | { error: Error }) => void = () => undefined;
  const opened = new Promise<{ writable: number } | { error: Error }>((resolve) => { settle = resolve; });
  const received: number[] = [];
  let wake: () => void = () => undefined;
  const socket = new TLS({
    address: "127.0.0.1", port, host: SERVER_NAME, TCP: { io: TCP },
    onWritable(count) { settle({ writable: count }); },
    onReadable() {
      received.push(...new Uint8Array(this.read() as ArrayBuffer));
      wake();
    },
    onError(error) { settle({ error: error ?? new Error("onError without an error") }); },
    ...options,
  });
  const next = () => new Promise<void>((resolve) => { wake = resolve; });
  return { socket, opened, received, next };
}

async function refusal(port: number, options: Partial<TLSOptions>): Promise<Error> {
  const { socket, opened } = open(port, options);
  const outcome = await opened;
  socket.close();
  assert.ok("error" in outcome, `expected a refusal, got a grant of ${"writable" in outcome ? outcome.writable : "?"}`);
  return outcome.error;
}

async function mqttConnect(port: number, options: Partial<TLSOptions>): Promise<number[]> {
  const { socket, opened, received, next } = open(port, options);
  const outcome = await opened;
  try {
    assert.ok("writable" in outcome, `expected the handshake to finish, got: ${"error" in outcome ? outcome.error.message : ""}`);
    const arrived = next();
    socket.write(CONNECT);
    await arrived;
    return received;
  }
  finally {
    socket.close();
  }
}

describe("Node host TLS socket: options, as the SDK's TLS socket takes them", () => {
  const base = { address: "127.0.0.1", port: 8883, host: SERVER_NAME, TCP: { io: TCP } };
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });

  it("needs an IP address, a port, the server name in host, and TCP: {io: TCP}", () => {
    assert.throws(() => new TLS({ ...base, address: "broker.test" }), /invalid address/);
    assert.throws(() => new TLS({ ...base, address: undefined }), /host names need DNS first; pass address/);
    assert.throws(() => new TLS({ ...base, port: 0 }), /invalid port/);
    assert.throws(() => new TLS({ ...base, host: undefined }), /TLS: host must be the server's name/);
    assert.throws(() => new TLS({ ...base, TCP: undefined }), /TLS: TCP must be \{io: TCP\}/);
  });

  it("points Node's option names to the SDK's and keeps verification on", () => {
    assert.throws(() => new TLS({ ...base, secure: { ca: "x" } }), /TLS: secure.ca is not an option of Moddable's TLS socket; use secure.certificate/);
    assert.throws(() => new TLS({ ...base, secure: { key: "x" } }), /use secure.clientKey/);
    assert.throws(() => new TLS({ ...base, secure: { rejectUnauthorized: false } }), /verification is always on/);
    assert.throws(() => new TLS({ ...base, secure: { verify: false } }), /TLS: secure.verify false is not supported/);
  });

  it("checks certificates and keys at once, without quoting them", () => {
    const pkcs1 = rsa.privateKey.export({ format: "pem", type: "pkcs1" }) as string;
    assert.throws(() => new TLS({ ...base, secure: { certificate: "not a certificate" } }), /TLS: secure.certificate is not an X.509 certificate/);
    assert.throws(() => new TLS({ ...base, secure: { certificate: new Uint8Array(8) } }), /TLS: secure.certificate is not an X.509 certificate/);
    assert.throws(() => new TLS({ ...base, secure: { clientKey: pkcs1 } }), /TLS: secure.clientCertificates must be an array/);
    assert.throws(() => new TLS({ ...base, secure: { clientCertificates: [], clientKey: pkcs1 } }), /TLS: secure.clientCertificates must be an array/);
    assert.throws(() => new TLS({ ...base, secure: { clientCertificates: ["x"] } }), /TLS: secure.clientKey is required/);
    assert.throws(() => new TLS({ ...base, secure: { clientCertificates: ["x"], clientKey: pkcs1 } }), (error: Error) => {
      assert.match(error.message, /secure.clientCertificates\[0\] is not an X.509 certificate/);
      assert.ok(!error.message.includes(pkcs1.split("\n")[1].slice(0, 16)));
      return true;
    });
  });
});

describe("TLS against mosquitto", { skip }, () => {
  let certificates: TestCertificates;
  /** TLS on its port with the good server certificate; a plain listener on `plainPort` for the test's subscriber. */
  let broker: Broker;
  let plainPort: number;
  /** TLS with the expired server certificate. */
  let expired: Broker;
  /** TLS with a server certificate that names the server in its CN only. */
  let cnOnly: Broker;
  /** TLS that requires a client certificate signed by the test CA; plain on `mutualPlainPort`. */
  let mutual: Broker;
  let mutualPlainPort: number;
  const devices: Device[] = [];
  const subscribers: Subscriber[] = [];

  before(async () => {
    if (missing) throw new Error(`REQUIRE_MOSQUITTO=1 but ${missing}`);
    certificates = makeCertificates();
    plainPort = await freePort();
    mutualPlainPort = await freePort();
    [broker, expired, cnOnly, mutual] = await Promise.all([
      startMosquitto({ extra: [...mosquittoTLS(certificates, certificates.server), `listener ${plainPort} 127.0.0.1`] }),
      startMosquitto({ extra: mosquittoTLS(certificates, certificates.expiredServer) }),
      startMosquitto({ extra: mosquittoTLS(certificates, certificates.cnOnlyServer) }),
      startMosquitto({ extra: [...mosquittoTLS(certificates, certificates.server, true), `listener ${mutualPlainPort} 127.0.0.1`] }),
    ]);
  });
  after(async () => {
    await Promise.all(devices.map((device) => device.kill()));
    await Promise.all(subscribers.map((subscriber) => subscriber.close()));
    await Promise.all([broker, expired, cnOnly, mutual].map((one) => one?.stop()));
    if (certificates) rmSync(certificates.dir, { recursive: true, force: true });
  });

  const device = (host: "node" | "xs", config: Record<string, unknown>) => {
    const one = new Device(host, { interval: 300, ...config });
    devices.push(one);
    return one;
  };
  const subscribe = async (port: number, filter: string) => {
    const subscriber = await Subscriber.connect(`mqtt://127.0.0.1:${port}`, filter);
    subscribers.push(subscriber);
    return subscriber;
  };
  const mqtts = (one: Broker) => `mqtts://127.0.0.1:${one.port}`;
  /** Waits for `pattern` on an `mqtt:` line twice: the refusal is logged, and the firmware keeps retrying. */
  const refusedTwice = async (one: Device, pattern: RegExp) => {
    const line = await one.waitForLine(pattern, 20_000);
    const deadline = Date.now() + 20_000;
    while (one.lines.filter((candidate) => pattern.test(candidate)).length < 2) {
      assert.ok(Date.now() < deadline, `no second attempt; output:\n${one.lines.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(!one.lines.some((candidate) => /mqtt: connected/.test(candidate)), "never connected");
    return line;
  };

  describe("the Node host's TLS socket", () => {
    it("grants writes once the handshake is done, refuses them before, and carries MQTT", async () => {
      const { socket, opened, received, next } = open(broker.port, { secure: { certificate: certificates.ca.pem } });
      assert.throws(() => socket.write(CONNECT), /not ready/);
      const outcome = await opened;
      try {
        assert.deepEqual(outcome, { writable: TLS_SEND_BUFFER });
        assert.throws(() => socket.write(new Uint8Array(TLS_SEND_BUFFER + 1)), /would block/);
        const arrived = next();
        socket.write(CONNECT);
        await arrived;
        assert.deepEqual(received, CONNACK_ACCEPTED);
      }
      finally {
        socket.close();
      }
    });

    it("takes certificates as DER bytes too, as the SDK does", async () => {
      const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));
      assert.deepEqual(await mqttConnect(mutual.port, {
        secure: {
          certificate: der(certificates.ca.pem),
          clientCertificates: [der(certificates.client.certificate.pem)],
          clientKey: der(certificates.client.key.pem),
        },
      }), CONNACK_ACCEPTED);
    });

    it("refuses a server whose certificate is not signed by the given CA", async () => {
      const error = await refusal(broker.port, { secure: { certificate: certificates.otherCA.pem } });
      assert.match(error.message, /^TLS: unknown certificate authority: the certificate of 127\.0\.0\.1:\d+ is not signed by the CA in secure\.certificate/);
    });

    it("refuses it with Node's roots too when no CA is given: a given CA replaces them, none means the defaults", async () => {
      const error = await refusal(broker.port, { secure: {} });
      assert.match(error.message, /^TLS: unknown certificate authority: .*does not lead to a trusted root; give its CA in secure\.certificate/);
    });

    it("refuses a certificate for another host name", async () => {
      const error = await refusal(broker.port, { host: "wrong.test", secure: { certificate: certificates.ca.pem } });
      assert.match(error.message, /^TLS: host name mismatch: the certificate of 127\.0\.0\.1:\d+ is not for "wrong\.test" \(it is for DNS:broker\.test\)/);
      const byServerName = await refusal(broker.port, { secure: { certificate: certificates.ca.pem, serverName: "127.0.0.1" } });
      assert.match(byServerName.message, /^TLS: host name mismatch: .* is not for "127\.0\.0\.1"/);
    });

    it("refuses a certificate that names the host only in its CN, as the SDK does (it reads subjectAltName only)", async () => {
      const error = await refusal(cnOnly.port, { secure: { certificate: certificates.ca.pem } });
      assert.match(error.message, /^TLS: host name mismatch: the certificate of 127\.0\.0\.1:\d+ names no host in subjectAltName/);
    });

    it("refuses an expired certificate", async () => {
      const error = await refusal(expired.port, { secure: { certificate: certificates.ca.pem } });
      assert.match(error.message, /^TLS: certificate has expired/);
    });

    it("says a broker wants a client certificate when none was given, and connects with one", async () => {
      const error = await refusal(mutual.port, { secure: { certificate: certificates.ca.pem } });
      assert.match(error.message, /^TLS: 127\.0\.0\.1:\d+ refused the handshake \(handshake failure alert\): it probably requires a client certificate; give secure\.clientCertificates and secure\.clientKey/);
      assert.deepEqual(await mqttConnect(mutual.port, {
        secure: { certificate: certificates.ca.pem, clientCertificates: [certificates.client.certificate.pem], clientKey: certificates.client.key.pem },
      }), CONNACK_ACCEPTED);
    });

    it("says when the port is not a TLS listener", async () => {
      const error = await refusal(plainPort, { secure: { certificate: certificates.ca.pem } });
      assert.match(error.message, /^TLS: 127\.0\.0\.1:\d+ (closed the connection during the handshake|did not answer with TLS); is it a TLS listener/);
    });

    it("rejects a client key that is not the certificate's", () => {
      assert.throws(() => new TLS({
        address: "127.0.0.1", port: mutual.port, host: SERVER_NAME, TCP: { io: TCP },
        secure: { clientCertificates: [certificates.ca.pem], clientKey: certificates.client.key.pem },
      }), /^TypeError: TLS: secure.clientKey is not the key of secure.clientCertificates\[0\]$/);
    });
  });

  for (const host of ["node", "xs"] as const) {
    it(`the firmware on the ${host} host publishes over mqtts:// (mqtt.serverName, mqtt.ca)`, async () => {
      const base = `home/tls-${host}`;
      const subscriber = await subscribe(plainPort, `${base}/#`);
      const firmware = device(host, { broker: mqtts(broker), deviceId: `tls-${host}`, "mqtt.serverName": SERVER_NAME, "mqtt.ca": certificates.ca.pem });
      await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "online", 20_000, "birth over TLS");
      const reading = await subscriber.waitFor((m) => m.topic === `${base}/temperature`, 10_000, "a reading over TLS");
      assert.equal(JSON.parse(reading.payload).unit, "°C");
      await firmware.waitForLine(new RegExp(`mqtt: connected to 127\\.0\\.0\\.1:${broker.port} \\(TLS, broker\\.test\\)`));
      await firmware.kill();
    });
  }

  it("the firmware logs a clear mqtt: line for a wrong CA, a wrong server name and an expired certificate, and keeps retrying", async () => {
    const good = { "mqtt.serverName": SERVER_NAME, "mqtt.ca": certificates.ca.pem };
    const wrongCA = device("node", { broker: mqtts(broker), deviceId: "tls-wrong-ca", ...good, "mqtt.ca": certificates.otherCA.pem });
    const wrongName = device("node", { broker: mqtts(broker), deviceId: "tls-wrong-name", ...good, "mqtt.serverName": "wrong.test" });
    const old = device("node", { broker: mqtts(expired), deviceId: "tls-expired", ...good });
    const lines = await Promise.all([
      refusedTwice(wrongCA, /^mqtt: cannot connect to 127\.0\.0\.1:\d+: TLS: unknown certificate authority: /),
      refusedTwice(wrongName, /^mqtt: cannot connect to 127\.0\.0\.1:\d+: TLS: host name mismatch: .*"wrong\.test"/),
      refusedTwice(old, /^mqtt: cannot connect to 127\.0\.0\.1:\d+: TLS: certificate has expired/),
    ]);
    assert.equal(lines.length, 3);
    await Promise.all([wrongCA, wrongName, old].map((one) => one.kill()));
  });

  it("the firmware on the XS host gets the same clear error through the bridge", async () => {
    const firmware = device("xs", { broker: mqtts(broker), deviceId: "tls-xs-wrong-ca", "mqtt.serverName": SERVER_NAME, "mqtt.ca": certificates.otherCA.pem });
    await refusedTwice(firmware, /^mqtt: cannot connect to 127\.0\.0\.1:\d+: TLS: unknown certificate authority: /);
    await firmware.kill();
  });

  it("a broker that requires a client certificate takes mqtt.certificate and mqtt.key, and says so when they are missing", async () => {
    const base = "home/tls-mutual";
    const subscriber = await subscribe(mutualPlainPort, `${base}/#`);
    const tls = { broker: mqtts(mutual), "mqtt.serverName": SERVER_NAME, "mqtt.ca": certificates.ca.pem };
    const withCertificate = device("node", {
      ...tls, deviceId: "tls-mutual", "mqtt.certificate": certificates.client.certificate.pem, "mqtt.key": certificates.client.key.pem,
    });
    const without = device("node", { ...tls, deviceId: "tls-mutual-none" });
    await subscriber.waitFor((m) => m.topic === `${base}/status` && m.payload === "online", 20_000, "birth with a client certificate");
    await refusedTwice(without, /^mqtt: cannot connect to 127\.0\.0\.1:\d+: TLS: .*it probably requires a client certificate/);
    await withCertificate.waitForLine(/mqtt: connected/);
    // The key never reaches a log.
    const keyLines = certificates.client.key.pem.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----"));
    for (const one of [withCertificate, without]) {
      const output = one.lines.join("\n");
      for (const line of keyLines) assert.ok(!output.includes(line.slice(0, 24)), "no key material in the device's output");
    }
    await Promise.all([withCertificate.kill(), without.kill()]);
  });
});
