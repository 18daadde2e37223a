#!/usr/bin/env bash
# boto3 suite (Debian's python3-boto3 with /usr/bin/python3).
cd "$(dirname "$0")/../.."
export VPCD_BIN=$(realpath "${1:-build/vpcd}")
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e/boto3
