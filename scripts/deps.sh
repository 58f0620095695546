#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing aes67-vsc needs on a fresh Debian 12 machine (as root).
# Only installs what is missing, so it is quick when everything is already there.
set -euo pipefail

# Build and unit tests.
PKGS_BUILD="meson ninja-build pkg-config gcc clang libclang-rt-14-dev llvm libcmocka-dev
 clang-format python3 libjansson-dev libasound2-dev libsndfile1-dev"
# Integration tests and the demo: namespaces, real peers, tools that check our packets.
PKGS_INTEGRATION="iproute2 nftables iptables alsa-utils sox tshark procps psmisc jq xxd util-linux
 gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good ffmpeg
 pipewire pipewire-bin wireplumber dbus linuxptp"

want="$PKGS_BUILD"
case "${1:-}" in
--integration | --all) want="$want $PKGS_INTEGRATION" ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages:$missing — run as root or install them with apt-get" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer no without a prompt.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
