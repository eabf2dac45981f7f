/*
 * `npm run release`: builds, signs and publishes a firmware update.
 *
 *   npm run release -- --target sim --serve --broker mqtt://127.0.0.1:1883
 *   npm run release -- --target esp32/nodemcu --base-url http://192.168.1.5:8080 --broker mqtt://192.168.1.5
 *
 * Steps: build the image (sim: the simulator bundle; esp32/<board>: mcconfig
 * -t build with the user's Moddable SDK), stamp version (package.json + git
 * commit) and security counter, SHA-256, sign the manifest with the release
 * key (npm run keygen), write image and announcement under the release folder
 * (build/releases), announce retained on `<topicPrefix>/ota/<target>`.
 * `--serve` then serves the folder over HTTP until Ctrl-C.
 */

import { join } from "node:path";
import { ROOT } from "../sim/firmware-modules";
import { loadSigningKey } from "./ota/keys";
import { announceTopic, publishAnnouncement, release } from "./ota/pipeline";
import { serveReleases } from "./ota/release-server";

const USAGE = `usage: npm run release -- --target TARGET [options]

  --target sim|esp32/BOARD    what to build (pico_w cannot update over the air)
  --broker mqtt://HOST:PORT   announce the update there (retained, QoS 1)
  --topic-prefix PREFIX       devices' topicPrefix (default: home): topic PREFIX/ota/TARGET
  --topic TOPIC               announce on this topic instead (a device group's ota.topic)
  --base-url URL              where devices download from (the release folder's URL)
  --serve [PORT]              serve the release folder over HTTP (default port 8080) and keep running;
                              without --base-url, devices download from http://127.0.0.1:PORT
  --out DIR                   release folder (default: build/releases)
  --version X.Y.Z[+BUILD]     default: package.json's version + the git commit
  --counter N                 security counter (default: the folder's last + 1)
  --downgrade                 sign as an explicit downgrade (lower version or counter)
  --key FILE                  signing key (default: $OTA_SIGNING_KEY, keys/ota-signing.key.pem)
  --set KEY=VALUE             firmware config for the build (repeatable)
  --help                      this text`;

function fail(message: string): never {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

interface Args {
  target?: string; broker?: string; topicPrefix: string; topic?: string; baseURL?: string;
  serve?: number; out: string; version?: string; counter?: number; downgrade: boolean; key?: string;
  set: Record<string, string>;
}

function parse(argv: string[]): Args {
  const args: Args = { topicPrefix: "home", out: join(ROOT, "build/releases"), downgrade: false, set: {} };
  const value = (i: number, name: string) => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) fail(`${name} needs a value`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case "--": break;
      case "--help": process.stdout.write(`${USAGE}\n`); process.exit(0);
      case "--target": args.target = value(i++, arg); break;
      case "--broker": args.broker = value(i++, arg); break;
      case "--topic-prefix": args.topicPrefix = value(i++, arg); break;
      case "--topic": args.topic = value(i++, arg); break;
      case "--base-url": args.baseURL = value(i++, arg); break;
      case "--out": args.out = value(i++, arg); break;
      case "--version": args.version = value(i++, arg); break;
      case "--key": args.key = value(i++, arg); break;
      case "--downgrade": args.downgrade = true; break;
      case "--counter": {
        const n = Number(value(i++, arg));
        if (!Number.isInteger(n) || n < 0) fail("--counter must be a non-negative integer");
        args.counter = n;
        break;
      }
      case "--serve": {
        const next = argv[i + 1];
        if (next !== undefined && /^\d+$/.test(next)) {
          args.serve = Number(next);
          i++;
        }
        else args.serve = 8080;
        break;
      }
      case "--set": {
        const pair = value(i++, arg);
        const eq = pair.indexOf("=");
        if (eq <= 0) fail(`--set takes KEY=VALUE, not ${JSON.stringify(pair)}`);
        args.set[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      default: fail(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return args;
}

const args = parse(process.argv.slice(2));
if (!args.target) fail(`--target is required\n${USAGE}`);
if (args.broker && !/^mqtts?:\/\/[^/]+/.test(args.broker)) fail(`--broker ${JSON.stringify(args.broker)} is not an mqtt:// URL`);
if (!args.baseURL && args.serve === undefined) fail("give --base-url (where devices download the image) or --serve");

const progress = (line: string) => process.stdout.write(`release: ${line}\n`);
try {
  const key = loadSigningKey(args.key);
  const server = args.serve === undefined ? undefined : await serveReleases(args.out, { port: args.serve, host: "0.0.0.0", onRequest: (line) => progress(`http: ${line}`) });
  const baseURL = args.baseURL ?? `http://127.0.0.1:${(server!.server.address() as { port: number }).port}`;
  const made = await release({
    target: args.target, key, out: args.out, baseURL, version: args.version, counter: args.counter,
    downgrade: args.downgrade, config: args.set, progress,
  });
  progress(`manifest: ${made.announcementPath}`);
  if (args.broker) {
    const topic = args.topic ?? announceTopic(args.topicPrefix, args.target);
    progress(`announcing on ${topic} at ${args.broker} (retained)`);
    await publishAnnouncement(args.broker, topic, made.announcement);
    progress("announced");
  }
  else progress("not announced (no --broker); devices learn of it when the announcement is published");
  if (server) {
    progress(`serving ${args.out} at ${baseURL} (Ctrl-C stops)`);
    const stop = () => { void server.close().then(() => process.exit(0)); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }
}
catch (error) {
  fail((error as Error).message);
}
