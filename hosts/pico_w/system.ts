/*
 * Raspberry Pi Pico W's system (module "host/system"): identity, Wi-Fi, the
 * clock and restarting, from the Moddable SDK's modules.
 *
 * Wi-Fi and the clock are hosts/common/station.ts (the whole story is there),
 * wired here as on ESP32 (hosts/esp32/system.ts; keep the two alike). The
 * SDK's network setup (build/devices/pico/setup/network.js) is left out ("~"
 * in hosts/pico_w/manifest.json). Different on this chip, in the SDK's
 * modules/io/wifi/pico (the CYW43 through the Pico SDK's cyw43_arch):
 *   - a `password` means WPA2-AES-PSK (cyw43_arch_wifi_connect_async); a
 *     WPA3-only or WPA-TKIP-only network cannot be joined;
 *   - a failed attempt is noticed by polling the link status every 250 ms
 *     (CYW43_LINK_FAIL, NONET, BADAUTH), a loss by lwIP's link callback; a
 *     CYW43 that rejoins by itself shows as a change of `connection`;
 *   - "up" is an IPv4 address;
 *   - the first Wi-Fi object starts the CYW43 and lwIP: nothing may open a
 *     socket before startNetwork() (or macAddress()).
 * The date starts at 1970 at every boot (the SDK keeps it as an offset from
 * the boot timer, in RAM) until SNTP answers.
 *
 * Identity: macAddress() and rssi() are the Wi-Fi object's `MAC` and `RSSI`
 * (cyw43_wifi_get_mac, cyw43_wifi_get_rssi; the station's defaults), not
 * `net`'s: the SDK's pico/modNet.c reads the first lwIP interface without
 * checking there is one and does not answer "RSSI".
 *
 * freeHeap() is undefined, as on ESP32: `instrumentation` gives XS heap use
 * only (and "System Free Memory" is pico_memory_remaining(), the C heap).
 *
 * restart() is the `System` global's (modules/io/system: pico_reset(), a
 * watchdog reboot).
 *
 * Nothing here runs while preloading: the station is made on first use.
 */

import { deviceTimers } from "app/device-timers";
import WiFi from "embedded:network/interface/wifi";
import config from "mc/config";
import SNTP from "sntp";
import Time from "time";
import Station, { boardSystem } from "../common/station";

export default boardSystem("pico_w", () => new Station({ wifi: { io: WiFi }, sntp: { io: SNTP }, time: Time, timers: deviceTimers, random: Math.random, config }), () => System.restart());
