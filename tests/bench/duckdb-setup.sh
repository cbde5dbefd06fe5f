#!/bin/sh
# duckdb-setup.sh DIR: installs DuckDB's Node.js package (@duckdb/node-api) into DIR, outside
# the source tree, for tests/bench/bench-vs-duckdb.c. Nothing is installed when it is there.
set -e
dir=${1:?usage: duckdb-setup.sh DIR}
if [ -f "$dir/node_modules/@duckdb/node-api/package.json" ]; then
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
npm install --no-save --no-package-lock @duckdb/node-api >/dev/null
