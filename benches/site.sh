#!/usr/bin/env bash
# The SCS site benchmarks (issue 11): the docs bundle and the 18 bundles of the site served by
# one git daemon under SovereignCloudStack/, then with hyperfine
#   1. a first `ken sync` of the whole site (mirrors of 19 repositories and the index) against
#      `git clone --mirror` of the 19 repositories one after another, from the same daemon;
#   2. a no-op `ken sync` of the site;
#   3. `ken search` on the site.
# Usage: benches/site.sh [KEN] (default the release build: ${CARGO_TARGET_DIR:-target}/release/ken); KEN_SHARED names ../shared.
set -euo pipefail
ken="$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/ken}")"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=benches/serve_site.sh
. "$(dirname "$0")/serve_site.sh"
serve_site "$corpus" "$work"
url="$site_url"
cat > "$work/clone_all.sh" <<SH
#!/bin/sh
set -e
rm -rf "$work/clones" && mkdir -p "$work/clones"
for r in ${site_repos[*]}; do git clone -q --mirror "$url/\$r.git" "$work/clones/\$r.git"; done
SH
chmod +x "$work/clone_all.sh"
export KEN_DATA_DIR="$work/data" KEN_CONFIG_DIR="$work/config"
src="--source scs=$url/docs.git"
hyperfine -N -w 1 -r 5 --prepare "rm -rf $work/data" "$ken $src sync" "$work/clone_all.sh"
"$ken" $src sync >/dev/null 2>&1
hyperfine -N -w 2 -r 20 "$ken $src sync" "$ken $src search flavor naming" \
  "$ken $src search cluster stack operator"
