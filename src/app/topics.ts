/*
 * The topic scheme, under <topicPrefix>/<deviceId> (the base):
 *
 *   <base>/status                     retained "online" after every connect, "offline" as the Will and on a graceful shutdown
 *   <base>/<quantity>                 readings, when the device has one sensor (the seed's home/livingroom/temperature)
 *   <base>/<sensor>/<quantity>        readings, when it has several
 *   <base>/state                      all latest readings in one JSON document (readings.format = state)
 *   <base>/<sensor>/availability      retained "online"/"offline": whether that sensor answers
 *   <base>/<sensor>/error             a sensor's fault, JSON, when it happens
 *   <base>/command                    commands to the device (JSON); replies on <base>/command/reply
 *   <base>/config                     retained: the settings that can be changed over MQTT, as they are
 *   <base>/config/set                 changes to them (JSON); replies on <base>/config/reply
 *   <base>/diagnostics                periodic and on request (JSON)
 *
 * Quantities are temperature, humidity and pressure.
 */

export interface Topics {
  readonly base: string;
  readonly status: string;
  readonly state: string;
  readonly command: string;
  readonly commandReply: string;
  readonly config: string;
  readonly configSet: string;
  readonly configReply: string;
  readonly diagnostics: string;
  /** The update agent's status (src/ota/agent.ts). */
  readonly ota: string;
  reading(sensor: string, quantity: string): string;
  sensorAvailability(sensor: string): string;
  sensorError(sensor: string): string;
}

export function topicsFor(prefix: string, deviceId: string, sensorCount: number): Topics {
  const base = `${prefix}/${deviceId}`;
  return Object.freeze({
    base,
    status: `${base}/status`,
    state: `${base}/state`,
    command: `${base}/command`,
    commandReply: `${base}/command/reply`,
    config: `${base}/config`,
    configSet: `${base}/config/set`,
    configReply: `${base}/config/reply`,
    diagnostics: `${base}/diagnostics`,
    ota: `${base}/ota`,
    reading: (sensor: string, quantity: string) => (sensorCount === 1 ? `${base}/${quantity}` : `${base}/${sensor}/${quantity}`),
    sensorAvailability: (sensor: string) => `${base}/${sensor}/availability`,
    sensorError: (sensor: string) => `${base}/${sensor}/error`,
  });
}
