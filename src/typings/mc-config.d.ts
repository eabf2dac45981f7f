/*
 * `mc/config` is generated from manifest.json's `config` (and `mcconfig
 * key=value` overrides, which arrive as strings). The typings give it
 * `Record<string, any>`; the firmware reads it as unknown and validates it
 * (src/app/settings.ts), so this narrows it.
 */
declare module "mc/config" {
  const config: Readonly<Record<string, unknown>>;
  export default config;
}
