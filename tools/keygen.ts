/*
 * `npm run keygen`: makes the release signing key pair (ECDSA P-256).
 *
 *   npm run keygen [-- --force]
 *
 * Writes keys/ota-signing.key.pem (the private key, mode 0600, git-ignored:
 * keep it safe, CI can pass it in $OTA_SIGNING_KEY instead) and
 * keys/ota-public.hex (the public key, which `npm start`, the tests' devices,
 * `npm run build:*` and `npm run release` build into the firmware as
 * `ota.publicKey`). Refuses to replace an existing key without --force:
 * devices built with the old public key would refuse every update signed by
 * the new one.
 */

import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { ROOT } from "../sim/firmware-modules";
import { KEYS_DIR, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, publicKeyHex } from "./ota/keys";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const unknown = args.filter((arg) => arg !== "--force");
if (unknown.length) {
  process.stderr.write(`keygen: unknown option ${unknown.join(" ")}; the only option is --force\n`);
  process.exit(2);
}
if (existsSync(PRIVATE_KEY_FILE) && !args.includes("--force")) {
  process.stderr.write(`keygen: ${relative(ROOT, PRIVATE_KEY_FILE)} exists. Devices built with its public key accept only updates it signs; `
    + "replace it only if you mean to (npm run keygen -- --force) and then rebuild and reflash every device by cable.\n");
  process.exit(1);
}
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
mkdirSync(KEYS_DIR, { recursive: true });
writeFileSync(PRIVATE_KEY_FILE, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
const publicHex = publicKeyHex(privateKey);
writeFileSync(PUBLIC_KEY_FILE, `${publicHex}\n`);
process.stdout.write(`private key: ${relative(ROOT, PRIVATE_KEY_FILE)} (keep it secret; it is git-ignored)\n`
  + `public key:  ${relative(ROOT, PUBLIC_KEY_FILE)}, built into the firmware as ota.publicKey=${publicHex}\n`);
