/*
 * Typed errors of the MQTT library.
 *
 * Bad arguments throw TypeError or RangeError at once, with the field named.
 * Faults at run time (bad bytes from the network, a refused connection, a lost
 * link) are MQTTError values with a `reason` a program can switch on, passed
 * to `onError` and never dropped.
 */

/** Why bytes from the peer were not a valid MQTT 3.1.1 packet. */
export type MalformedReason =
  | "packet-type"        // reserved packet type 0 or 15 (2.2.1)
  | "flags"              // fixed header flags not as Table 2.2 requires (2.2.2-2)
  | "remaining-length"   // more than four length bytes (2.2.3)
  | "too-large"          // larger than this side accepts
  | "truncated"          // the body ends inside a field
  | "trailing-bytes"     // bytes left after the last field
  | "utf8"               // ill-formed UTF-8 or U+0000 (1.5.3)
  | "topic"              // topic name or filter invalid (4.7)
  | "qos"                // QoS 3 (3.3.1-4) or reserved bits in a QoS byte (3.8.3-4)
  | "packet-id"          // packet identifier 0 (2.3.1-1)
  | "protocol"           // CONNECT protocol name not "MQTT" (3.1.2-1)
  | "connect-flags"      // CONNECT flags inconsistent (3.1.2-3, -11, -13, -14, -15, -22)
  | "connack-flags"      // CONNACK reserved bits or session present with an error (3.2.2-1, -4)
  | "return-code"        // a CONNACK or SUBACK return code the standard does not define
  | "empty-list";        // SUBSCRIBE, SUBACK or UNSUBSCRIBE with no entries (3.8.3-3, 3.10.3-2)

/** Bytes received that are not a valid packet. The connection must close. */
export class MalformedPacketError extends Error {
  readonly reason: MalformedReason;
  /** The packet type being decoded, when known. */
  readonly packetType: string | undefined;
  constructor(reason: MalformedReason, message: string, packetType?: string) {
    super(packetType ? `malformed ${packetType.toUpperCase()}: ${message}` : `malformed packet: ${message}`);
    this.reason = reason;
    this.packetType = packetType;
  }
}
MalformedPacketError.prototype.name = "MalformedPacketError";
