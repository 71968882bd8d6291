#!/usr/bin/env bash
# `ken check --changed-since` against a whole `ken check`, two builds of ken in one hyperfine
# run each (release builds; the machine is shared, so both binaries are measured together):
#   1. the assembled SCS site (the docs bundle and the 18 site bundles served by one git
#      daemon, benches/serve_site.sh), synced once, its range `--changed-since 2026-07-20`
#      (each repository from its own commit of that day);
#   2. a git repository of 40,000 pages (benches/corpus_40k.sh's folder committed twice, the
#      second commit changing 10 pages), mirrored as a `file://` source, its range the first
#      commit.
# Before timing, each range's JSON report of both builds is compared byte for byte (`cmp`):
# a build that reports differently stops the script.
# Usage: benches/check_changed.sh OLD_KEN NEW_KEN 40K_GIT_REPO [40K_RANGE]
# KEN_SHARED names ../shared (default: next to the worktree).
set -euo pipefail
# The median and user CPU of each command of a hyperfine JSON export.
medians() {
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("median %.1f ms, user %.1f ms: %s" % (r["median"]*1e3, r["user"]*1e3, r["command"]))' "$1"
}
uptime
old="$(realpath "$1")"
new="$(realpath "$2")"
big="$(realpath "$3")"
big_range="${4:-HEAD~1}"
shared="${KEN_SHARED:-$(dirname "$0")/../../shared}"
corpus="$(realpath "$shared/corpus")"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=benches/serve_site.sh
. "$(dirname "$0")/serve_site.sh"
serve_site "$corpus" "$work"
export KEN_CONFIG_DIR="$work/config"

same_reports() { # LABEL ARGS...
  local label="$1"
  shift
  "$old" "$@" --format json >"$work/old.json" 2>/dev/null || true
  "$new" "$@" --format json >"$work/new.json" 2>/dev/null || true
  cmp "$work/old.json" "$work/new.json"
  echo "$label: the same report from both builds, $(wc -c <"$work/new.json") bytes"
}

export KEN_DATA_DIR="$work/site-data"
site="--offline --source scs=$site_url/docs.git"
# shellcheck disable=SC2086
"$new" --source "scs=$site_url/docs.git" sync >/dev/null 2>&1
# shellcheck disable=SC2086
same_reports "site --changed-since 2026-07-20" $site check --changed-since 2026-07-20
hyperfine -N -i -w 2 -r 15 --export-json "$work/site.json" "$old $site check" "$new $site check" \
  "$old $site check --changed-since 2026-07-20" "$new $site check --changed-since 2026-07-20"

export KEN_DATA_DIR="$work/big-data"
big_src="--offline --source kb=file://$big"
"$new" --source "kb=file://$big" sync >/dev/null 2>&1
# shellcheck disable=SC2086
same_reports "40k --changed-since $big_range" $big_src check --changed-since "$big_range"
hyperfine -N -i -w 1 -r 5 --export-json "$work/big.json" "$old $big_src check" "$new $big_src check" \
  "$old $big_src check --changed-since $big_range" "$new $big_src check --changed-since $big_range"
medians "$work/site.json"
medians "$work/big.json"
uptime
