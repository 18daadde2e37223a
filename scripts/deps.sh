#!/usr/bin/env bash
# Installs the Debian packages vpcd needs to build, run and test, if any are missing.
set -eu
pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libmicrohttpd-dev libssl-dev libsqlite3-dev libjansson-dev libcmocka-dev
      libcurl4-openssl-dev libxml2-dev libmnl-dev zlib1g-dev
      awscli python3-boto3 python3-botocore python3-pytest nodejs npm
      iproute2 iputils-ping iperf3 valgrind faketime curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian (nodesource's nodejs bundles npm and
# conflicts with Debian's npm package); a working node and npm are enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == npm || $p == nodejs ]] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "vpcd: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "vpcd: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
