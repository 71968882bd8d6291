#!/usr/bin/env bash
# Whole-command benchmarks of page history (issue 13), with hyperfine, release build:
#   1. the walk: last change and creation of every page of the standards repository from its
#      full history (`ken list --json` with the stored walk removed, against the same with it);
#   2. `ken news` over the 30 commits of the SCS docs history (since the last sync);
#   3. what the history walk adds to a first sync of the whole SCS site (the docs repository
#      and the 18 repositories its docs.package.json names, served by one git daemon);
#   5. `ken news` of that whole site, every repository moved from its last commit before
#      2026-01-01 (or its first commit) to its tip (4 is a synthetic history of 100,000 commits).
# Usage: benches/history.sh [CORPUS]   (CORPUS: ../shared/corpus; needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="$(cd "${1:-../shared/corpus}" && pwd)"
cargo build --release --quiet
ken="${CARGO_TARGET_DIR:-$PWD/target}/release/ken"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export KEN_CONFIG_DIR="$work/cfg"

echo "## 1. The walk over the standards repository"
git clone -q "$corpus/site/standards.bundle" "$work/standards"
export KEN_DATA_DIR="$work/std-data"
std="std=$work/standards"
"$ken" --source "$std" sync >/dev/null 2>&1
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/walk.md" \
  --prepare "rm -rf $KEN_DATA_DIR/page-dates" \
  -n "ken list --json, walking the history" "$ken --offline --source $std list --json"
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/stored.md" \
  -n "ken list --json, stored walk" "$ken --offline --source $std list --json" \
  -n "ken list (no dates)" "$ken --offline --source $std list"

echo "## 2. ken news over the SCS docs history"
git clone -q "$corpus/scs-docs.bundle" "$work/docs"
tip=$(git -C "$work/docs" rev-parse HEAD)
root=$(git -C "$work/docs" rev-list --max-parents=0 HEAD | tail -1)
export KEN_DATA_DIR="$work/news-data"
docs="scs=$work/docs"
git -C "$work/docs" reset -q --hard "$root"
"$ken" --source "$docs" sync >/dev/null 2>&1
git -C "$work/docs" reset -q --hard "$tip"
"$ken" --source "$docs" sync >/dev/null 2>&1
"$ken" --offline --source "$docs" news | tail -1
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/news.md" \
  -n "ken news" "$ken --offline --source $docs news" \
  -n "ken news --json" "$ken --offline --source $docs news --json"

echo "## 3. The walk's share of a first sync of the whole site"
# shellcheck source=benches/serve_site.sh
. benches/serve_site.sh
serve_site "$corpus" "$work"
# Section 5 moves the served repositories' refs, in place.
org="$site_org"
# The docs repository named without .git, as this script always has (the others add it).
site="scs=$site_url/docs"
export KEN_DATA_DIR="$work/site-data"
hyperfine --warmup 1 --runs 10 --export-markdown "$work/site-sync.md" \
  --prepare "rm -rf $KEN_DATA_DIR" \
  -n "ken sync (first, whole site, walk included)" "$ken --source $site sync"
"$ken" --source "$site" sync >/dev/null 2>&1
hyperfine --warmup 3 --runs 20 -N --export-markdown "$work/site-walk.md" \
  --prepare "rm -rf $KEN_DATA_DIR/page-dates" \
  -n "ken list --json, walking all 19 histories" "$ken --offline --source $site list --json"
hyperfine --warmup 3 --runs 20 -N --export-markdown "$work/site-stored.md" \
  -n "ken list --json, stored walks" "$ken --offline --source $site list --json"
echo "## 5. ken news of the whole site: every repository back at its last commit before 2026-01-01 (or its first), synced, then at its tip, synced"
export KEN_DATA_DIR="$work/site-news-data"
declare -A tips
for r in "$org"/*.git; do
  ref=$(git -C "$r" symbolic-ref HEAD)
  tips[$r]=$(git -C "$r" rev-parse HEAD)
  old=$(git -C "$r" rev-list -1 --first-parent --before=2026-01-01 HEAD)
  # A history that starts later (the bundles of docs and standards hold only their recent
  # commits) goes back to its first commit.
  if [ -z "$old" ]; then old=$(git -C "$r" rev-list --first-parent HEAD | tail -1); fi
  if [ -n "$old" ]; then git -C "$r" update-ref "$ref" "$old"; fi
done
# The older manifest names a repository the corpus does not have (osism.github.io): that one
# fails, the others are synced.
"$ken" --source "$site" sync >/dev/null 2>&1 || true
for r in "$org"/*.git; do
  git -C "$r" update-ref "$(git -C "$r" symbolic-ref HEAD)" "${tips[$r]}"
done
"$ken" --source "$site" sync >/dev/null 2>&1
"$ken" --offline --source "$site" news | head -12
"$ken" --offline --source "$site" news --json | python3 -c 'import json,sys; s=json.load(sys.stdin)["sources"][0]; print(len(s["repos"]), "repositories moved,", len(s["commits"]), "commits,", len(s["pages"]), "pages")'
hyperfine --warmup 3 --runs 30 -N --export-markdown "$work/site-news.md" \
  -n "ken news (whole site)" "$ken --offline --source $site news" \
  -n "ken news --json (whole site)" "$ken --offline --source $site news --json"

echo "## 4. The walk over a synthetic history of 100,000 commits (40 pages, all from the root)"
mkdir -p "$work/long" && git -C "$work/long" init -q -b main
python3 - <<'PY' | git -C "$work/long" fast-import --quiet
import sys
w = sys.stdout.write
for i in range(100_000):
    msg = f"commit {i}"
    w(f"commit refs/heads/main\ncommitter T <t@example.org> {1_500_000_000 + i * 60} +0000\n")
    w(f"data {len(msg)}\n{msg}\n")
    if i == 0:
        for k in range(40):
            t = f"# Page {k}\n"
            w(f"M 100644 inline docs/p{k}.md\ndata {len(t)}\n{t}\n")
    if i == 99_990:
        t = "# Page 0, edited\n"
        w(f"M 100644 inline docs/p0.md\ndata {len(t)}\n{t}\n")
    w("\n")
PY
git -C "$work/long" reset -q --hard main
export KEN_DATA_DIR="$work/long-data"
"$ken" --source "long=$work/long" sync >/dev/null 2>&1
hyperfine --warmup 1 --runs 10 -N --export-markdown "$work/long.md" \
  --prepare "rm -rf $KEN_DATA_DIR/page-dates" \
  -n "ken list --json, walking 100,000 commits" "$ken --offline --source long=$work/long list --json"

cat "$work"/walk.md "$work"/stored.md "$work"/news.md "$work"/site-sync.md "$work"/site-walk.md "$work"/site-stored.md "$work"/site-news.md "$work"/long.md
