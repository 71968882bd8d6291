#!/usr/bin/env bash
# Offline bundles (issue 14): the SCS site (the docs bundle and the 18 bundles of
# ../shared/corpus/site, served by one git daemon under SovereignCloudStack/) synced once by
# ken, then with hyperfine
#   1. `ken bundle create` of the whole site (19 repositories) against `git bundle create
#      --all` of the same 19 repositories one after another;
#   2. `ken bundle import` of that bundle into an empty data dir, offline (mirrors, state,
#      site layout and the search index of its pages) against `git clone` of the 19 git
#      bundles one after another (with their checkouts).
# Usage: benches/bundle.sh [KEN] (default the release build: ${CARGO_TARGET_DIR:-target}/release/ken); KEN_SHARED names ../shared.
set -euo pipefail
ken="$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/ken}")"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=benches/serve_site.sh
. "$(dirname "$0")/serve_site.sh"
serve_site "$corpus" "$work"
url="$site_url" org="$site_org"
src="--source scs=$url/docs.git"
export KEN_CONFIG_DIR="$work/config"
KEN_DATA_DIR="$work/a" "$ken" $src sync >/dev/null
cat > "$work/git_create.sh" <<SH
#!/bin/sh
set -e
rm -rf "$work/gb" && mkdir -p "$work/gb"
for r in ${site_repos[*]}; do git -C "$org/\$r.git" bundle create -q "$work/gb/\$r.bundle" --all; done
SH
cat > "$work/git_clone.sh" <<SH
#!/bin/sh
set -e
rm -rf "$work/clones" && mkdir -p "$work/clones"
for r in ${site_repos[*]}; do git clone -q "$work/gb/\$r.bundle" "$work/clones/\$r"; done
SH
chmod +x "$work/git_create.sh" "$work/git_clone.sh"
"$work/git_create.sh"
hyperfine -N -w 1 -r 10 --prepare "rm -f $work/site.kenbundle" \
  "env KEN_DATA_DIR=$work/a $ken $src bundle create $work/site.kenbundle" "$work/git_create.sh"
KEN_DATA_DIR="$work/a" "$ken" $src bundle create "$work/site.kenbundle" >/dev/null
echo "ken bundle: $(stat -c %s "$work/site.kenbundle") bytes; git bundles: $(cat "$work"/gb/*.bundle | wc -c) bytes"
hyperfine -N -w 1 -r 10 --prepare "rm -rf $work/b" \
  "env KEN_DATA_DIR=$work/b $ken --offline $src bundle import $work/site.kenbundle" "$work/git_clone.sh"
KEN_DATA_DIR="$work/b" "$ken" --offline $src bundle import "$work/site.kenbundle" >/dev/null
diff <(KEN_DATA_DIR="$work/a" "$ken" --offline $src list --json) \
  <(KEN_DATA_DIR="$work/b" "$ken" --offline $src list --json) >/dev/null && echo "ken list: the same on both nodes"
