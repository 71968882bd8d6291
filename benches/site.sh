#!/usr/bin/env bash
# The SCS site benchmarks (issue 11): the docs bundle and the 18 bundles of the site served by
# one git daemon under SovereignCloudStack/, then with hyperfine
#   1. a first `ken sync` of the whole site (mirrors of 19 repositories and the index) against
#      `git clone --mirror` of the 19 repositories one after another, from the same daemon;
#   2. a no-op `ken sync` of the site;
#   3. `ken search` on the site.
# Usage: benches/site.sh [KEN] (default target/release/ken); KEN_SHARED names ../shared.
set -euo pipefail
ken="$(realpath "${1:-target/release/ken}")"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
work="$(mktemp -d)"
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
org="$work/srv/SovereignCloudStack"
mkdir -p "$org"
git clone -q --bare "$corpus/scs-docs.bundle" "$org/docs.git"
names=(docs)
for b in "$corpus"/site/*.bundle; do
  n="$(basename "$b" .bundle)"
  git clone -q --bare "$b" "$org/$n.git"
  names+=("$n")
done
port=$((20000 + RANDOM % 20000))
git daemon --reuseaddr --export-all --listen=127.0.0.1 --port="$port" \
  --base-path="$work/srv" "$work/srv" >/dev/null 2>&1 &
daemon=$!
until git ls-remote "git://127.0.0.1:$port/SovereignCloudStack/docs.git" >/dev/null 2>&1; do :; done
url="git://127.0.0.1:$port/SovereignCloudStack"
cat > "$work/clone_all.sh" <<SH
#!/bin/sh
set -e
rm -rf "$work/clones" && mkdir -p "$work/clones"
for r in ${names[*]}; do git clone -q --mirror "$url/\$r.git" "$work/clones/\$r.git"; done
SH
chmod +x "$work/clone_all.sh"
export KEN_DATA_DIR="$work/data" KEN_CONFIG_DIR="$work/config"
src="--source scs=$url/docs.git"
hyperfine -N -w 1 -r 5 --prepare "rm -rf $work/data" "$ken $src sync" "$work/clone_all.sh"
"$ken" $src sync >/dev/null 2>&1
hyperfine -N -w 2 -r 20 "$ken $src sync" "$ken $src search flavor naming" \
  "$ken $src search cluster stack operator"
