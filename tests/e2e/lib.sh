# Shared helpers for the aws-CLI end-to-end suites. Source it; then call vpcd_start.
# Every check prints one line; e2e_summary prints "N passed, N failed" last.
set -u
E2E_PASS=0
E2E_FAIL=0
VPCD_BIN=${VPCD_BIN:-build/vpcd}
AWS=/usr/bin/aws

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# vpcd_start [extra vpcd flags...]: fresh state dir, random port; stopped on exit.
vpcd_start() {
  VPCD_STATE=$(mktemp -d /tmp/vpcd-e2e.XXXXXX)
  VPCD_PORT=$(free_port)
  ENDPOINT=http://127.0.0.1:$VPCD_PORT
  printf '111111111111key secret1 111111111111\n222222222222key secret2 222222222222\n' >"$VPCD_STATE/creds"
  "$VPCD_BIN" --listen "127.0.0.1:$VPCD_PORT" --state "$VPCD_STATE/db" --credentials "$VPCD_STATE/creds" \
    --no-dataplane "$@" >"$VPCD_STATE/log" 2>&1 &
  VPCD_PID=$!
  trap vpcd_stop EXIT
  for _ in $(seq 1 100); do
    curl -sf "$ENDPOINT/_vpcd/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "vpcd did not start:"; cat "$VPCD_STATE/log"; exit 1
}

vpcd_stop() {
  if [ -n "${VPCD_PID:-}" ]; then
    kill "$VPCD_PID" 2>/dev/null; wait "$VPCD_PID" 2>/dev/null
    if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer" "$VPCD_STATE/log"; then
      echo "FAIL sanitizer report in vpcd log:"; cat "$VPCD_STATE/log"; E2E_FAIL=$((E2E_FAIL + 1))
    fi
    VPCD_PID=
  fi
  [ -n "${VPCD_STATE:-}" ] && rm -rf "$VPCD_STATE"
}

# awsx ARGS...: the real aws CLI against vpcd as account 000000000000 (key test/test).
# Override with ACCOUNT_KEY/ACCOUNT_SECRET and REGION; AWS_WRAP prefixes a command
# (e.g. AWS_WRAP="faketime -f -1h" to sign with a skewed clock).
awsx() {
  AWS_ACCESS_KEY_ID=${ACCOUNT_KEY:-test} AWS_SECRET_ACCESS_KEY=${ACCOUNT_SECRET:-test} \
    AWS_DEFAULT_REGION=${REGION:-us-east-1} AWS_PAGER="" AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    ${AWS_WRAP:-} "$AWS" --endpoint-url "$ENDPOINT" --output text "$@"
}
# Same as awsx but as account 111111111111 or 222222222222.
aws_acct1() { ACCOUNT_KEY=111111111111key ACCOUNT_SECRET=secret1 awsx "$@"; }
aws_acct2() { ACCOUNT_KEY=222222222222key ACCOUNT_SECRET=secret2 awsx "$@"; }

ok() { E2E_PASS=$((E2E_PASS + 1)); echo "ok   $1"; }
fail() { E2E_FAIL=$((E2E_FAIL + 1)); echo "FAIL $1"; }

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
  if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected [$2] got [$3]"; fi
}
# expect_match DESC REGEX ACTUAL
expect_match() {
  if [[ $3 =~ $2 ]]; then ok "$1"; else fail "$1: [$3] does not match /$2/"; fi
}
# expect_ok DESC CMD...: command succeeds; its stdout is left in $OUT.
expect_ok() {
  local desc=$1; shift
  OUT=$("$@" 2>/tmp/e2e.err.$$); local rc=$?
  if [ $rc -eq 0 ]; then ok "$desc"; else fail "$desc: exit $rc: $(cat /tmp/e2e.err.$$)"; fi
  rm -f /tmp/e2e.err.$$
}
# expect_err CODE DESC CMD...: command fails with the AWS error code CODE.
expect_err() {
  local code=$1 desc=$2; shift 2
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [ $rc -ne 0 ] && [[ $err == *"($code)"* ]]; then ok "$desc ($code)"
  else fail "$desc: expected ($code), exit $rc: $err"; fi
}

e2e_summary() {
  echo "$E2E_PASS passed, $E2E_FAIL failed"
  [ "$E2E_FAIL" -eq 0 ]
}
