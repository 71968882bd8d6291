#!/usr/bin/env bash
# Makes the 40,000-page corpus of docs/performance.md without building the criterion
# benchmark: the SCS pages (*.md, *.mdx, in path order) copied under copy000/ … copy112/
# until there are 40,000, as a folder (`target/bench-corpus/40k`, for ripgrep and the
# local-folder measurements) and as a git repository (`target/bench-corpus/40k-git`, tags
# `before` and `after`, the second commit changing 10 pages). The same layout and marker as
# `corpus_40k` in benches/index.rs, so either makes it once for both.
# Usage: benches/corpus_40k.sh [path/to/corpus/scs]
set -euo pipefail
cd "$(dirname "$0")/.."
scs="$(cd "${1:-../shared/corpus/scs}" && pwd)"
root="$PWD/target/bench-corpus"
dir="$root/40k" repo="$root/40k-git"
if [ -e "$repo/.ready" ]; then
  echo "$dir"; echo "$repo"; exit 0
fi
rm -rf "$dir" "$repo"
mkdir -p "$dir" "$repo"
# The order of benches/index.rs: each folder's entries sorted by name, folders recursed into.
mapfile -t files < <(python3 - "$scs" <<'PY'
import os, sys
def walk(root, rel):
    for name in sorted(os.listdir(os.path.join(root, rel))):
        path = f"{rel}/{name}" if rel else name
        full = os.path.join(root, path)
        if os.path.isdir(full) and not os.path.islink(full):
            walk(root, path)
        elif os.path.isfile(full) and (name.endswith(".md") or name.endswith(".mdx")):
            print(path)
walk(sys.argv[1], "")
PY
)
n=0 copy=0
while [ "$n" -lt 40000 ]; do
  c="$(printf 'copy%03d' "$copy")"
  for f in "${files[@]}"; do
    [ "$n" -ge 40000 ] && break
    for t in "$dir" "$repo"; do
      mkdir -p "$t/$c/$(dirname "$f")"
      cp "$scs/$f" "$t/$c/$f"
    done
    n=$((n + 1))
  done
  copy=$((copy + 1))
done
g() {
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench \
    GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=Bench \
    GIT_COMMITTER_EMAIL=bench@example.org git -C "$repo" "$@"
}
g init -q -b main
g add -A
g commit -q -m "40k pages"
g tag before
for f in "${files[@]:0:10}"; do
  printf '\n\n## Benchmark edit\n\nA changed paragraph about the okapi.\n' >>"$repo/copy000/$f"
done
g commit -q -am "10 pages changed"
g tag after
touch "$repo/.ready"
echo "$dir"; echo "$repo"
