/*
 * The rule that keeps "the same code" honest: code that runs on XS (src/,
 * hosts/, sim/devices/) imports only its own modules and the device's module
 * set, and uses no Node or browser globals. The firmware tsconfig already has
 * no Node or DOM types, so most slips are type errors; this check also
 * catches what types miss: `(globalThis as any).process`, `Intl` (part of the
 * ES library types but not of Moddable builds), `require`, dynamic import.
 *
 *   node --import tsx tools/firmware-rules.ts      lists violations, exit 1 if any
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { DEVICE_MODULES, firmwareModules, ROOT } from "../sim/firmware-modules";

/** Globals of Node or browsers that a Moddable device does not have. */
export const FORBIDDEN_GLOBALS = [
  "process", "Buffer", "require", "module", "exports", "__dirname", "__filename", "global",
  "console", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate",
  "queueMicrotask", "structuredClone", "TextEncoder", "TextDecoder", "fetch", "URL", "URLSearchParams",
  "window", "document", "navigator", "performance", "crypto", "atob", "btoa", "Intl", "WebAssembly",
  "AbortController", "Event", "EventTarget", "Blob", "localStorage",
];

/**
 * SDK modules a device host (hosts/<target>/) may import beyond the device
 * module set, with the SDK manifest its manifest.json must include for them
 * (or the SDK file its manifest maps the module to).
 * The simulators do not provide these; only that target's own files use them.
 */
export const HOST_SDK_MODULES: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  esp32: Object.freeze({
    onewire: "$(MODDABLE)/modules/drivers/onewire/manifest.json",
    "embedded:network/interface/wifi": "$(MODDABLE)/modules/io/wifi/manifest.json",
    sntp: "$(MODDABLE)/modules/network/sntp/manifest.json",
  }),
  pico_w: Object.freeze({
    "embedded:network/interface/wifi": "$(MODDABLE)/modules/io/wifi/manifest.json",
    "embedded:io/socket/udp": "$(MODDABLE)/modules/io/manifests/pico/manifest_net.json",
    // Listed module by module in hosts/pico_w/manifest.json (examples/io/udp/dns/manifest_dns.json would bring every io module).
    "embedded:network/dns/resolver/udp": "$(MODDABLE)/examples/io/udp/dns/dns",
    sntp: "$(MODDABLE)/modules/network/sntp/manifest.json",
  }),
});

/** Folders whose code runs on XS. */
export const FIRMWARE_DIRS = ["src", "hosts", "sim/devices"];

export interface Violation {
  file: string;
  line: number;
  message: string;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (/\.ts$/.test(entry) && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

export function firmwareSources(root = ROOT): string[] {
  return FIRMWARE_DIRS.flatMap((dir) => listSources(join(root, dir)));
}

/** Checks one source text; `file` is used for messages only. */
export function checkSource(file: string, text: string, moduleNames: ReadonlySet<string>): Violation[] {
  const host = /^hosts\/([^/]+)\//.exec(file)?.[1];
  const hostModules = host ? HOST_SDK_MODULES[host] ?? {} : {};
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const violations: Violation[] = [];
  const report = (node: ts.Node, message: string) => {
    violations.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, message });
  };
  const declared = new Set<string>();
  const collect = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isParameter(node)
      || ts.isImportSpecifier(node) || ts.isImportClause(node) || ts.isNamespaceImport(node)) && node.name && ts.isIdentifier(node.name))
      declared.add(node.name.text);
    ts.forEachChild(node, collect);
  };
  collect(source);

  const checkSpecifier = (node: ts.Node, specifier: string) => {
    if (specifier.startsWith("./") || specifier.startsWith("../")) return;
    if ((DEVICE_MODULES as readonly string[]).includes(specifier) || moduleNames.has(specifier) || specifier in hostModules) return;
    if (specifier.startsWith("embedded:")) return report(node, `imports "${specifier}", which the simulator hosts do not provide yet; add it to DEVICE_MODULES and both hosts`);
    report(node, `imports "${specifier}": firmware may import only its own modules and ${DEVICE_MODULES.join(", ")}`);
  };

  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
      // Type-only imports vanish at compile time; they may name typings modules.
      if (!typeOnly) checkSpecifier(node, node.moduleSpecifier.text);
    }
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      report(node, "uses dynamic import(); Moddable firmware links its modules at build time");
    }
    else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.includes(node.text) && !declared.has(node.text)) {
      const parent = node.parent;
      const isName = (ts.isPropertyAccessExpression(parent) && parent.name === node)
        || (ts.isPropertyAssignment(parent) && parent.name === node)
        || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)
        || ts.isMethodSignature(parent);
      if (!isName) report(node, `uses the global "${node.text}", which Moddable devices do not have`);
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const target = ts.isParenthesizedExpression(node.expression) || ts.isAsExpression(node.expression) ? stripCasts(node.expression) : node.expression;
      const name = ts.isPropertyAccessExpression(node) ? node.name.text
        : ts.isStringLiteral(node.argumentExpression) ? node.argumentExpression.text : undefined;
      if (ts.isIdentifier(target) && target.text === "globalThis" && name && FORBIDDEN_GLOBALS.includes(name))
        report(node, `uses globalThis.${name}, which Moddable devices do not have`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return violations;
}

function stripCasts(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) node = node.expression;
  return node;
}

export function checkFirmware(root = ROOT): Violation[] {
  const names = new Set(firmwareModules().byName.keys());
  return firmwareSources(root).flatMap((file) => checkSource(relative(root, file), readFileSync(file, "utf8"), names));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = checkFirmware();
  for (const v of violations) process.stdout.write(`${v.file}:${v.line}: ${v.message}\n`);
  process.exit(violations.length ? 1 : 0);
}
