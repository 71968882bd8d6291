#!/usr/bin/env bash
# Whole-command benchmarks of sync and list (issue 2), with hyperfine:
#   first sync of the SCS docs history over git daemon on loopback vs `git clone --mirror`,
#   a no-op sync, and `ken list`.
# Usage: benches/sync.sh [path/to/scs-docs.bundle]   (needs hyperfine; builds --release)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-../shared/corpus/scs-docs.bundle}"
cargo build --release --quiet
ken="$PWD/target/release/ken"
work="$(mktemp -d)"
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q --bare "$bundle" "$work/srv/docs.git"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$(git --exec-path)/git-daemon" --reuseaddr --export-all --listen=127.0.0.1 --port="$port" \
  --base-path="$work/srv" "$work/srv" &
daemon=$!
until git ls-remote "git://127.0.0.1:$port/docs.git" >/dev/null 2>&1; do :; done
url="git://127.0.0.1:$port/docs.git"
export KEN_CONFIG_DIR="$work/cfg" KEN_DATA_DIR="$work/data"

hyperfine --warmup 2 --runs 20 --export-markdown "$work/first.md" \
  --prepare "rm -rf $work/data $work/mirror.git" \
  -n "ken sync (first clone)" "$ken --source scs=$url sync" \
  -n "git clone --mirror" "git clone -q --mirror $url $work/mirror.git"
"$ken" --source "scs=$url" sync >/dev/null
hyperfine --warmup 3 --runs 50 -N --export-markdown "$work/noop.md" \
  -n "ken sync (no-op)" "$ken --source scs=$url sync" \
  -n "ken list" "$ken --source scs=$url list"
cat "$work/first.md" "$work/noop.md"
