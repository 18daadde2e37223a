#!/usr/bin/env bash
# AWS SDK for JavaScript v3 suite (@aws-sdk/client-ec2 from npm).
cd "$(dirname "$0")/../.."
export VPCD_BIN=${1:-build/vpcd}
if [ ! -d tests/e2e/js/node_modules/@aws-sdk/client-ec2 ]; then
  (cd tests/e2e/js && npm install --no-audit --no-fund --silent) || { echo "npm install failed"; exit 1; }
fi
source tests/e2e/lib.sh
vpcd_start
node tests/e2e/js/ec2.test.mjs "$ENDPOINT"
rc=$?
vpcd_stop
exit $rc
