/** The firmware image the XS host runs (sim/xs/bundle.ts resolves it): sim/image-entry.ts or an update slot's bundle. */
declare module "firmware-image" {
  export function applyControl(message: unknown): string | undefined;
}
