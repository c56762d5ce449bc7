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
                    echo "| $(basename "$bin") | $n | $reduce | $t | $rep | $states | $trans | $cpu | $wall | $rss | $load |" | tee -a "$work/rows"
                done
            done
        done
    done
done

# Per binary, faults and reduction: median wall and CPU per thread count, and the wall
# speedup of each thread count over the first (issue 20's 2-threads-over-1 target;
# meaningful only on an idle machine: see the load column).
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| binary | faults | reduce | threads | median wall s | median CPU s | wall speedup over $(echo $THREADS | cut -d' ' -f1) thread(s) |"
echo "|---|---:|---|---:|---:|---:|---:|"
awk -F' *[|] *' '
    { key = $2 "|" $3 "|" $4; t = $5; n = ++cnt[key, t]; wall[key, t, n] = $10; cpu[key, t, n] = $9
      if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
      if (!((key, t) in tseen)) { tseen[key, t] = 1; ts[key, ++nt[key]] = t } }
    function median(arr, key, t, n,   i, j, v, tmp) {
        for (i = 1; i <= n; i++) tmp[i] = arr[key, t, i] + 0
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (tmp[j] < tmp[i]) { v = tmp[i]; tmp[i] = tmp[j]; tmp[j] = v }
        return n % 2 ? tmp[(n + 1) / 2] : (tmp[n / 2] + tmp[n / 2 + 1]) / 2
    }
    END {
        for (k = 1; k <= nk; k++) {
            key = keys[k]; split(key, f, "|"); base = 0
            for (i = 1; i <= nt[key]; i++) {
                t = ts[key, i]; w = median(wall, key, t, cnt[key, t]); c = median(cpu, key, t, cnt[key, t])
                if (i == 1) base = w
                printf "| %s | %s | %s | %s | %.2f | %.2f | %.2f |\n", f[1], f[2], f[3], t, w, c, (w > 0 ? base / w : 0)
            }
        }
    }' "$work/rows"
