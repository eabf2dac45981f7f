import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XSHost } from "../sim/xs/bridge-host";
import { setStorageDirectory } from "../sim/node/storage";
setStorageDirectory(mkdtempSync(join(tmpdir(), "p-")));
async function compute(what: string, n: number) {
  const host = new XSHost({ entry: join(import.meta.dirname, "../sim/xs/engine/.probe-entry.ts"), config: { "probe.what": what, "probe.n": n }, trace: () => undefined, onCrash: (e) => { console.log("crash", e.message); process.exit(1); } });
  await host.start();
  const c = host.meter!.compute;
  host.stop();
  return c;
}
for (const what of ["encode", "read", "promise", "session"]) {
  const one = await compute(what, 1), many = await compute(what, 1001);
  console.log(what, Math.round((many - one) / 1000));
}
process.exit(0);
