/*
 * MQTT control packets as a TypeScript union told apart by `type`.
 *
 * Binary fields (payloads, passwords) are Uint8Array. A decoded packet's
 * Uint8Array fields may be views into the bytes given to the decoder: copy
 * them if you keep them and the input buffer is reused.
 *
 * MQTT 5.0 will add optional `properties` and reason codes to these shapes;
 * every 3.1.1 field keeps its meaning.
 */

export type QoS = 0 | 1 | 2;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: "connect";
  /** 4 for MQTT 3.1.1. */
  protocolLevel: number;
  clientId: string;
  cleanSession: boolean;
  /** Seconds; 0 turns keepalive off (3.1.2.10). */
  keepalive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
}

export interface ConnackPacket {
  type: "connack";
  sessionPresent: boolean;
  returnCode: number;
}

export interface PublishPacket {
  type: "publish";
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0 (2.3.1). */
  packetId?: number;
}

export interface PubackPacket { type: "puback"; packetId: number }
export interface PubrecPacket { type: "pubrec"; packetId: number }
export interface PubrelPacket { type: "pubrel"; packetId: number }
export interface PubcompPacket { type: "pubcomp"; packetId: number }

export interface Subscription {
  topicFilter: string;
  qos: QoS;
}

export interface SubscribePacket {
  type: "subscribe";
  packetId: number;
  subscriptions: Subscription[];
}

export interface SubackPacket {
  type: "suback";
  packetId: number;
  /** Granted QoS per subscription, or 0x80 for failure (3.9.3). */
  returnCodes: number[];
}

export interface UnsubscribePacket {
  type: "unsubscribe";
  packetId: number;
  topicFilters: string[];
}

export interface UnsubackPacket { type: "unsuback"; packetId: number }
export interface PingreqPacket { type: "pingreq" }
export interface PingrespPacket { type: "pingresp" }
export interface DisconnectPacket { type: "disconnect" }

export type Packet =
  | ConnectPacket | ConnackPacket | PublishPacket
  | PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket
  | SubscribePacket | SubackPacket | UnsubscribePacket | UnsubackPacket
  | PingreqPacket | PingrespPacket | DisconnectPacket;

/** Packets whose whole body is a packet identifier. */
export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket | UnsubackPacket;
