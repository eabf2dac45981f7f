/*
 * Device builds with a user-installed Moddable SDK (https://github.com/Moddable-OpenSource/moddable):
 *
 *   npm run build:esp32 [-- BOARD] [-- key=value ...]   mcconfig -d -m -p esp32/BOARD (default: nodemcu)
 *   npm run build:pico_w [-- key=value ...]             mcconfig -d -m -p pico/pico_w
 *   npm run sim:moddable [-- key=value ...]             mcconfig -d -m  (the SDK's desktop simulator)
 *
 * key=value pairs override manifest config (ssid=, password=, broker=mqtt://IP:PORT, deviceId=, ...).
 * mcconfig flags (e.g. -t build, -r) pass through. Stops with a clear message
 * when $MODDABLE is unset or mcconfig is not on PATH.
 */

import { spawnSync } from "node:child_process";
import { ROOT } from "../sim/firmware-modules";

const [target, ...rest] = process.argv.slice(2);

function stop(message: string): never {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

if (!process.env.MODDABLE) {
  stop("$MODDABLE is not set. Device builds need the Moddable SDK: install it as its Getting Started guide says "
    + "(documentation/Moddable SDK - Getting Started.md), export MODDABLE, and put $MODDABLE/build/bin/<platform>/release on PATH. "
    + "Nothing else in this project needs it: npm start and npm test run without it.");
}
if (spawnSync("mcconfig", ["-h"], { stdio: "ignore" }).error) {
  stop("mcconfig is not on PATH; add $MODDABLE/build/bin/<lin|mac|win>/release to PATH (see the SDK's Getting Started guide)");
}

let platform: string[];
let args = rest;
switch (target) {
  case "esp32": {
    const board = args[0] && !args[0].includes("=") && !args[0].startsWith("-") ? args.shift()! : "nodemcu";
    platform = ["-p", `esp32/${board}`];
    break;
  }
  case "pico_w":
    platform = ["-p", "pico/pico_w"];
    break;
  case "sim":
    platform = [];
    break;
  default:
    stop(`unknown target ${JSON.stringify(target)}; use esp32, pico_w or sim`);
}
args = args.filter((arg) => arg !== "--");
const command = ["-d", "-m", ...platform, "manifest.json", ...args];
// Secrets and PEM blocks (which span lines: hence the s flag) are not echoed.
const shown = command.map((arg) => (/^(password|mqtt\.password|mqtt\.key)=/.test(arg) ? arg.replace(/=.*/s, "=***")
  : /^mqtt\.(ca|certificate)=/.test(arg) ? arg.replace(/=.*/s, "=<PEM>") : arg));
process.stdout.write(`mcconfig ${shown.join(" ")}\n`);
const result = spawnSync("mcconfig", command, { cwd: ROOT, stdio: "inherit" });
process.exit(result.status ?? 1);
