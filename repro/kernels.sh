#!/usr/bin/env bash
# Installs the harness's host tools and downloads + unpacks the two Debian kernels into
# the cache (outside the checkout). Prints "KVER VMLINUZ MODDIR VERSION" per kernel.
# Sourced by ./run; never touches /etc/apt or /boot.
set -euo pipefail

CACHE=${FAULTLINE_REPRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline-repro}

die() { echo "repro: $*" >&2; exit 2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root (or sudo) to run: $*"; fi
}

# qemu, busybox-static, gcc (+ static libc), cpio: installed if missing.
install_tools() {
    local need=()
    command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
    [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx poweroff &&
        file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || need+=(busybox-static)
    command -v gcc >/dev/null || need+=(gcc)
    [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
    command -v cpio >/dev/null || need+=(cpio)
    command -v file >/dev/null || need+=(file)
    [ ${#need[@]} = 0 ] && return 0
    echo "repro: installing ${need[*]}" >&2
    as_root apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
        { as_root apt-get update -q >&2 && as_root apt-get install -y -q --no-install-recommends "${need[@]}" >&2; } ||
        die "could not install ${need[*]}"
}

# The Debian mirror the system sources name (one-line or deb822 format).
mirror() {
    local m
    m=$(grep -hoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
            /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -e /archive/ -e security | head -n 1 | tr -d ' ')
    echo "${m:-http://deb.debian.org/debian}"
}

# A private apt configuration for bookworm-backports (for 6.12).
backports_apt() {
    local d=$CACHE/apt
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) bookworm-backports main" >"$d/sources.list"
    APTOPT=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
    if [ -z "$(ls "$d/lists" 2>/dev/null | grep -v partial)" ] || [ -n "${REFRESH:-}" ]; then
        apt-get "${APTOPT[@]}" update -q >&2 || die "apt-get update of bookworm-backports failed"
    fi
}

# newest package name matching a pattern, from apt-cache with the given options
newest() {
    apt-cache "${@:2}" search --names-only "$1" 2>/dev/null | awk '{print $1}' |
        grep -E "$1" | grep -v -e -dbg -e unsigned | sort -V | tail -n 1
}

# fetch KVER: download (once) and unpack the newest image for 6.1 or 6.12
fetch() {
    local kver=$1 pkg deb dir opts=()
    case $kver in
        6.1) pkg=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64$') ;;
        6.12) backports_apt; opts=("${APTOPT[@]}")
              pkg=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' "${opts[@]}") ;;
        *) die "unknown kernel $kver (valid: 6.1, 6.12)" ;;
    esac
    [ -n "$pkg" ] || die "no linux-image package for $kver in the apt sources (run apt-get update?)"
    mkdir -p "$CACHE/debs"
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "repro: downloading $pkg" >&2
        (cd "$CACHE/debs" && apt-get "${opts[@]}" download -q "$pkg" >&2) || die "apt-get download $pkg failed"
        deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n 1)
    fi
    dir=$CACHE/k-$(basename "$deb" .deb)
    if [ ! -d "$dir/boot" ]; then
        rm -rf "$dir.tmp" && dpkg-deb -x "$deb" "$dir.tmp" && mv "$dir.tmp" "$dir"
    fi
    local vmlinuz
    vmlinuz=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
    [ -f "$vmlinuz" ] || die "$deb has no /boot/vmlinuz"
    local uname=${vmlinuz##*/vmlinuz-}
    local version
    version=$(dpkg-deb -f "$deb" Version)
    echo "$kver $vmlinuz $dir/lib/modules/$uname $version"
}
