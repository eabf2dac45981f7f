#!/bin/sh
# Installs the project's npm packages on first use, or when package-lock.json
# changed since the last install. Plain sh: it runs before TypeScript tooling
# exists. The XS engine (@agoric/xsnap) compiles from C sources on install.
set -e
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.json
worker=node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "Installing npm packages (first run; builds the XS engine, about a minute)..." >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -x "$worker" ]; then
  echo "Building the XS engine (@agoric/xsnap)..." >&2
  npm rebuild @agoric/xsnap >&2
fi
