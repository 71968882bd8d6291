#!/usr/bin/env bash
# Terminal UI benchmarks that need a real terminal (docs/performance.md, "Terminal UI"):
#  1. time from start to the first full frame of `ken DOC` in tmux at 120×40 (hyperfine), for
#     the largest SCS page and for a 170 KB page; ken leaves right after its first frame when
#     KEN_BENCH_FIRST_FRAME is set;
#  2. resident memory with the SCS corpus open (library listed, search ready).
# Usage: KEN_SCS_CORPUS=../shared/corpus/scs benches/ui_terminal.sh   (after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
scs="$(cd "${KEN_SCS_CORPUS:?set KEN_SCS_CORPUS to the SCS corpus}" && pwd)"
bin="$(pwd)/${KEN_BIN:-target/release/ken}"
work="$(mktemp -d)"
sock="ken-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
export KEN_DATA_DIR="$work/data" KEN_CONFIG_DIR="$work/config"
mkdir -p "$KEN_CONFIG_DIR"

# The largest SCS page, and a 170 KB page made of SCS pages.
largest="$(cd "$scs" && find . -name '*.md' -printf '%s %P\n' | sort -n | tail -1 | cut -d' ' -f2)"
mkdir -p "$work/big/docs"
: > "$work/big/docs/big.md"
for f in $(cd "$scs" && find . -name '*.md' | sort); do
  [ "$(stat -c %s "$work/big/docs/big.md")" -ge 174080 ] && break
  sed '1{/^---$/,/^---$/d}' "$scs/$f" >> "$work/big/docs/big.md"
done
echo "largest SCS page: $largest ($(stat -c %s "$scs/$largest") bytes)"
echo "big page: $(stat -c %s "$work/big/docs/big.md") bytes"

# Both as git repositories, synced and indexed by ken, so pages are read from its mirror's
# object store as in real use.
g() { git -C "$1" -c user.name=b -c user.email=b@b "${@:2}"; }
cp -r "$scs" "$work/scs-repo"
for r in "$work/scs-repo" "$work/big"; do
  g "$r" init -q -b main && g "$r" add -A && g "$r" commit -q -m bench
done
src_big="big=file://$work/big"
src_scs="scs=file://$work/scs-repo"
"$bin" --source "$src_scs" sync >/dev/null
"$bin" --source "$src_big" sync >/dev/null
"$bin" --source "$src_scs" search keystone >/dev/null || true

wait_file() { for _ in $(seq 1 6000); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 \
  "hyperfine --warmup 5 --runs 50 --output=inherit --export-markdown '$work/ff.md' --export-json '$work/ff.json' \
     -n 'largest SCS page' \"KEN_BENCH_FIRST_FRAME=1 '$bin' --offline --source '$src_scs' 'scs:$largest'\" \
     -n '170 KB page' \"KEN_BENCH_FIRST_FRAME=1 '$bin' --offline --source '$src_big' 'big:docs/big.md'\" \
     ; touch '$work/ff.done'"
wait_file "$work/ff.done"
cat "$work/ff.md"
python3 -c 'import json,sys; [print("median", r["command"], "%.1f ms" % (r["median"]*1000)) for r in json.load(open(sys.argv[1]))["results"]]' "$work/ff.json"


# Memory: ken on the SCS corpus, library loaded, a search answered.
tmux -L "$sock" -f /dev/null new-session -d -s m -x 120 -y 40 "'$bin' --offline --source '$src_scs'; sleep 600"
for _ in $(seq 1 400); do
  tmux -L "$sock" capture-pane -p -t m | grep -q "Introduction" && break; sleep 0.05
done
tmux -L "$sock" send-keys -t m s
tmux -L "$sock" send-keys -t m -l "keystone"
for _ in $(seq 1 400); do
  tmux -L "$sock" capture-pane -p -t m | grep -q "pages ·" && break; sleep 0.05
done
shell="$(tmux -L "$sock" display -p -t m '#{pane_pid}')"
pid="$(cat "/proc/$shell/task/$shell/children" | cut -d' ' -f1)"
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
tmux -L "$sock" capture-pane -p -t m | head -3
tmux -L "$sock" send-keys -t m C-c
