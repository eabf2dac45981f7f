import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../sim/firmware-modules";
import { deviceIdFrom, parseBroker, parseSettings } from "../../src/app/settings";

const manifestConfig = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")).config as Record<string, unknown>;

describe("firmware settings (mc/config)", () => {
  it("takes the manifest's defaults as they are: the seed demo", () => {
    const settings = parseSettings(manifestConfig);
    assert.deepEqual(settings.broker, { host: "127.0.0.1", name: "127.0.0.1", port: 1883, tls: false });
    assert.equal(settings.tls, undefined);
    assert.equal(`${settings.topicPrefix}/${settings.deviceId}`, "home/livingroom");
    assert.equal(settings.interval, 5000);
    assert.equal(settings.username, undefined);
    assert.equal(settings.password, undefined);
    assert.deepEqual(settings.sensors, { auto: false, sensors: [{ name: "tmp102", chip: "tmp102", address: 0x48 }] });
  });

  it("takes mcconfig key=value overrides, which arrive as strings", () => {
    const settings = parseSettings({ ...manifestConfig, interval: "1000", keepalive: "30", sensors: "tmp102@0x49", "mqtt.username": "me" });
    assert.equal(settings.interval, 1000);
    assert.equal(settings.keepalive, 30);
    assert.deepEqual(settings.sensors, { auto: false, sensors: [{ name: "tmp102", chip: "tmp102", address: 0x49 }] });
    assert.equal(settings.username, "me");
  });

  it("names the key and the expectation for bad values", () => {
    assert.throws(() => parseSettings({ interval: "fast" }), /config interval must be an integer from 100 to 86400000, not "fast"/);
    assert.throws(() => parseSettings({ deviceId: "a/b" }), /config deviceId "a\/b" must be one topic level/);
    assert.throws(() => parseSettings({ topicPrefix: "home/#" }), /config topicPrefix "home\/#" must not contain \+ or #/);
    assert.throws(() => parseSettings({ sensors: "tmp102@0x40" }), /config sensors: "tmp102@0x40": tmp102 answers at 0x48, 0x49, 0x4a, 0x4b/);
    assert.throws(() => parseSettings({ broker: "tcp://x" }), /config broker "tcp:\/\/x" is not a broker URL/);
  });

  it("parses broker URLs to a host (name or IPv4 address) and port", () => {
    assert.deepEqual(parseBroker("b", "mqtt://10.1.2.3"), { host: "10.1.2.3", name: "10.1.2.3", port: 1883, tls: false });
    assert.deepEqual(parseBroker("b", "mqtt://localhost:1884/"), { host: "127.0.0.1", name: "localhost", port: 1884, tls: false });
    assert.deepEqual(parseBroker("b", "mqtt://LocalHost"), { host: "127.0.0.1", name: "LocalHost", port: 1883, tls: false });
    assert.deepEqual(parseBroker("b", "mqtts://10.1.2.3"), { host: "10.1.2.3", name: "10.1.2.3", port: 8883, tls: true });
    assert.deepEqual(parseBroker("b", "mqtts://10.1.2.3:18883"), { host: "10.1.2.3", name: "10.1.2.3", port: 18883, tls: true });
    assert.deepEqual(parseBroker("b", "mqtts://broker.example.com"), { host: "broker.example.com", name: "broker.example.com", port: 8883, tls: true });
    assert.deepEqual(parseBroker("b", "mqtt://homeassistant.local:1883"), { host: "homeassistant.local", name: "homeassistant.local", port: 1883, tls: false });
    assert.throws(() => parseBroker("b", "ssl://10.1.2.3"), /is not a broker URL like "mqtt:\/\/broker.lan:1883"/);
    assert.throws(() => parseBroker("b", "mqtt://bro_ker.lan"), /host "bro_ker.lan" must be a host name such as "broker.lan" or an IPv4 address/);
    assert.throws(() => parseBroker("b", "mqtt://[::1]:1883"), /IPv6 is not supported|not a broker URL/);
    assert.throws(() => parseBroker("b", "mqtt://1.2.3.4:70000"), /port must be 1 to 65535/);
    assert.throws(() => parseBroker("b", "mqtt://256.1.1.1"), /must be a host name .* or an IPv4 address/);
  });
});

// Keys made by node:crypto; a certificate as fixed text (settings check its shape only; the
// TLS tests make real ones).
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
const KEY_PKCS8 = rsa.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
const KEY_PKCS1 = rsa.privateKey.export({ format: "pem", type: "pkcs1" }) as string;
const KEY_ENCRYPTED = rsa.privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-128-cbc", passphrase: "x" }) as string;
// A self-signed certificate: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=test-ca -days 3650
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBejCCAR+gAwIBAgIUPcw4wfK2HVjs5Mcb28VI1g9D4F8wCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNjExMjIxODMwMzJaFw0zNjExMTkxODMw
MzJaMBIxEDAOBgNVBAMMB3Rlc3QtY2EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AARGaGK9AmejZS6tkbkogSr8oZOomyJuxjEBhL9QgM6SS/IW/NgoI4cSvBFZVqIP
bkFVZohzsfKmI5FwaC2YoX/4o1MwUTAdBgNVHQ4EFgQUkJWcwddcKECNDVvhA0/u
mic4ipUwHwYDVR0jBBgwFoAUkJWcwddcKECNDVvhA0/umic4ipUwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAixroeDOTK5w1Pb4niWmfZmy+JwfC
IwmSLkuFOtu5ueUCIQCj32kmEH0i7zzs+UnCLzhk7CzubUe/+tKr/Rvk8VC27Q==
-----END CERTIFICATE-----
`;

const TLS_BASE = { broker: "mqtts://10.0.0.5", "mqtt.serverName": "broker.example.com" };

describe("firmware settings: TLS (mqtts://, mqtt.serverName, mqtt.ca, mqtt.certificate, mqtt.key)", () => {
  it("selects TLS with mqtts://, port 8883 by default, and takes the server name", () => {
    const settings = parseSettings(TLS_BASE);
    assert.deepEqual(settings.broker, { host: "10.0.0.5", name: "10.0.0.5", port: 8883, tls: true });
    assert.deepEqual(settings.tls, { serverName: "broker.example.com", ca: undefined, certificates: undefined, key: undefined });
  });

  it("keeps the CA, the client certificate and the key as DER, the form Moddable's TLS takes", () => {
    const settings = parseSettings({ ...TLS_BASE, "mqtt.ca": CERTIFICATE, "mqtt.certificate": CERTIFICATE + CERTIFICATE, "mqtt.key": KEY_PKCS8 });
    const tls = settings.tls!;
    assert.ok(tls.ca instanceof ArrayBuffer);
    assert.equal(new X509Certificate(Buffer.from(tls.ca)).subject, "CN=test-ca");
    assert.equal(tls.certificates!.length, 2, "a chain: every certificate in mqtt.certificate");
    assert.deepEqual(Buffer.from(tls.certificates![0]), Buffer.from(tls.ca));
    const key = createPrivateKey({ key: Buffer.from(tls.key!), format: "der", type: "pkcs8" });
    assert.equal(key.asymmetricKeyType, "rsa");
  });

  it("takes PEM with CRLF line ends or with literal \\n, as a shell may pass it", () => {
    const crlf = parseSettings({ ...TLS_BASE, "mqtt.ca": CERTIFICATE.replace(/\n/g, "\r\n") }).tls!.ca!;
    const escaped = parseSettings({ ...TLS_BASE, "mqtt.ca": CERTIFICATE.replace(/\n/g, "\\n") }).tls!.ca!;
    assert.deepEqual(Buffer.from(crlf), Buffer.from(escaped));
  });

  it("treats empty values (the manifest's defaults) as unset", () => {
    const settings = parseSettings({ ...TLS_BASE, "mqtt.ca": "", "mqtt.certificate": "", "mqtt.key": "" });
    assert.deepEqual(settings.tls, { serverName: "broker.example.com", ca: undefined, certificates: undefined, key: undefined });
    assert.equal(parseSettings({ broker: "mqtt://10.0.0.5", "mqtt.serverName": "", "mqtt.ca": "" }).tls, undefined);
  });

  it("needs mqtt.serverName for mqtts:// to an IPv4 address, and a host name there", () => {
    assert.throws(() => parseSettings({ broker: "mqtts://10.0.0.5" }), /config mqtt.serverName is required with an mqtts:\/\/ broker given by IP address/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.serverName": "https://broker" }), /config mqtt.serverName "https:\/\/broker" must be a host name/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.serverName": 7 }), /config mqtt.serverName must be a string/);
    assert.equal(parseSettings({ ...TLS_BASE, "mqtt.serverName": "10.0.0.5" }).tls!.serverName, "10.0.0.5");
  });

  it("checks the certificate against the broker URL's host name unless mqtt.serverName says otherwise", () => {
    assert.equal(parseSettings({ broker: "mqtts://broker.example.com" }).tls!.serverName, "broker.example.com");
    assert.equal(parseSettings({ broker: "mqtts://localhost:8883" }).tls!.serverName, "localhost", "the name as written, though it connects to 127.0.0.1");
    assert.equal(parseSettings({ broker: "mqtts://broker.lan", "mqtt.serverName": "mqtt.example.com" }).tls!.serverName, "mqtt.example.com");
  });

  it("refuses TLS keys with an mqtt:// broker rather than ignore them", () => {
    assert.throws(() => parseSettings({ broker: "mqtt://10.0.0.5", "mqtt.ca": CERTIFICATE }), /config mqtt.ca is for TLS, but broker is mqtt:\/\/; use an mqtts:\/\/ broker URL, or remove it/);
    assert.throws(() => parseSettings({ broker: "mqtt://10.0.0.5", "mqtt.serverName": "b", "mqtt.key": KEY_PKCS8 }), /config mqtt.serverName, mqtt.key are for TLS/);
  });

  it("refuses values that are not PEM, naming the key", () => {
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.ca": "/etc/ssl/ca.pem" }), /config mqtt.ca must be PEM text/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.ca": "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----" }), /config mqtt.ca is not valid PEM: its CERTIFICATE block is not base64-encoded DER/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.ca": CERTIFICATE.replace("END CERTIFICATE", "END X509 CRL") }), /config mqtt.ca is not valid PEM: BEGIN CERTIFICATE ends with END X509 CRL/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.ca": KEY_PKCS8 }), /config mqtt.ca must hold a certificate \(BEGIN CERTIFICATE\), not a private key/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.ca": CERTIFICATE + CERTIFICATE }), /config mqtt.ca must hold one certificate .*not 2/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.certificate": KEY_PKCS8, "mqtt.key": KEY_PKCS8 }), /config mqtt.certificate must hold certificates \(BEGIN CERTIFICATE\), not a private key/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.certificate": CERTIFICATE, "mqtt.key": CERTIFICATE }), /config mqtt.key must be a private key \(BEGIN PRIVATE KEY\), not BEGIN CERTIFICATE/);
  });

  it("needs a PKCS#8, unencrypted key, and says how to convert one", () => {
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.certificate": CERTIFICATE, "mqtt.key": KEY_PKCS1 }),
      /config mqtt.key must be a PKCS#8 key \(BEGIN PRIVATE KEY\).*not BEGIN RSA PRIVATE KEY; convert it with: openssl pkcs8 -topk8 -nocrypt/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.certificate": CERTIFICATE, "mqtt.key": KEY_ENCRYPTED }), /config mqtt.key must not be encrypted/);
  });

  it("needs the client certificate and its key together", () => {
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.certificate": CERTIFICATE }), /config mqtt.certificate is set without mqtt.key: a client certificate needs both/);
    assert.throws(() => parseSettings({ ...TLS_BASE, "mqtt.key": KEY_PKCS8 }), /config mqtt.key is set without mqtt.certificate/);
  });

  it("never quotes a key, certificate or password in its errors", () => {
    const secretBody = KEY_PKCS1.split("\n")[1];
    const attempts: Record<string, unknown>[] = [
      { ...TLS_BASE, "mqtt.certificate": CERTIFICATE, "mqtt.key": KEY_PKCS1 },
      { ...TLS_BASE, "mqtt.certificate": CERTIFICATE, "mqtt.key": KEY_PKCS1.replace(/[A-Za-z]/, "!") },
      { ...TLS_BASE, "mqtt.ca": KEY_PKCS1 },
      { ...TLS_BASE, "mqtt.ca": KEY_PKCS1.slice(0, 300) },
      { broker: "mqtt://10.0.0.5", "mqtt.key": KEY_PKCS1, "mqtt.password": "hunter2" },
    ];
    for (const config of attempts) {
      assert.throws(() => parseSettings(config), (error: Error) => {
        assert.ok(!error.message.includes(secretBody.slice(0, 16)), `no key material in: ${error.message}`);
        assert.ok(!error.message.includes("hunter2"));
        return true;
      });
    }
  });
});

describe("outbox settings", () => {
  it("default to 100 messages, dropping the oldest, in 4000-byte records", () => {
    assert.deepEqual(parseSettings({}).outbox, { messages: 100, overflow: "drop-oldest", recordBytes: 4000 });
  });
  it("take overrides as strings and name bad keys", () => {
    assert.deepEqual(parseSettings({ "outbox.messages": "20", "outbox.overflow": "reject", "outbox.recordBytes": "63" }).outbox, { messages: 20, overflow: "reject", recordBytes: 63 });
    assert.throws(() => parseSettings({ "outbox.overflow": "drop-newest" }), /config outbox.overflow "drop-newest" must be "reject" or "drop-oldest"/);
    assert.throws(() => parseSettings({ "outbox.messages": 0 }), /config outbox.messages must be an integer from 10 to 1000/);
  });
});

describe("device identity and version settings", () => {
  it("derives the device id from the MAC address for deviceId auto, as boards are built", () => {
    assert.equal(deviceIdFrom("auto", "a4cf12b3c4d5"), "xs-b3c4d5");
    assert.equal(deviceIdFrom("kitchen", "a4cf12b3c4d5"), "kitchen");
    assert.throws(() => deviceIdFrom("auto", undefined), /deviceId "auto" takes the id from the MAC address, and this host has none; set deviceId/);
  });
  it("leaves the client id empty unless set, for main to derive from the device id", () => {
    assert.equal(parseSettings({}).clientId, "");
    assert.equal(parseSettings({ clientId: "mine" }).clientId, "mine");
  });
  it("checks the Home Assistant prefix and the version", () => {
    assert.equal(parseSettings(manifestConfig).discoveryPrefix, "homeassistant");
    assert.equal(parseSettings({ "ha.prefix": "ha/test" }).discoveryPrefix, "ha/test");
    assert.throws(() => parseSettings({ "ha.prefix": "home+assistant" }), /config ha.prefix "home\+assistant" must be topic levels/);
    assert.throws(() => parseSettings({ version: "" }), /config version "" must be 1 to 40 printable ASCII characters/);
  });
  it("keeps manifest.json's version and package.json's in step", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(parseSettings(manifestConfig).version, pkg.version);
  });
});

describe("update settings (ota.*)", () => {
  const key = `04${"ab".repeat(64)}`;
  it("are off without a public key, and take the release's stamps as strings", () => {
    assert.equal(parseSettings(manifestConfig).ota.publicKey, undefined);
    const ota = parseSettings({ ...manifestConfig, "ota.publicKey": key, "ota.counter": "7", "ota.healthTimeout": "30000", "ota.target": "esp32/nodemcu", "ota.topic": "fleet/ota/esp32" }).ota;
    assert.equal(ota.publicKey?.length, 65);
    assert.equal(ota.publicKey?.[0], 4);
    assert.equal(ota.publicKey?.[64], 0xab);
    assert.deepEqual({ ...ota, publicKey: undefined }, { publicKey: undefined, target: "esp32/nodemcu", counter: 7, healthTimeoutMs: 30000, trialBoots: 1, topic: "fleet/ota/esp32", ca: undefined, serverName: undefined });
  });

  it("name the key and what was expected", () => {
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.publicKey": "04abcd" }), /config ota.publicKey .*130 hex digits starting 04/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.target": "ESP32 board" }), /config ota.target/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.healthTimeout": 10 }), /config ota.healthTimeout must be an integer from 1000/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.topic": "fleet/+/ota" }), /config ota.topic/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.ca": "not a certificate" }), /config ota.ca must be PEM text/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.serverName": "bad name!" }), /config ota.serverName/);
    assert.throws(() => parseSettings({ ...manifestConfig, "ota.trialBoots": 0 }), /config ota.trialBoots must be an integer from 1 to 10/);
  });

  it("take the image server's CA and name for https:// images", () => {
    const ca = parseSettings({ ...manifestConfig, "ota.ca": CERTIFICATE }).ota.ca;
    assert.deepEqual(Buffer.from(ca!), new X509Certificate(CERTIFICATE).raw, "the CA as DER, the form Moddable's TLS takes");
    const none = parseSettings(manifestConfig).ota;
    assert.equal(none.ca, undefined);
    assert.equal(none.serverName, undefined);
    assert.equal(parseSettings({ ...manifestConfig, "ota.serverName": "updates.example.com" }).ota.serverName, "updates.example.com");
  });
});
