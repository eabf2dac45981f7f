/*
 * Bench firmware for the update agent's costs on the XS host (run by
 * tools/bench/ota.ts; bundled and held to the firmware's rules like
 * tools/bench/xs-publish-entry.ts):
 *
 * 1. Downloads `bench.url` (`bench.size` bytes) with the agent's HttpDownload
 *    over `embedded:io/socket/tcp`, hashing it as the agent does and counting
 *    the bytes a slot would take (nothing kept), with heap checkpoints before,
 *    halfway through and after the download: the image must not stay in RAM.
 * 2. Verifies a P-256 signature `bench.verifies` times in one delivery.
 * 3. Hashes `bench.hashKiB` KiB in 1460-byte pieces (a TCP segment's worth) in one delivery.
 *
 * Trace lines: BENCH heap <label> | download ok|error <...> | verify start|end <n>
 *   | hash start|end <KiB> | done | error <message>
 */

import TCP from "embedded:io/socket/tcp";
import config from "mc/config";
import { deviceTimers } from "../../src/app/device-timers";
import { bytesHex, hexBytes } from "../../src/ota/manifest";
import { HttpDownload } from "../../src/ota/http-download";
import { verify } from "../../src/ota/p256";
import { SHA256, sha256 } from "../../src/ota/sha256";
import type { SocketConstructor } from "../../src/mqtt/transport";
import { later, mark, markHeap } from "./xs-bench-firmware";

const url = String(config["bench.url"]);
const size = Number(config["bench.size"]);
const expected = String(config["bench.sha256"]);
const pressure = Number(config["bench.pressure"]);
const verifies = Number(config["bench.verifies"]);
const hashKiB = Number(config["bench.hashKiB"]);
const publicKey = hexBytes(String(config["bench.publicKey"]))!;
const message = hexBytes(String(config["bench.message"]))!;
const signature = hexBytes(String(config["bench.signature"]))!;


const collectThenMark = (label: string) => markHeap(label, pressure);

function download(): void {
  const hash = new SHA256();
  let received = 0;
  let halfway = false;
  new HttpDownload({
    socket: { io: TCP as unknown as SocketConstructor }, url, size, timers: deviceTimers,
    onStart: () => undefined,
    onData: (bytes) => {
      hash.update(bytes);
      received += bytes.length;
      if (!halfway && received >= size / 2) {
        halfway = true;
        collectThenMark("halfway");
      }
    },
    onDone: () => {
      const got = bytesHex(hash.digest());
      mark(got === expected ? `download ok ${received}` : `error the image's SHA-256 is ${got}, not ${expected}`);
      later(() => {
        collectThenMark("after");
        later(cryptography);
      });
    },
    onError: (error) => mark(`error download: ${error.message}`),
  });
}

function cryptography(): void {
  const digest = sha256(message);
  mark("verify start");
  let valid = 0;
  for (let i = 0; i < verifies; i++) if (verify(publicKey, digest, signature)) valid++;
  mark(`verify end ${valid}`);
  later(() => {
    const piece = new Uint8Array(1460);
    const hash = new SHA256();
    mark("hash start");
    for (let done = 0; done < hashKiB * 1024; done += piece.length) hash.update(done + piece.length <= hashKiB * 1024 ? piece : piece.subarray(0, hashKiB * 1024 - done));
    hash.digest();
    mark(`hash end ${hashKiB}`);
    mark("done");
  });
}

later(() => {
  collectThenMark("before");
  later(download);
});
