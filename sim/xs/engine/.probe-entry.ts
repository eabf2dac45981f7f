import "./bridge";
import config from "mc/config";
import { encodeCheckedPublish } from "../../../src/mqtt/encoder";
import { PacketReader } from "../../../src/mqtt/reader";
import { Session } from "../../../src/mqtt/session";
import { MemoryOutboxStore } from "../../../src/mqtt/outbox-store";
import { encodeUTF8 } from "../../../src/mqtt/utf8";
const what = String(config["probe.what"]);
const n = Number(config["probe.n"]);
const topic = encodeUTF8("home/livingroom/temperature");
const payload = encodeUTF8(JSON.stringify({ value: 21.5, unit: "°C", ts: 1795370428594, seq: 1 }));
const puback = Uint8Array.of(0x40, 2, 0, 7);
const reader = new PacketReader();
const session = new Session(new MemoryOutboxStore(), { window: 10, messages: 100, bytes: 65536, overflow: "reject" });
let sink = 0;
for (let i = 0; i < n; i++) {
  if (what === "encode") sink += encodeCheckedPublish(topic, payload, 1, false, false, 7).length;
  else if (what === "read") reader.push(puback, () => { sink++; });
  else if (what === "promise") new Promise<void>((resolve) => resolve()).then(() => { sink++; });
  else if (what === "session") {
    const p = session.accept({ topic: "home/livingroom/temperature", payload, qos: 1, retain: false });
    p.then(() => { sink++; });
    const packet = session.next();
    session.puback((packet as { packetId: number }).packetId);
  }
}
trace(`done ${sink}\n`);
