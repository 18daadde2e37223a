#!/usr/bin/env bash
# Scenario suite (tests/scenarios/): network designs built through the EC2 API, verdicts checked
# through Network Insights. $1 is the vpcd binary (default build/vpcd).
cd "$(dirname "$0")/../.."
export VPCD_BIN=$(realpath "${1:-build/vpcd}")
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/scenarios
