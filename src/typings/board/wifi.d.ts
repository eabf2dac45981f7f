/*
 * The ECMA-419 Wi-Fi network interface, `embedded:network/interface/wifi`
 * (Moddable SDK 8.2: modules/io/wifi, esp32/wifi-esp32.c and
 * pico/wifi-pico.c), which @moddable/typings 5.6.0 lacks. As the SDK's own
 * typings/embedded_network/interface/wifi.d.ts, plus what its
 * implementations do:
 *
 * - `connection`: 200 (or less) disconnected, 300 connecting, 400 associated
 *   without an address, 500 with an address. ESP32 reports 500 once it has an
 *   IPv4 address and an IPv6 link-local one (or the latter failed); Pico W
 *   once it has an IPv4 address.
 * - `onChanged("connection")` follows every change of `connection`, delivered
 *   on the event loop; `onChanged("address")` a new address. A failed attempt
 *   (access point not found, password rejected) goes back to 200; neither
 *   port says why.
 * - The modules neither reconnect after a loss nor retry a failed
 *   `connect()` (ESP-IDF does not either; a CYW43 that rejoins by itself
 *   shows as a change of `connection`). `connect()` throws while an attempt
 *   is under way ("already connecting") or when the driver refuses it.
 *   Pico W: a `password` means WPA2-AES.
 * - The first instance starts the radio in station mode (ESP32: esp_netif,
 *   the event loop and esp_wifi; Pico W: the CYW43 and lwIP). The state is the
 *   chip's: a new instance sees a connection another one made.
 * - Getters give undefined when the chip cannot answer (not associated).
 *
 * The device host manifests exclude the SDK's declaration ("~") and list
 * this file in their TypeScript `types`.
 */
declare module "embedded:network/interface/wifi" {
  export type WiFiChangedProperty = "connection" | "address";

  export interface WiFiConstructorOptions {
    onChanged?: (this: WiFi, property: WiFiChangedProperty) => void;
  }

  export interface WiFiConnectOptions {
    SSID: string;
    /** Omitted for an open network. */
    password?: string;
  }

  export default class WiFi {
    constructor(options: WiFiConstructorOptions);
    close(): void;
    connect(options: WiFiConnectOptions): void;
    /** Leaves the access point (or abandons an attempt); `connection` is 200 at once. */
    disconnect(): void;
    readonly connection: number;
    /** The IP address, IPv4 dotted or IPv6. */
    readonly address: string | undefined;
    /** The station's MAC address as lower-case hex pairs, "a4:d1:8c:db:c0:20". */
    readonly MAC: string | undefined;
    readonly SSID: string | undefined;
    readonly BSSID: string | undefined;
    /** dBm. */
    readonly RSSI: number | undefined;
    readonly channel: number | undefined;
  }
}
