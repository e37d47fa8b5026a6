#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages membptt needs that are missing. As root it
# runs apt-get; otherwise it prints the exact apt-get line and exits 1. python3 is for the
# end-to-end tests, which check JSON output with it (python3-yaml: the CITATION.cff check);
# help2man writes the man page from the --help texts at build time.
set -euo pipefail

packages=(build-essential cmake pkg-config libcmocka-dev libgsl-dev libopenblas-dev
          gnuplot-nox libhwloc-dev libpapi-dev libyajl-dev libinih-dev
          libopenmpi-dev openmpi-bin python3 python3-yaml help2man)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "membptt needs these Debian packages: ${missing[*]}" >&2
    echo "Run as root:  apt-get update && $line" >&2
    exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
