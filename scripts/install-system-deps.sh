#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing and we are root.
# Without root, say what is missing: the tests that need it are skipped with that reason
# (and fail under CI=true, tests/tools.py).
set -euo pipefail
packages=(chromium poppler-utils zbar-tools libharfbuzz-subset0 fonts-dejavu-core redis-server redis-tools)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages for the tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "WARNING: missing Debian packages (${missing[*]}); run as root to install them." >&2
  echo "         Tests that need them will be skipped (with CI=true they fail)." >&2
fi
