import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { firmwareModules, ROOT } from "../../sim/firmware-modules";
import { checkFirmware, checkSource } from "../../tools/firmware-rules";

const names = new Set(firmwareModules().byName.keys());
const check = (text: string) => checkSource("src/example.ts", text, names).map((v) => v.message);

describe("firmware rules: src/ runs on XS", () => {
  it("the firmware, hosts and simulated devices break no rule", () => {
    assert.deepEqual(checkFirmware(), []);
  });

  it("the firmware is type-checked with no Node types and no DOM", () => {
    const { config } = ts.readConfigFile(join(ROOT, "tsconfig.json"), (path) => readFileSync(path, "utf8"));
    assert.deepEqual(config.compilerOptions.types, []);
    assert.ok(config.compilerOptions.lib.every((lib: string) => !/dom|webworker/i.test(lib)), "no DOM library");
    assert.ok(config.include.every((path: string) => !path.includes("@types/node")));
  });

  const violations: [string, string, RegExp][] = [
    ["a node: module", `import fs from "node:fs";`, /imports "node:fs"/],
    ["a bare Node module", `import os from "os";`, /imports "os"/],
    ["an npm package", `import mqtt from "mqtt";`, /imports "mqtt"/],
    ["an ECMA-419 module the hosts lack", `import UDP from "embedded:io/socket/udp";`, /do not provide yet/],
    ["process", `const port = process.env.PORT;`, /global "process"/],
    ["Buffer", `const b = Buffer.from("x");`, /global "Buffer"/],
    ["console", `console.log("hi");`, /global "console"/],
    ["setTimeout", `setTimeout(() => {}, 10);`, /global "setTimeout"/],
    ["TextEncoder", `new TextEncoder();`, /global "TextEncoder"/],
    ["Intl, which the ES types include", `new Intl.NumberFormat();`, /global "Intl"/],
    ["structuredClone", `structuredClone({});`, /global "structuredClone"/],
    ["globalThis.process through a cast", `(globalThis as any).process.exit(1);`, /globalThis.process/],
    ["globalThis['Buffer']", `const B = globalThis["Buffer"];`, /globalThis.Buffer/],
    ["require", `const x = require("fs");`, /global "require"/],
    ["dynamic import", `await import("./main");`, /dynamic import/],
    ["a global in shorthand", `const o = { process };`, /global "process"/],
  ];
  for (const [what, text, expected] of violations) {
    it(`catches ${what}`, () => {
      const messages = check(text);
      assert.ok(messages.some((m) => expected.test(m)), `expected ${expected} in ${JSON.stringify(messages)}`);
    });
  }

  const allowed: [string, string][] = [
    ["its own modules by relative path", `import { encode } from "./mqtt/encoder";`],
    ["its own modules by manifest name", `import { encode } from "mqtt/encoder";`],
    ["the device's module set", `import Timer from "timer"; import TCP from "embedded:io/socket/tcp"; import config from "mc/config";`],
    ["type-only imports of typings", `import type Device from "embedded:provider/builtin";`],
    ["a property that shares a global's name", `const env = options.process; const o = { console: 1 };`],
    ["a local that shadows a global's name", `const performance = 3; performance.toFixed();`],
    ["the device and trace globals", `trace("x\\n"); device.I2C;`],
  ];
  for (const [what, text] of allowed) {
    it(`allows ${what}`, () => assert.deepEqual(check(text), []));
  }
});

describe("firmware rules: device hosts", () => {
  it("let a host import the SDK modules its manifest includes, and no other file", async () => {
    const { HOST_SDK_MODULES } = await import("../../tools/firmware-rules");
    for (const [host, modules] of Object.entries(HOST_SDK_MODULES)) {
      const manifest = JSON.parse(readFileSync(join(ROOT, "hosts", host, "manifest.json"), "utf8")) as { include: string[]; modules: Record<string, unknown> };
      for (const [name, include] of Object.entries(modules)) {
        assert.ok(manifest.include.includes(include) || manifest.modules[name] === include, `hosts/${host}/manifest.json must include ${include} (or map "${name}" to it)`);
        assert.deepEqual(checkSource(`hosts/${host}/board.ts`, `import X from "${name}";`, names), []);
        assert.ok(checkSource("src/main.ts", `import X from "${name}";`, names).length > 0, `src/ may not import "${name}"`);
      }
    }
  });
});
