#!/usr/bin/env bash
# Runs each workspace's tests in turn under a time limit, so that a hang fails in minutes and
# says where, instead of holding CI until its own limit. Inside a workspace, Node's runner
# limits each test file and test (--test-timeout in its script) and names the one that hung.
set -uo pipefail
cd "$(dirname "$0")/.."

limit="${WORKSPACE_TEST_TIMEOUT_SECONDS:-900}"
failed=()
for workspace in $(node -p "require('./package.json').workspaces.join(' ')"); do
  node -e "process.exit(require('./$workspace/package.json').scripts?.test ? 0 : 1)" || continue
  echo "== $workspace (limit ${limit} s)"
  timeout --kill-after=20 "$limit" npm test --workspace "$workspace"
  status=$?
  if (( status == 124 || status == 137 )); then
    echo "== $workspace: its tests ran over ${limit} s and were stopped"
  fi
  (( status == 0 )) || failed+=("$workspace")
done
if (( ${#failed[@]} )); then
  echo "== failed: ${failed[*]}"
  exit 1
fi
