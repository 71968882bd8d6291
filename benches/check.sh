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
# Usage: benches/check.sh [KEN] (default target/release/ken); KEN_SHARED names ../shared;
# KEN_BENCH_40K names the 40k folder (default target/bench-corpus/40k).
set -euo pipefail
ken="$(realpath "${1:-target/release/ken}")"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
big="${KEN_BENCH_40K:-$(dirname "$0")/../target/bench-corpus/40k}"
[ -d "$big" ] || big="$(benches/corpus_40k.sh "$corpus/scs" | head -1)"
big="$(realpath "$big")"
work="$(mktemp -d)"
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
org="$work/srv/SovereignCloudStack"
mkdir -p "$org"
git clone -q --bare "$corpus/scs-docs.bundle" "$org/docs.git"
for b in "$corpus"/site/*.bundle; do
  git clone -q --bare "$b" "$org/$(basename "$b" .bundle).git"
done
port=$((20000 + RANDOM % 20000))
git daemon --reuseaddr --export-all --listen=127.0.0.1 --port="$port" \
  --base-path="$work/srv" "$work/srv" >/dev/null 2>&1 &
daemon=$!
until git ls-remote "git://127.0.0.1:$port/SovereignCloudStack/docs.git" >/dev/null 2>&1; do :; done
url="git://127.0.0.1:$port/SovereignCloudStack"
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
