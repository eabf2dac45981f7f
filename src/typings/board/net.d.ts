/*
 * Moddable's `net` module (modules/network/net), as the board hosts use it
 * (hosts/esp32/system.ts; Net.resolve in hosts/common/dns.ts on every host)
 * and as the SDK implements it (net/esp/modNet.c), not as @moddable/typings says:
 * every `get` gives undefined when the interface cannot answer (Wi-Fi not
 * started, not associated), not always a value.
 *
 * In src/typings/board/, not src/typings/: the board hosts' manifests list it
 * by itself, and tsconfig.node.json (whose Node types declare a "net" module
 * of their own) takes it by name, so the two declarations merge. The host
 * manifests (esp32, pico_w, sim) exclude the SDK's typings/net.d.ts ("~") and
 * list this file in their TypeScript `types`, so device builds and
 * tsconfig.json check against the same declarations.
 *
 * Pico W: pico/modNet.c reads the first lwIP interface without checking that
 * one exists (before the CYW43 is started there is none) and does not answer
 * "RSSI"; hosts/pico_w uses the ECMA-419 Wi-Fi object instead.
 */
declare module "net" {
  const Net: {
    /** The station's IPv4 address, e.g. "192.168.1.20"; undefined without one. */
    get(what: "IP"): string | undefined;
    /** The active interface's MAC address as upper-case hex pairs, "A4:D1:8C:DB:C0:20"; undefined before Wi-Fi is started. */
    get(what: "MAC"): string | undefined;
    /** The access point's name; undefined when not associated. */
    get(what: "SSID"): string | undefined;
    /** The access point's signal strength, dBm; undefined when not associated. */
    get(what: "RSSI"): number | undefined;
    /** Resolves a host name (lwIP DNS); `address` is undefined when it cannot. Throws when lwIP's look-up queue is full. */
    resolve(name: string, callback: (name: string, address?: string) => void): void;
  };
  export default Net;
}
