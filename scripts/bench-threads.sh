#!/usr/bin/env bash
# faultline's native search on many-faults: CPU seconds, wall seconds and peak RSS per
# thread count and reduction, for one binary or several side by side (interleaved per
# repetition, so a load change hits every binary alike). Records the load average
# beside every run: on a shared machine CPU seconds are the number to compare, wall
# time is mostly queueing.
#
# Usage: scripts/bench-threads.sh [BINARY...]        (default: a release build of HEAD)
#        FAULTS=4 REDUCE="none all" THREADS="1 2" REPS=3 scripts/bench-threads.sh a b
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ $# -eq 0 ]; then
    cargo build --release --locked -q -p faultline-cli
    set -- "$PWD/target/release/faultline"
fi
FAULTS=${FAULTS:-4}
REDUCE=${REDUCE:-"none all"}
THREADS=${THREADS:-"1 2"}
REPS=${REPS:-3}
DESIGN=${DESIGN:-upstream}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(lscpu | awk -F': +' '/Model name/ {print $2}'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo
echo "| binary | faults | reduce | threads | rep | states | transitions | CPU s | wall s | peak RSS MiB | load1 at start |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for rep in $(seq "$REPS"); do
    for n in $FAULTS; do
        for reduce in $REDUCE; do
            for t in $THREADS; do
                for bin in "$@"; do
                    load=$(cut -d' ' -f1 /proc/loadavg)
                    /usr/bin/time -v -o "$work/time" "$bin" check "$DESIGN" many-faults \
                        --set faults="$n" --property deadlock --reduce "$reduce" \
                        --threads "$t" --max-states 400000000 --quiet >"$work/out" 2>&1 || true
                    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" |
                        awk -F: '{ if (NF == 3) printf "%.2f", $1*3600 + $2*60 + $3; else printf "%.2f", $1*60 + $2 }')
                    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time")
                    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time")
                    states=$(awk '/^engine/ {print $3}' "$work/out")
                    trans=$(awk '/^engine/ {print $5}' "$work/out")
                    echo "| $(basename "$bin") | $n | $reduce | $t | $rep | $states | $trans | $cpu | $wall | $rss | $load |"
                done
            done
        done
    done
done
