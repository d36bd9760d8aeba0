#!/usr/bin/env bash
# npm test: set up what is missing (host packages, sid root, npm deps, build), then run every
# test — unit, integration against the real Asterisk 22, browser (Chromium) — with vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
report="$(mktemp -d)/vitest.json"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?
set -e
# A plain closing line that any CI reader understands.
if [[ -f "$report" ]]; then
  node -e '
    const r = require(process.argv[1]);
    // A file that fails before its tests run (a beforeAll error) shows its tests as skipped: say so.
    const line = `${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : "") + (r.numFailedTestSuites ? ` (${r.numFailedTestSuites} test file(s) failed)` : "");
    console.log(line);
    if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  ' "$report" || rc=1
fi
exit $rc
