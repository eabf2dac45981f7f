/*
 * Fixes to @moddable/typings 5.6.0's ECMA-419 IO declarations, as the SDK's
 * implementations behave (modules/io/socket/lwip/tcp.c). I2C is typed
 * in embedded-provider.d.ts..
 */
import "embedded:io/socket/tcp";

declare module "embedded:io/socket/tcp" {
  interface TCP {
    /** Missing from the typings. Called with no argument on lwIP; hosts may pass an Error. */
    onError?: (error?: Error) => void;
  }
}
