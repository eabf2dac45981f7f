/*
 * Module "host/dns" on Pico W: names under ".local" are asked of multicast
 * DNS with the Moddable SDK's ECMA-419 UDP resolver (examples/io/udp/dns:
 * a one-shot query to 224.0.0.251:5353, which a responder answers to the
 * querying port, RFC 6762 5.1), because the SDK's lwIP build for the Pico
 * does not ask multicast DNS by itself (its lwipopts leave
 * LWIP_DNS_SUPPORT_MDNS_QUERIES off). Every other name goes to lwIP's DNS
 * client through `net`, as on ESP32 (hosts/common/dns.ts).
 */

import UDP from "embedded:io/socket/udp";
import MulticastResolver from "embedded:network/dns/resolver/udp";
import Net from "net";
import { LocalNameResolver, NetResolver, type ResolverConstructor, type ResolverOptions } from "mqtt/resolver";

const dns: ResolverOptions = Object.freeze({
  io: LocalNameResolver,
  names: Object.freeze({ io: NetResolver, net: Net }),
  // The SDK's resolver sends ".local" names to multicast DNS whatever its servers; it needs the list.
  local: Object.freeze({ io: MulticastResolver as unknown as ResolverConstructor, servers: Object.freeze([]), socket: Object.freeze({ io: UDP }) }),
});

export default dns;
