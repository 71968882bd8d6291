#!/usr/bin/env bash
# `ken check` benchmarks (issue 12), with hyperfine, release build:
#   1. the whole assembled SCS site: the docs bundle and the 18 bundles of the site served by
#      one git daemon (as benches/site.sh), synced once, then `ken check` of the site;
#   2. the SCS corpus folder (../shared/corpus/scs), the same pages as a local folder;
#   3. the 40,000-page folder of benches/corpus_40k.sh (made if missing);
#   and the floors a user might reach for instead: ripgrep listing every Markdown link of the
#   same pages (no resolving at all), and the standards repository's own Tests/chk_adrs.py
#   (front matter of Standards/ only) against `ken check` of that repository.
# `ken check` exits 1 when it finds something, so hyperfine runs with -i.
# Usage: benches/check.sh [KEN] (default the release build: ${CARGO_TARGET_DIR:-target}/release/ken); KEN_SHARED names ../shared;
# KEN_BENCH_40K names the 40k folder (default target/bench-corpus/40k).
set -euo pipefail
ken="$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/ken}")"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
big="${KEN_BENCH_40K:-$(dirname "$0")/../target/bench-corpus/40k}"
[ -d "$big" ] || big="$(benches/corpus_40k.sh "$corpus/scs" | head -1)"
big="$(realpath "$big")"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=benches/serve_site.sh
. "$(dirname "$0")/serve_site.sh"
serve_site "$corpus" "$work"
url="$site_url"
export KEN_DATA_DIR="$work/data" KEN_CONFIG_DIR="$work/config"
site="--source scs=$url/docs.git"
"$ken" $site sync >/dev/null 2>&1
"$ken" --source "$corpus/scs" check >/dev/null 2>&1 || true
"$ken" --source "$big" check >/dev/null 2>&1 || true
echo "site: $("$ken" $site check | tail -1)"
echo "40k: $("$ken" --source "$big" check | tail -1)"
hyperfine -N -i -w 2 -r 10 "$ken $site check" "$ken --source $corpus/scs check" \
  "rg -o --no-filename '\\]\\([^)]*\\)' -g '*.md' -g '*.mdx' $corpus/scs"
hyperfine -N -i -w 1 -r 5 "$ken --source $big check" \
  "rg -o --no-filename '\\]\\([^)]*\\)' -g '*.md' -g '*.mdx' $big"
# The standards repository: chk_adrs.py against ken on the same checkout.
std="$work/standards"
git clone -q "$corpus/site/standards.bundle" "$std"
(cd "$std" && "$ken" --source "$std" check Standards >/dev/null 2>&1 || true)
hyperfine -N -i -w 2 -r 10 --command-name "python3 Tests/chk_adrs.py Standards" \
  "python3 $std/Tests/chk_adrs.py $std/Standards" \
  --command-name "ken check Standards" "$ken --source $std check Standards"
