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

# apt_install PKG...: install Debian packages (apt-get update once if the lists are
# stale); the one place the harness installs host tools (run and build.sh).
apt_install() {
    echo "repro: installing $*" >&2
    as_root apt-get install -y -q --no-install-recommends "$@" >&2 ||
        { as_root apt-get update -q >&2 && as_root apt-get install -y -q --no-install-recommends "$@" >&2; } ||
        die "could not install $*"
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
    apt_install "${need[@]}"
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

# A private apt configuration for newer kernels: sid (7.2), experimental (7.3-rc),
# trixie-backports (6.16-7.3). FAULTLINE_REPRO_APT names an existing private
# configuration directory (sources.list, lists/, cache/) to use instead.
newer_apt() {
    local d=${FAULTLINE_REPRO_APT:-$CACHE/apt-newer}
    if [ -z "${FAULTLINE_REPRO_APT:-}" ]; then
        mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
        {
            echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) sid main"
            echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) experimental main"
            echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) trixie-backports main"
        } >"$d/sources.list"
    fi
    APTOPT=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
    if [ -z "$(ls "$d/lists" 2>/dev/null | grep -v -e partial -e lock -e auxfiles)" ] || [ -n "${REFRESH:-}" ]; then
        apt-get "${APTOPT[@]}" update -q >&2 || die "apt-get update of sid/experimental/trixie-backports failed"
    fi
}

# download PKG into the cache once (apt options after it); prints the .deb
download() {
    local pkg=$1 deb
    mkdir -p "$CACHE/debs"
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        echo "repro: downloading $pkg" >&2
        (cd "$CACHE/debs" && apt-get "${@:2}" download -q "$pkg" >&2) || die "apt-get download $pkg failed"
        deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n 1)
    fi
    echo "$deb"
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
        6.18|6.19|7.2) newer_apt; opts=("${APTOPT[@]}")
              pkg=$(newest "^linux-image-${kver//./\\.}\\.[0-9]+\\+deb1[34]-amd64\$" "${opts[@]}") ;;
        7.3) newer_apt; opts=("${APTOPT[@]}")
              pkg=$(newest '^linux-image-7\.3(\.[0-9]+\+deb1[34])?-amd64$' "${opts[@]}") ;;
        7.3-rc) newer_apt; opts=("${APTOPT[@]}") # experimental's 7.3-rcN
              pkg=$(newest '^linux-image-7\.3-amd64$' "${opts[@]}") ;;
        *) die "unknown kernel $kver (valid: 6.1, 6.12, 6.18, 6.19, 7.2, 7.3, 7.3-rc)" ;;
    esac
    # Since 6.19 Debian's linux-image-* is a metapackage: the kernel is in
    # linux-binary-* (/usr/lib/modules/UNAME/vmlinuz or /boot), the modules in
    # linux-modules-* (xz-compressed; FUSE is built in, so only fs/fuse is unpacked).
    if apt-cache "${opts[@]}" show "${pkg/linux-image-/linux-binary-}" >/dev/null 2>&1; then
        local bin mods
        bin=$(download "${pkg/linux-image-/linux-binary-}" "${opts[@]}")
        dir=$CACHE/k-$(basename "$bin" .deb)
        if [ ! -d "$dir/usr" ] && [ ! -d "$dir/boot" ]; then
            rm -rf "$dir.tmp" && dpkg-deb -x "$bin" "$dir.tmp" || die "cannot unpack $bin"
            if mods=$(download "${pkg/linux-image-/linux-modules-}" "${opts[@]}" 2>/dev/null); then
                dpkg-deb --fsys-tarfile "$mods" | (cd "$dir.tmp" && tar -x --wildcards '*/kernel/fs/fuse/*' 2>/dev/null) || true
            else
                echo "repro: ${pkg/linux-image-/linux-modules-} not available: assuming CONFIG_FUSE_FS=y" >&2
            fi
            mv "$dir.tmp" "$dir"
        fi
        local vmlinuz uname
        vmlinuz=$(ls "$dir"/usr/lib/modules/*/vmlinuz "$dir"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
        [ -f "$vmlinuz" ] || die "$bin has no vmlinuz"
        case $vmlinuz in
            */boot/vmlinuz-*) uname=${vmlinuz##*/vmlinuz-} ;;
            *) uname=$(basename "$(dirname "$vmlinuz")") ;;
        esac
        mkdir -p "$dir/lib/modules/$uname"
        [ ! -d "$dir/usr/lib/modules/$uname/kernel" ] || cp -r "$dir/usr/lib/modules/$uname/kernel" "$dir/lib/modules/$uname/" 2>/dev/null
        echo "$kver $vmlinuz $dir/lib/modules/$uname $(dpkg-deb -f "$bin" Version)"
        return 0
    fi
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
    local moddir=$dir/lib/modules/$uname
    [ -d "$moddir" ] || moddir=$dir/usr/lib/modules/$uname # merged-/usr packages (6.18)
    echo "$kver $vmlinuz $moddir $version"
}
