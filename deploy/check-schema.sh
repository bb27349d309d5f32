#!/usr/bin/env bash
# Checks that deploy/schema/postgres.sql, the schema handed to DBAs, is the very file the node
# applies at start (src/main/resources/schema/postgres.sql). Exits non-zero and shows the
# difference when they have drifted; fix it with
#   cp src/main/resources/schema/postgres.sql deploy/schema/postgres.sql
set -euo pipefail
cd "$(dirname "$0")/.."
node_schema=src/main/resources/schema/postgres.sql
dba_schema=deploy/schema/postgres.sql
if diff -u "$node_schema" "$dba_schema"; then
  echo "check-schema: $dba_schema matches $node_schema"
else
  echo "check-schema: $dba_schema differs from $node_schema (see above)" >&2
  exit 1
fi
