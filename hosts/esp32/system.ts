/*
 * ESP32 boards' system (module "host/system"): identity, Wi-Fi, the clock and
 * restarting, from the Moddable SDK's modules.
 *
 * Wi-Fi and the clock are hosts/common/station.ts (the whole story is there),
 * wired here to the SDK: the ECMA-419 Wi-Fi interface
 * (modules/io/wifi/esp32), `sntp`, `time`, the `timer` module. The SDK's own
 * network setup (build/devices/esp32/setup/network.js, which
 * examples/manifest_net.json preloads) is left out ("~" in
 * hosts/esp32/manifest.json). On this chip "up" is an IPv4 address and an
 * IPv6 link-local one, and a `password` joins whatever WPA mode the access
 * point offers. The first Wi-Fi object calls esp_netif_init: nothing starts
 * the TCP/IP stack before startNetwork() (or macAddress()).
 *
 * Identity: macAddress() is the station MAC from `net` (Net.get("MAC"), once
 * the Wi-Fi object has started the driver: before, Net has no interface to
 * ask); rssi() is Net.get("RSSI") while up.
 *
 * freeHeap() is undefined: the SDK tells JavaScript how much of the XS heap
 * is used (`instrumentation`'s "XS Chunk Heap Used" and "XS Slot Heap Used",
 * in -d or -i builds only) but neither its size nor what is free;
 * "System Free Memory" is the C heap (heap_caps_get_free_size), not XS's.
 *
 * restart() is the `System` global's (modules/io/system: esp_restart()).
 *
 * Nothing here runs while preloading: the station is made on first use.
 */

import { deviceTimers } from "app/device-timers";
import WiFi from "embedded:network/interface/wifi";
import config from "mc/config";
import Net from "net";
import SNTP from "sntp";
import Time from "time";
import Station, { boardSystem } from "../common/station";

export default boardSystem("esp32", () => new Station({
  wifi: { io: WiFi, MAC: () => Net.get("MAC"), RSSI: () => Net.get("RSSI") },
  sntp: { io: SNTP },
  time: Time,
  timers: deviceTimers,
  random: Math.random,
  config,
}), () => System.restart());
