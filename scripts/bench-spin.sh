#!/usr/bin/env bash
# faultline vs SPIN on the same exported model: many-faults faults=1..4 (or $FAULTS),
# upstream and hold-io. For each: faultline `check --reduce none` and `--reduce all`,
# then SPIN on `faultline export --format promela` with and without its partial-order
# reduction. Prints states, time (s), peak RSS (MiB, /usr/bin/time -v) and the ratio
# faultline/SPIN (time to verdict: faultline's run against pan's run; SPIN's
# spin -a + gcc time is its own column). Installs spin, gcc and time if missing.
#
# Usage: scripts/bench-spin.sh            (faults 1..4, both designs)
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

# measure FILE CMD...: runs CMD with its output in FILE.out, prints "seconds rss_mib".
measure() {
    local file=$1
    shift
    /usr/bin/time -v -o "$file.time" "$@" >"$file.out" 2>&1 || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$file.time" |
        awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$file.time")
    echo "$wall $rss"
}

echo "machine: $(lscpu | awk -F': +' '/Model name/ {print $2}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "faultline $($fl --version | cut -d' ' -f2), $(spin -V), $(gcc --version | head -1)"
printf '%-9s %2s | %-24s | %-24s | %-34s | %-24s | %6s %6s\n' design N \
    "faultline none" "faultline all" "SPIN -DNOREDUCE (compile)" "SPIN POR" "none/S" "all/S"
for d in $DESIGNS; do
    for n in $FAULTS; do
        base=$work/$d-$n
        "$fl" export --format promela "$d" many-faults --set faults="$n" -o "$base.pml"
        read -r t_none m_none < <(measure "$base.none" "$fl" check "$d" many-faults \
            --set faults="$n" --property deadlock --reduce none --quiet)
        s_none=$(awk '/^engine/ {print $3}' "$base.none.out")
        read -r t_all m_all < <(measure "$base.all" "$fl" check "$d" many-faults \
            --set faults="$n" --property deadlock --reduce all --quiet)
        s_all=$(awk '/^engine/ {print $3}' "$base.all.out")
        v_fl=$(awk '/^deadlock:/ {print $2}' "$base.none.out")
        # hash table: 2^(16 + 2N) slots, about one per state at each size.
        w=$((16 + 2 * n))
        for mode in nored por; do
            dir=$work/$d-$n-$mode
            mkdir -p "$dir"
            cp "$base.pml" "$dir/model.pml"
            flags="-O2 -DSAFETY -DMEMLIM=16384"
            [ "$mode" = nored ] && flags="$flags -DNOREDUCE"
            start=$(date +%s.%N)
            (cd "$dir" && spin -a model.pml >/dev/null && gcc $flags -o pan pan.c)
            compile=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
            read -r t m < <(cd "$dir" && measure "$dir/run" ./pan -m10000000 -w$w)
            s=$(awk '/states, stored/ {print $1}' "$dir/run.out")
            e=$(awk -F'errors: ' '/errors:/ {print $2}' "$dir/run.out")
            eval "t_$mode=$t m_$mode=$m s_$mode=$s e_$mode=$e c_$mode=$compile"
        done
        r_none=$(awk -v a="$t_none" -v b="$t_nored" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 0.01)}')
        r_all=$(awk -v a="$t_all" -v b="$t_nored" 'BEGIN {printf "%.2f", a / (b > 0 ? b : 0.01)}')
        printf '%-9s %2s | %9s %6.2fs %5sM | %9s %6.2fs %5sM | %9s %6.2fs %5sM (%4.1fs) | %9s %6.2fs %5sM | %6s %6s  deadlock: faultline %s, SPIN errors %s\n' \
            "$d" "$n" "$s_none" "$t_none" "$m_none" "$s_all" "$t_all" "$m_all" \
            "$s_nored" "$t_nored" "$m_nored" "$c_nored" "$s_por" "$t_por" "$m_por" \
            "$r_none" "$r_all" "$v_fl" "$e_nored"
    done
done
