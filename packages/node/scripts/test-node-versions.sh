#!/usr/bin/env bash
# Runs @kenar/node's transport tests on the machine's Node and on Node 22 and
# 24; the repository's scripts/test-node-versions.sh does the work (CI runs it
# for the whole core and node suites). Usage, from anywhere:
#   bash packages/node/scripts/test-node-versions.sh [22 24 ...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(22 24)
TEST_PATHS="packages/node/test/NodeHttpClient.test.ts packages/node/test/NodeKenarClient.test.ts" \
  exec bash "$root/scripts/test-node-versions.sh" machine "${versions[@]}"
