/*
 * The ECMA-419 host provider (`device` global), typed as Moddable boards build it.
 *
 * Replaces @moddable/typings' embedded_provider/builtin.d.ts (excluded in
 * tsconfig.json), which requires every bus on every board and leaves out the
 * `io` field of each default, the field drivers construct their bus with
 * (`new options.sensor.io({...device.I2C.default, address})`).
 */
declare module "embedded:provider/builtin" {
  import type Digital from "embedded:io/digital";
  import type Analog from "embedded:io/analog";
  import type { PinSpecifier, PortSpecifier } from "embedded:io/_common";

  /** Constructor options of ECMA-419 I2C (and SMBus, whose typings give it a tuple by mistake). */
  export interface I2COptions {
    data: PinSpecifier;
    clock: PinSpecifier;
    address: number;
    hz?: number;
    port?: PortSpecifier;
    format?: "buffer";
  }

  /** What ECMA-419 I2C and SMBus instances have in common. */
  export interface I2CInstance {
    write(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): void;
    read(count: number, stop?: boolean): ArrayBuffer;
    read(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): void;
    close(): void;
  }

  export interface I2CConstructor {
    new (options: I2COptions): I2CInstance;
  }

  /** An I2C bus as a board names it: spread into a driver's `sensor` option. */
  export interface I2CBusOptions {
    io: I2CConstructor;
    data: PinSpecifier;
    clock: PinSpecifier;
    port?: PortSpecifier;
    hz?: number;
  }

  export interface AnalogInputOptions {
    io: typeof Analog;
    pin: PinSpecifier;
    resolution?: number;
  }

  export interface DigitalPinOptions {
    io: typeof Digital;
    pin: PinSpecifier;
  }

  const device: {
    readonly io: {
      readonly I2C?: I2CConstructor;
      readonly SMBus?: I2CConstructor;
      readonly Digital?: typeof Digital;
      readonly Analog?: typeof Analog;
    };
    readonly I2C?: { readonly default?: I2CBusOptions; readonly [bus: string]: I2CBusOptions | undefined };
    readonly Analog?: { readonly default?: AnalogInputOptions };
    readonly Digital?: { readonly [name: string]: DigitalPinOptions | undefined };
    readonly pin: { readonly [name: string]: PinSpecifier | undefined };
  };
  export default device;
}
