/*
 * Module "host/dns" (ESP32, the simulators; Pico W has hosts/pico_w/dns.ts):
 * the DNS resolver the firmware gives the MQTT client and the update agent
 * for host names, ECMA-419 style (`dns: {io: Resolver}`, src/mqtt/resolver.ts).
 *
 * It asks the Moddable SDK's `net` module: Net.resolve(name, callback) runs
 * lwIP's DNS client on boards (dns_gethostbyname in
 * modules/network/net/esp/modResolve.c and pico/modResolve.c), so the
 * servers are the ones DHCP gave and lwIP caches answers for their TTL; the
 * SDK's desktop simulator resolves with the host's resolver
 * (net/lin/modResolve.c). The project's simulator hosts give `net` over
 * Node's resolver (sim/node/modules/net.ts).
 */

import Net from "net";
import { NetResolver, type ResolverOptions } from "mqtt/resolver";

const dns: ResolverOptions = Object.freeze({ io: NetResolver, net: Net });

export default dns;
