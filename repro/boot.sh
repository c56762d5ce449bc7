#!/usr/bin/env bash
# boot.sh VMLINUZ INITRD "fltest args" LOG [CMDLINE]: one TCG boot, bounded by a timeout;
# boots again (3 tries) when the guest dies before the test starts (a rare MTTCG oops
# during early text patching). CMDLINE is added to the kernel command line.
set -uo pipefail
kernel=$1 initrd=$2 args=$3 log=$4 extra=${5:-}
for try in 1 2 3; do
    timeout --kill-after=5 "${REPRO_TIMEOUT:-120}" qemu-system-x86_64 -accel tcg,thread=multi \
        -cpu max -m 1024 -smp 2 -nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0 panic=-1 loglevel=4 mitigations=off $extra fl=${args// /,}" \
        </dev/null 2>&1 | tr -d '\r' >"$log"
    rc=${PIPESTATUS[0]}
    grep -q 'TEST: start' "$log" && exit 0
    echo "repro: boot $try died before the test (qemu rc=$rc): $(grep -m1 -E 'Oops|panic|Kernel' "$log")" >&2
    cp "$log" "$log.bootfail$try"
done
exit 1
