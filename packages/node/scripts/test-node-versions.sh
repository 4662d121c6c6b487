#!/usr/bin/env bash
# Runs @kenar/node's tests on the machine's Node and on Node 22 and 24 (the
# `node` package from the npm registry, through npx). Usage, from anywhere:
#   bash packages/node/scripts/test-node-versions.sh [22 24 ...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(22 24)
tests=(packages/node/test/NodeHttpClient.test.ts packages/node/test/NodeKenarClient.test.ts)
status=0
echo "== node $(node --version) (machine)"
node node_modules/vitest/vitest.mjs run "${tests[@]}" || status=1
for v in "${versions[@]}"; do
  echo "== node $(npx --yes -p "node@$v" -- node --version)"
  npx --yes -p "node@$v" -- node node_modules/vitest/vitest.mjs run "${tests[@]}" || status=1
done
exit $status
