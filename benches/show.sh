#!/usr/bin/env bash
# Whole-command benchmarks of `ken show` (issue 4), with hyperfine, against mdcat:
#   the largest SCS page, a 170 KB page (SCS page bodies concatenated), a 1 MiB single line;
#   width 100, coloured. ken is measured with its highlight cache emptied before every run
#   (a page's first view) and with the page in the cache (read again).
# Usage: benches/show.sh [path/to/corpus/scs] [path/to/mdcat]   (needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus/scs}"
mdcat="${2:-$(command -v mdcat || true)}"
cargo build --release --quiet
ken="$PWD/target/release/ken"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
kb="$work/kb"
mkdir -p "$kb"
largest="$(find "$corpus" -name '*.md' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
cp "$largest" "$kb/largest.md"
# The bodies (front matter removed) of the pages in path order, until over 170 KiB.
find "$corpus" \( -name '*.md' -o -name '*.mdx' \) | LC_ALL=C sort | while read -r f; do
  awk 'NR==1 && /^---$/ {fm=1; next} fm && /^---$/ {fm=0; next} !fm' "$f" >>"$kb/big.md"
  printf '\n' >>"$kb/big.md"
  [ "$(stat -c %s "$kb/big.md")" -gt 174080 ] && break
done
head -c 1048575 /dev/zero | tr '\0' 'w' | sed 's/wwwww/word /g' >"$kb/line.md"
ls -l "$kb"
export KEN_CONFIG_DIR="$work/cfg" KEN_DATA_DIR="$work/data"
for f in largest big line; do
  show="$ken --source kb=$kb --color always show $f.md --width 100 --paging never"
  mdcat_cmd=()
  [ -n "$mdcat" ] && mdcat_cmd=(-n "mdcat $f" "$mdcat --ansi --local --columns 100 $kb/$f.md")
  hyperfine -N --warmup 3 --runs 40 --export-markdown "$work/$f.txt" \
    --prepare "rm -rf $work/data/cache" -n "ken show $f (first view)" "$show" "${mdcat_cmd[@]}"
  hyperfine -N --warmup 3 --runs 40 --export-markdown "$work/$f-again.txt" \
    -n "ken show $f (read again)" "$show"
  cat "$work/$f.txt" "$work/$f-again.txt"
done
