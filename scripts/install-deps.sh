#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever imgpool needs to build and test that is not there yet.
# Does nothing (and needs no network) when everything is installed. Run as root or with sudo available.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libopencv-dev opencv-data libtbb-dev libturbojpeg0-dev libjpeg62-turbo-dev libwebp-dev libspng-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libgtest-dev
  liblcms2-dev libgs-common libexiv2-dev libtiff-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
