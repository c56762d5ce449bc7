#!/usr/bin/env bash
# initramfs.sh OUT.cpio.gz MODDIR...: busybox-static + static fltest + fuse.ko of every
# kernel that builds FUSE as a module. The init runs `fltest` with the arguments of the
# kernel command line's fl= (commas for spaces), then powers off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
R=$work/root
mkdir -p "$R"/{bin,proc,sys,dev,mnt,tmp}
gcc -O1 -Wall -Wextra -Werror -Wno-format-truncation -static -pthread -o "$R/fltest" "$here"/c/*.c
cp /bin/busybox "$R/bin/busybox"
for m in "$@"; do
    ko=$(find "$m" -name 'fuse.ko*' | head -n 1)
    [ -n "$ko" ] || continue # CONFIG_FUSE_FS=y
    mkdir -p "$R/lib/modules/$(basename "$m")"
    case $ko in
        *.xz) xz -dc "$ko" >"$R/lib/modules/$(basename "$m")/fuse.ko" ;;
        *.zst) zstd -dqc "$ko" >"$R/lib/modules/$(basename "$m")/fuse.ko" ;;
        *) cp "$ko" "$R/lib/modules/$(basename "$m")/fuse.ko" ;;
    esac
done
cat >"$R/init" <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
M=/lib/modules/$(uname -r)/fuse.ko
[ -f $M ] && insmod $M
mount -t fusectl none /sys/fs/fuse/connections
echo 3 >/proc/sys/kernel/hung_task_timeout_secs
echo 1 >/proc/sys/kernel/printk
ARGS=$(sed -n 's/.* fl=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
echo "TEST: start $(cut -d' ' -f1 /proc/uptime)s kernel $(uname -r): fltest $ARGS"
/fltest $ARGS
echo "TEST: end rc=$? $(cut -d' ' -f1 /proc/uptime)s"
# a kernel without ACPI (repro/run-built's tinyconfig build) halts on poweroff and
# QEMU waits for its timeout; reboot ends QEMU too (-no-reboot)
[ -d /sys/firmware/acpi ] && poweroff -f
reboot -f
EOI
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
