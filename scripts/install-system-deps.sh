#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages:
#   Java (HermiT reasoning) and Debian's Chromium (browser tests, driven by Playwright).
# Uses Debian packages when run as root; otherwise says what is missing and how to install it.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)

if ((${#need[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "rikg: missing system packages: ${need[*]} (install them with your package manager, as root: apt-get install ${need[*]})" >&2
  exit 1
fi
echo "rikg: installing ${need[*]} ..." >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
