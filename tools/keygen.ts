/*
 * `npm run keygen`: makes the release signing key pair (ECDSA P-256).
 *
 *   npm run keygen [-- --force] [--out DIR]
 *
 * Writes keys/ota-signing.key.pem (the private key, mode 0600, git-ignored:
 * keep it safe, CI can pass it in $OTA_SIGNING_KEY instead) and
 * keys/ota-public.hex (the public key, which `npm start`, the tests' devices,
 * `npm run build:*` and `npm run release` build into the firmware as
 * `ota.publicKey`). Refuses to replace an existing key without --force:
 * devices built with the old public key would refuse every update signed by
 * the new one.
 */

import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ROOT } from "../sim/firmware-modules";
import { generateSigningKey, KEYS_DIR, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from "./ota/keys";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
let force = false;
let dir = KEYS_DIR;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--force") force = true;
  else if (args[i] === "--out" && args[i + 1] && !args[i + 1].startsWith("--")) dir = args[++i];
  else {
    process.stderr.write(`keygen: unknown option ${args[i]}; options: --force, --out DIR (default keys/)\n`);
    process.exit(2);
  }
}
const privateFile = join(dir, basename(PRIVATE_KEY_FILE));
const publicFile = join(dir, basename(PUBLIC_KEY_FILE));
const shown = (path: string) => (path.startsWith(ROOT) ? relative(ROOT, path) : path);
if (existsSync(privateFile) && !force) {
  process.stderr.write(`keygen: ${shown(privateFile)} exists. Devices built with its public key accept only updates it signs; `
    + "replace it only if you mean to (npm run keygen -- --force) and then rebuild and reflash every device by cable.\n");
  process.exit(1);
}
const { privateKey, publicHex } = generateSigningKey();
mkdirSync(dir, { recursive: true });
// writeFileSync's mode applies only to a new file; a replaced key gets 0600 too.
writeFileSync(privateFile, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
chmodSync(privateFile, 0o600);
writeFileSync(publicFile, `${publicHex}\n`);
process.stdout.write(`private key: ${shown(privateFile)} (keep it secret${dir === KEYS_DIR ? "; it is git-ignored" : ""})\n`
  + `public key:  ${shown(publicFile)}, built into the firmware as ota.publicKey=${publicHex}\n`);
