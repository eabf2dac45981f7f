import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEVICE_MODULES, firmwareModules, resolveFirmwareImport, resolveRelativeName, ROOT } from "../../sim/firmware-modules";

const modules = firmwareModules();
const main = join(ROOT, "src/main.ts");
const client = join(ROOT, "src/mqtt/client.ts");

describe("firmware module resolution (as a device build links)", () => {
  it("names modules as the manifests do", () => {
    assert.equal(modules.byName.get("main"), main);
    assert.equal(modules.byName.get("mqtt/client"), client);
    assert.equal(modules.byName.get("host/provider"), join(ROOT, "hosts/sim/provider.ts"));
    assert.equal(modules.byName.get("sim/devices/i2c"), join(ROOT, "sim/devices/i2c.ts"));
    assert.ok(!modules.byName.has("typings/embedded-provider"), "declaration files are not modules");
  });

  it("resolves relative specifiers against the importer's module name, as XS does", () => {
    assert.equal(resolveRelativeName("main", "./mqtt/client"), "mqtt/client");
    assert.equal(resolveRelativeName("mqtt/client", "./encoder"), "mqtt/encoder");
    assert.equal(resolveRelativeName("app/telemetry", "../mqtt/client"), "mqtt/client");
    assert.equal(resolveRelativeName("app/telemetry", "../mqtt/client.js"), "mqtt/client");
    assert.equal(resolveRelativeName("main", "../outside"), undefined);
  });

  it("resolves the firmware's own imports and the device's modules", () => {
    assert.deepEqual(resolveFirmwareImport(modules, "Node", "./mqtt/client", main), { kind: "firmware", name: "mqtt/client", file: client });
    for (const name of DEVICE_MODULES) assert.deepEqual(resolveFirmwareImport(modules, "Node", name, main), { kind: "device", name });
  });

  it("refuses anything else, naming the module, the importer and the host", () => {
    assert.throws(() => resolveFirmwareImport(modules, "Node", "node:fs", main), /Node host: the firmware imports "node:fs" \(in src\/main\.ts\)/);
    assert.throws(() => resolveFirmwareImport(modules, "XS", "mqtt", client), /XS host: the firmware imports "mqtt" \(in src\/mqtt\/client\.ts\)/);
    assert.throws(() => resolveFirmwareImport(modules, "XS", "embedded:io/socket/udp", main), /neither a module of its own/);
    assert.throws(() => resolveFirmwareImport(modules, "Node", "./nowhere", main), /module "nowhere", which no manifest names/);
    assert.throws(() => resolveFirmwareImport(modules, "Node", "./x", join(ROOT, "tools/start.ts")), /not a module in manifest\.json/);
  });
});
