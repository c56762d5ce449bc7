#!/usr/bin/env bash
# repro/build.sh SERIES: builds (or takes from the cache) Debian's linux-source-7.2 with
# the config fragment fl-kvm.config and the patch series repro/patches/SERIES/series
# ("stock" for none). Prints "BZIMAGE SYSTEM_MAP VERSION". The bzImage is cached by the
# hash of (source version, fragment, patches); the build is out of tree, CC="ccache gcc",
# always in the same two folders (the objects kept between builds, ccache's direct mode
# hitting across variants): only what a patch changes, or what includes a changed
# header, compiles again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
series=${1:?usage: build.sh SERIES (stock or a folder of repro/patches)}
# shellcheck source=kernels.sh
source "$here/kernels.sh"

patches=()
if [ "$series" != stock ]; then
    list=$here/patches/$series/series
    [ -f "$list" ] || die "no patch series $series (valid: stock $(ls "$here/patches" | tr '\n' ' '))"
    while read -r p; do
        case $p in ''|'#'*) continue ;; esac
        [ -f "$here/patches/$p" ] || die "$list: no patch $p"
        patches+=("$here/patches/$p")
    done <"$list"
fi

install_build_tools() {
    local need=()
    for t in ccache flex bison bc make xz:xz-utils; do
        command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
    done
    [ -e /usr/include/libelf.h ] || need+=(libelf-dev)
    [ -e /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
    [ ${#need[@]} = 0 ] && return 0
    apt_install "${need[@]}"
}

# Debian sid's linux-source-7.2, through apt (Release signature, package hash), once.
source_tree() {
    newer_apt
    local pkg deb ver dir
    pkg=$(newest '^linux-source-7\.2$' "${APTOPT[@]}")
    [ -n "$pkg" ] || die "no linux-source-7.2 in sid"
    deb=$(download "$pkg" "${APTOPT[@]}")
    ver=$(dpkg-deb -f "$deb" Version)
    dir=$CACHE/src/linux-$ver
    if [ ! -f "$dir/Makefile" ]; then
        echo "repro: unpacking $pkg $ver" >&2
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*/linux-source-7.2.tar.xz' |
            tar -xJ -C "$dir.tmp" --strip-components=1 || die "cannot unpack $deb"
        mv "$dir.tmp" "$dir"
    fi
    echo "$ver $dir"
}

# every symbol of the fragment keeps its value through olddefconfig (=n: absent is fine)
fragment_kept() {
    local line
    while read -r line; do
        case $line in
            CONFIG_*=n) ! grep -qx "${line%=n}=y" "$1" || { echo "lost: $line"; return 1; } ;;
            CONFIG_*) grep -qx "$line" "$1" || { echo "lost: $line"; return 1; } ;;
        esac
    done <"$here/fl-kvm.config"
}

install_build_tools
read -r ver pristine < <(source_tree)
key=$( { echo "$ver"; cat "$here/fl-kvm.config"; for p in "${patches[@]}"; do echo "== ${p#"$here"/}"; cat "$p"; done; } |
    sha256sum | cut -c1-16)
out=$CACHE/bz/$series-$key
if [ -f "$out/bzImage" ] && [ -f "$out/System.map" ]; then
    echo "$out/bzImage $out/System.map $ver${patches:++$series}"
    exit 0
fi

# One build at a time, always in the same two folders: the object folder is kept, so
# make recompiles only what a patch (or undoing the last one) changed.
mkdir -p "$CACHE/kbuild"
exec 9>"$CACHE/kbuild/lock"
flock 9
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache} CCACHE_BASEDIR=$CACHE/kbuild
ccache -M 2G >/dev/null
src=$CACHE/kbuild/src obj=$CACHE/kbuild/obj stamp=$CACHE/kbuild/obj.source
# the object folder belongs to one source version and fragment, else start afresh
want="$ver $(sha256sum <"$here/fl-kvm.config" | cut -c1-16)"
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] || rm -rf "$obj" "$stamp"
# the files earlier builds' patches changed go back to new copies of the pristine ones
# (a new mtime), so make sees them change back
changed=$CACHE/kbuild/patched-files
rm -rf "$src"
cp -al "$pristine" "$src" # hard links: patch writes new files, the pristine tree stays
if [ -f "$changed" ]; then
    while read -r f; do
        # an empty line would copy the whole tree (a cold run: stock, then v2, failed here)
        if [ -n "$f" ] && [ -e "$pristine/$f" ]; then cp --remove-destination "$pristine/$f" "$src/$f"; fi
    done <"$changed"
fi
mine=()
for p in "${patches[@]}"; do
    echo "repro: applying ${p#"$here"/}" >&2
    (cd "$src" && patch -p1 -s --no-backup-if-mismatch -F0 <"$p" >&2) || die "$p does not apply to linux $ver"
    mapfile -t -O ${#mine[@]} mine < <(grep -E '^\+\+\+ b/' "$p" | sed -e 's|^+++ b/||' -e 's|\t.*||')
done
# until this build is done, the next one must undo both lists
{ cat "$changed" 2>/dev/null || true; printf '%s\n' ${mine[@]+"${mine[@]}"}; } | sed '/^$/d' | sort -u >"$changed.tmp"
mv "$changed.tmp" "$changed"
log=$CACHE/kbuild/$series.log
t0=$(date +%s)
echo "repro: building linux $ver${patches:++$series} (log $log)" >&2
{
    if [ ! -f "$obj/.config" ]; then
        make -s -C "$src" O="$obj" tinyconfig &&
            "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$here/fl-kvm.config" &&
            make -s -C "$src" O="$obj" olddefconfig && fragment_kept "$obj/.config" &&
            echo "$want" >"$stamp"
    fi &&
        make -C "$src" O="$obj" -j"$(nproc)" CC="ccache gcc" KBUILD_BUILD_TIMESTAMP=0 \
            KBUILD_BUILD_USER=faultline KBUILD_BUILD_HOST=repro bzImage
} >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "kernel build failed ($series), log $log"; }
mkdir -p "$out.tmp"
cp "$obj/arch/x86/boot/bzImage" "$obj/System.map" "$out.tmp/"
rm -rf "$out" && mv "$out.tmp" "$out"
# no line at all for a build without patches (printf of no words prints one empty line)
[ ${#mine[@]} -eq 0 ] && : >"$changed" || printf '%s\n' "${mine[@]}" >"$changed"
echo "repro: built $series in $(($(date +%s) - t0)) s; $(ccache -s 2>/dev/null | grep -iE 'hits|Hits' | head -n 1 | tr -s ' ')" >&2
echo "$out/bzImage $out/System.map $ver${patches:++$series}"
