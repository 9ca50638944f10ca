#!/usr/bin/env bash
# deps.sh - installs the Debian packages the build and the tests need, if any
# is missing. Sourced by try-cmu and test-all; uses sudo when not root.
set -euo pipefail

HSM_DEB_PACKAGES="build-essential autoconf automake libtool pkg-config \
libssl-dev openssl libreadline-dev zlib1g-dev libsqlite3-dev libjson-c-dev \
libcunit1-dev expect jq"
# The installation suites (tests/pkg): systemd-analyze checks hsm-sim@.service.
HSM_DEB_PACKAGES="$HSM_DEB_PACKAGES systemd"
# scripts/test-packages: the Debian build and a clean Debian 12 root.
HSM_PKG_DEB_PACKAGES="debhelper dpkg-dev debootstrap"

# Installs what is missing of HSM_DEB_PACKAGES and of the packages named.
hsm_install_deps() {
	local missing=()
	for p in $HSM_DEB_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "Installing Debian packages: ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Configures (once) and builds in BUILD_DIR; extra configure flags in $@.
hsm_build() {
	local src build
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	build=${BUILD_DIR:-$src/build}
	[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi >/dev/null)
	mkdir -p "$build"
	if [ ! -f "$build/Makefile" ]; then
		(cd "$build" && "$src/configure" --quiet "$@")
	fi
	make -C "$build" -j"$(nproc)" >/dev/null
	HSM_BUILD_DIR=$build
}
