#!/usr/bin/env bash
# faultline vs SPIN on the same exported model: many-faults faults=1..4 (or $FAULTS),
# upstream and hold-io (or $DESIGNS). Per cell: faultline `check --property deadlock`
# with `--reduce none` and `--reduce all`, then SPIN on `faultline export --format
# promela` with `-DNOREDUCE` and with its partial-order reduction. Prints a Markdown
# table: verdict, states, wall and CPU (user + system) seconds and peak RSS from
# /usr/bin/time -v, and the ratio faultline/SPIN of CPU seconds against SPIN
# -DNOREDUCE's verifier run (spin -a + gcc are extra, in their own column). Installs
# spin, gcc and time when missing.
#
# Usage: scripts/bench-spin.sh
#        FAULTS="3 4" DESIGNS=upstream scripts/bench-spin.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v spin >/dev/null 2>&1 || missing+=(spin)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
        { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

cargo build --release --locked -q -p faultline-cli
fl=$PWD/target/release/faultline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

FAULTS=${FAULTS:-"1 2 3 4"}
DESIGNS=${DESIGNS:-"upstream hold-io"}

# measure FILE CMD...: runs CMD (output in FILE.out); sets wall, cpu, rss, load.
measure() {
    local file=$1
    shift
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$file.time" "$@" >"$file.out" 2>&1 || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$file.time" |
        awk -F: '{ if (NF == 3) printf "%.2f", $1*3600 + $2*60 + $3; else printf "%.2f", $1*60 + $2 }')
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$file.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$file.time")
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 0.01)}'; }
commas() { printf "%'d" "$1" 2>/dev/null || echo "$1"; }

echo "machine: $(lscpu | awk -F': +' '/Model name/ {print $2}'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(spin -V); $(gcc --version | head -1); faultline at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| design | faults | run | deadlock | states | wall s | CPU s | peak RSS MiB | SPIN state vector B | spin -a + gcc s | CPU / SPIN | load1 at start |"
echo "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for d in $DESIGNS; do
    for n in $FAULTS; do
        base=$work/$d-$n
        "$fl" export --format promela "$d" many-faults --set faults="$n" -o "$base.pml"
        rows=()
        # SPIN first: its -DNOREDUCE CPU time is the ratio's denominator.
        w=$((16 + 2 * n)) # hash table 2^w slots, about one per state
        for mode in nored por; do
            dir=$work/$d-$n-$mode
            mkdir -p "$dir"
            cp "$base.pml" "$dir/model.pml"
            flags="-O2 -DSAFETY -DMEMLIM=16384"
            [ "$mode" = nored ] && flags="$flags -DNOREDUCE"
            start=$(date +%s.%N)
            (cd "$dir" && spin -a model.pml >/dev/null && gcc $flags -o pan pan.c)
            compile=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
            cd "$dir"
            measure "$dir/run" ./pan -m100000 -w$w
            cd - >/dev/null
            if grep -q "max search depth too small" "$dir/run.out"; then
                echo "pan: max search depth too small for $d faults=$n" >&2
                exit 1
            fi
            s=$(awk '/states, stored/ {print $1}' "$dir/run.out")
            vec=$(awk '/State-vector/ {print $2}' "$dir/run.out")
            e=$(awk -F'errors: ' '/errors:/ {print $2}' "$dir/run.out")
            verdict=holds
            grep -q ": invalid end state (" "$dir/run.out" && verdict=violated
            [ "$e" = 0 ] || [ "$verdict" = violated ] || verdict="error ($e)"
            [ "$mode" = nored ] && spin_cpu=$cpu
            label="SPIN -DNOREDUCE"
            [ "$mode" = por ] && label="SPIN POR"
            rows+=("| $d | $n | $label | $verdict | $(commas "$s") | $wall | $cpu | $rss | $vec | $compile | $(ratio "$cpu" "$spin_cpu") | $load |")
        done
        for reduce in none all; do
            measure "$base.$reduce" "$fl" check "$d" many-faults --set faults="$n" \
                --property deadlock --reduce "$reduce" --quiet
            s=$(awk '/^engine/ {print $3}' "$base.$reduce.out")
            verdict=$(awk '/^deadlock:/ {print $2}' "$base.$reduce.out")
            echo "| $d | $n | faultline --reduce $reduce | $verdict | $(commas "$s") | $wall | $cpu | $rss | | | $(ratio "$cpu" "$spin_cpu") | $load |"
        done
        printf '%s\n' "${rows[@]}"
    done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
