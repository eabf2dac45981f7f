/*
 * Typed errors of the MQTT library.
 *
 * Bad arguments throw TypeError or RangeError at once, with the field named.
 * Faults at run time (bad bytes from the network, a refused connection, a lost
 * link, a full outbox) are these classes, each with a `reason` a program can
 * switch on, passed to `onError` or a promise and never dropped.
 *
 * `name` is an instance field, not set on the prototype: on Moddable a module
 * that is not preloaded runs after the built-in prototypes are frozen, and
 * assigning to a frozen prototype's inherited `name` throws there.
 */

import { ConnackCode } from "./constants";

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
  override readonly name = "MalformedPacketError";
  readonly reason: MalformedReason;
  /** The packet type being decoded, when known. */
  readonly packetType: string | undefined;
  constructor(reason: MalformedReason, message: string, packetType?: string) {
    super(packetType ? `malformed ${packetType.toUpperCase()}: ${message}` : `malformed packet: ${message}`);
    this.reason = reason;
    this.packetType = packetType;
  }
}

/** Why the broker refused a connection (CONNACK return codes, 3.2.2.3). */
export type RefusalReason =
  | "unacceptable-protocol-version" | "identifier-rejected" | "server-unavailable"
  | "bad-username-or-password" | "not-authorized";

const refusals: Readonly<Record<number, [RefusalReason, string]>> = Object.freeze<Record<number, [RefusalReason, string]>>({
  [ConnackCode.unacceptableProtocolVersion]: ["unacceptable-protocol-version", "the broker does not speak MQTT 3.1.1"],
  [ConnackCode.identifierRejected]: ["identifier-rejected", "the broker rejected the client id; choose another (letters and digits, at most 23 are always accepted)"],
  [ConnackCode.serverUnavailable]: ["server-unavailable", "the broker is up but the MQTT service is unavailable; will retry"],
  [ConnackCode.badUsernameOrPassword]: ["bad-username-or-password", "the broker refused the user name or password; check the credentials in the configuration"],
  [ConnackCode.notAuthorized]: ["not-authorized", "the broker says this client is not authorized to connect; check the broker's access rules"],
}, true);

/** The broker refused the connection. Never carries the credentials. */
export class ConnectionRefusedError extends Error {
  override readonly name = "ConnectionRefusedError";
  readonly reason: RefusalReason;
  readonly returnCode: number;
  constructor(returnCode: number) {
    const [reason, text] = refusals[returnCode];
    super(`connection refused: ${text} (CONNACK ${returnCode})`);
    this.reason = reason;
    this.returnCode = returnCode;
  }
}

export type TimeoutReason = "connect-timeout" | "keepalive-timeout";

/** No CONNACK in time, or a half-open link (no packet within 1.5 x keepalive). */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly reason: TimeoutReason;
  constructor(reason: TimeoutReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A publish that could not be accepted: not connected (QoS 0) or the outbox is full. */
export class OutboxFullError extends Error {
  override readonly name = "OutboxFullError";
  readonly reason = "outbox-full" as const;
}

/** A message the outbox dropped to make room (overflow policy "drop-oldest"). */
export class MessageDroppedError extends Error {
  override readonly name = "MessageDroppedError";
  readonly reason = "dropped" as const;
}

/** The broker refused a subscription (SUBACK 0x80, 3.9.3). */
export class SubscriptionRefusedError extends Error {
  override readonly name = "SubscriptionRefusedError";
  readonly reason = "subscription-refused" as const;
  readonly topicFilter: string;
  constructor(topicFilter: string) {
    super(`the broker refused the subscription to ${JSON.stringify(topicFilter)} (SUBACK 0x80); check its access rules`);
    this.topicFilter = topicFilter;
  }
}

/** The client was closed before the operation finished. */
export class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";
  readonly reason = "closed" as const;
}
