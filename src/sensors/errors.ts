/*
 * Run-time sensor faults. Bad options throw TypeError/RangeError at once;
 * faults met while sampling reach the driver's `onError` as a SensorError
 * with a reason a program can switch on, and the sample is not returned.
 */

export type SensorFaultReason =
  | "absent"    // the chip does not acknowledge its address
  | "bus"       // a transfer failed part way
  | "crc"       // a checksum did not match
  | "range"     // a value the chip cannot produce
  | "busy";     // the chip did not finish in time

export class SensorError extends Error {
  override readonly name = "SensorError";
  readonly reason: SensorFaultReason;
  readonly sensor: string;
  constructor(sensor: string, reason: SensorFaultReason, message: string, cause?: unknown) {
    // The cause's words (e.g. "I2C read at address 0x48 not acknowledged") say what actually went wrong.
    const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : "";
    super(`${sensor}: ${message}${detail}`, cause === undefined ? undefined : { cause });
    this.sensor = sensor;
    this.reason = reason;
  }
}

/**
 * A failed bus transfer as a SensorError: "absent" when the bus says the chip
 * did not acknowledge, "bus" otherwise. (The simulators' I2C names a NACK;
 * Moddable's ESP32 I2C reports only "write failed"/"read failed", so there a
 * missing chip shows as "bus".)
 */
export function transferFault(sensor: string, what: string, error: unknown): SensorError {
  if (error instanceof SensorError) return error;
  const nack = error instanceof Error && /acknowledge|nack/i.test(error.message);
  return new SensorError(sensor, nack ? "absent" : "bus", what, error);
}

/**
 * How sample() without a callback ends on a fault: the fault goes to the
 * driver's onError and the sample is undefined; without onError it is thrown.
 */
export function reportFault(onError: ((error: SensorError) => void) | undefined, fault: SensorError): undefined {
  if (!onError) throw fault;
  onError(fault);
  return undefined;
}
