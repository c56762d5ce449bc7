#!/usr/bin/env bash
# Builds the HTML report of the whole catalog and checks it in a real headless
# browser: the DOM must hold the matrix and the cell table, and a detail page must
# show inline SVG graphs. Leaves screenshots for a person to look at.
#
#   bash scripts/check-report.sh [OUT_DIR]      (default: target/report)
#
# Needs Debian's chromium (apt-get install chromium) and graphviz.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/report}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "check-report: chromium not found (apt-get install chromium)" >&2
    exit 2
fi
command -v dot >/dev/null || { echo "check-report: graphviz not found (apt-get install graphviz)" >&2; exit 2; }

rm -rf "$out"
cargo run --quiet --release -p faultline-cli -- report --out "$out"
abs="$(cd "$out" && pwd)"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# The flags keep chromium off the network (the machine has none) and out of $HOME.
chrome() {
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>/dev/null
}

fail() { echo "check-report: $*" >&2; exit 1; }
dom="$(chrome --dump-dom "file://$abs/index.html")"
grep -q '<table id="matrix">' <<<"$dom" || fail "index.html: no matrix table"
grep -q '<table id="cells">' <<<"$dom" || fail "index.html: no cell table"
grep -q 'class="violated"' <<<"$dom" || fail "index.html: no violated cell"
detail="$abs/hold-io.fork-fuse.html"
dom="$(chrome --dump-dom "file://$detail")"
[ "$(grep -c '<svg' <<<"$dom")" -ge 2 ] || fail "$detail: fewer than two inline SVG graphs"
grep -q 'mmap_read_lock' <<<"$dom" || fail "$detail: no trace text"

chrome --window-size=1280,2000 --screenshot="$abs/index.png" "file://$abs/index.html"
chrome --window-size=1280,2000 --screenshot="$abs/hold-io.fork-fuse.png" "file://$detail"
echo "check-report: ok; screenshots $out/index.png and $out/hold-io.fork-fuse.png"
