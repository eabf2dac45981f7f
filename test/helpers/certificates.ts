/*
 * Certificates for TLS tests, made with the `openssl` command in a temporary
 * folder: a test CA, a second CA nobody trusts, a server certificate for
 * SERVER_NAME, the same server's certificate expired, and a client
 * certificate. Keys are RSA 2048 in PKCS#8 (what Moddable's TLS takes);
 * leaf certificates carry subjectAltName, subject and authority key ids,
 * which Moddable's certificate check (modules/crypt/ssl/ssl_cert.js) needs.
 * The folder and files are world-readable so that mosquitto, which drops
 * root's privileges before loading them, can read them: test material only.
 */

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "./brokers";

/** The name the test server's certificate is for. */
export const SERVER_NAME = "broker.test";

export interface PEMFile {
  path: string;
  pem: string;
}

export interface KeyPair {
  certificate: PEMFile;
  key: PEMFile;
}

export interface TestCertificates {
  dir: string;
  ca: PEMFile;
  /** A CA that signed nothing the tests connect to. */
  otherCA: PEMFile;
  server: KeyPair;
  /** SERVER_NAME's certificate, signed by `ca`, valid only in January 2020. */
  expiredServer: KeyPair;
  /** A certificate naming SERVER_NAME only in its subject's CN, with no subjectAltName. */
  cnOnlyServer: KeyPair;
  /** A client certificate signed by `ca`. */
  client: KeyPair;
}

/** The openssl command, if installed. */
export function opensslPath(): string | undefined {
  const result = spawnSync("openssl", ["version"], { encoding: "utf8" });
  return result.status === 0 ? "openssl" : undefined;
}

function openssl(dir: string, args: string[]): void {
  const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (result.error) throw new Error(`openssl is not installed (Debian: apt-get install -y openssl): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr.trim()}`);
}

const REQUEST_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

function signingConfig(dir: string, ca: string): string {
  return `
[ca]
default_ca = signer
[signer]
dir = ${dir}
database = ${dir}/${ca}.index
new_certs_dir = ${dir}/issued
certificate = ${dir}/${ca}.pem
private_key = ${dir}/${ca}.key
rand_serial = yes
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[any]
commonName = supplied
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:${SERVER_NAME}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[cn_only_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;
}

/** openssl's date format: YYYYMMDDHHMMSSZ. */
function opensslDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
}

function pemFile(path: string): PEMFile {
  return { path, pem: readFileSync(path, "utf8") };
}

/** Makes the test certificates in a new temporary folder (about a second: four RSA keys). */
export function makeCertificates(dir = temporaryDirectory("tls-certificates")): TestCertificates {
  mkdirSync(join(dir, "issued"), { recursive: true });
  writeFileSync(join(dir, "req.cnf"), REQUEST_CONFIG);

  const makeCA = (name: string, subject: string) => {
    openssl(dir, ["req", "-x509", "-new", "-config", "req.cnf", "-extensions", "ca_ext", "-newkey", "rsa:2048", "-nodes",
      "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", subject]);
    writeFileSync(join(dir, `${name}.index`), "");
    writeFileSync(join(dir, `${name}.cnf`), signingConfig(dir, name));
  };
  makeCA("ca", "/CN=xs-sensor test CA");
  makeCA("other-ca", "/CN=some other CA");

  const request = (name: string, subject: string) =>
    openssl(dir, ["req", "-new", "-config", "req.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  const sign = (csr: string, out: string, extensions: string, from: Date, to: Date) =>
    openssl(dir, ["ca", "-batch", "-notext", "-config", "ca.cnf", "-extensions", extensions, "-in", csr, "-out", out,
      "-startdate", opensslDate(from), "-enddate", opensslDate(to)]);

  const now = Date.now();
  const hourAgo = new Date(now - 3_600_000);
  const tomorrow = new Date(now + 86_400_000);
  request("server", `/CN=${SERVER_NAME}`);
  sign("server.csr", "server.pem", "server_ext", hourAgo, tomorrow);
  sign("server.csr", "server-expired.pem", "server_ext", new Date("2020-01-01T00:00:00Z"), new Date("2020-01-31T00:00:00Z"));
  sign("server.csr", "server-cn-only.pem", "cn_only_ext", hourAgo, tomorrow);
  request("client", "/CN=xs-sensor test device");
  sign("client.csr", "client.pem", "client_ext", hourAgo, tomorrow);

  // mosquitto started as root drops to its own user before it reads these: let it in. (Throwaway test keys.)
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) if (/\.(pem|key)$/.test(name)) chmodSync(join(dir, name), 0o644);

  return {
    dir,
    ca: pemFile(join(dir, "ca.pem")),
    otherCA: pemFile(join(dir, "other-ca.pem")),
    server: { certificate: pemFile(join(dir, "server.pem")), key: pemFile(join(dir, "server.key")) },
    expiredServer: { certificate: pemFile(join(dir, "server-expired.pem")), key: pemFile(join(dir, "server.key")) },
    cnOnlyServer: { certificate: pemFile(join(dir, "server-cn-only.pem")), key: pemFile(join(dir, "server.key")) },
    client: { certificate: pemFile(join(dir, "client.pem")), key: pemFile(join(dir, "client.key")) },
  };
}

/** mosquitto.conf lines making the listener before them TLS with `pair`; `requireCertificate` asks clients for one signed by `ca`. */
export function mosquittoTLS(certificates: TestCertificates, pair: KeyPair, requireCertificate = false): string[] {
  return [
    `cafile ${certificates.ca.path}`,
    `certfile ${pair.certificate.path}`,
    `keyfile ${pair.key.path}`,
    ...(requireCertificate ? ["require_certificate true"] : []),
  ];
}
