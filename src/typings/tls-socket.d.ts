/*
 * `embedded:io/socket/tcp/tls`: the Moddable SDK's example ECMA-419 TLS
 * socket (examples/io/tcp/tlssocket), which the device hosts map in.
 *
 * Listed in the manifest's TypeScript `types`: a device build maps this
 * specifier to the SDK's JavaScript file, and without a declaration in the
 * program TypeScript refuses it (TS7016). Replaces @moddable/typings'
 * embedded_io/socket/tls.d.ts (excluded in tsconfig.json), whose options
 * lack the `TCP` field the socket requires.
 */
declare module "embedded:io/socket/tcp/tls" {
  import type { Options as TCPOptions } from "embedded:io/socket/tcp";

  export type Options = TCPOptions & {
    /** Server name: SNI and the certificate check. */
    host: string;
    /** The socket TLS runs over: `{io: TCP}`. */
    TCP: { io: unknown };
    /** `certificate` (the CA), `clientCertificates`, `clientKey`, ... (documentation/network/securesocket.md). */
    secure?: Record<string, unknown>;
  };

  export default class TLSSocket {
    constructor(options: Options);
    close(): void;
    read(count?: number): ArrayBuffer | number | undefined;
    read(buffer: ArrayBuffer | ArrayBufferView): number | undefined;
    write(buffer: ArrayBuffer | ArrayBufferView | number): number | undefined;
    get format(): "buffer" | "number";
    set format(value: "buffer" | "number");
  }
}
