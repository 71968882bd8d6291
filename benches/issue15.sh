#!/usr/bin/env bash
# Every target of issue 15 in one sitting (docs/performance.md, "Issue 15"), with hyperfine,
# release build; each comparison is one hyperfine run of both commands, and `uptime` is
# printed before and after each:
#   1. `ken list --json` (and `ken list`) on the 40,000-page git source, with KEN_BASE (an
#      older ken, optional) in the same run; on the SCS corpus as one git repository; on the
#      whole SCS site (the docs bundle and its 18 repositories, synced once over git daemon);
#   2. `ken search keystone` on the 40,000-page local folder against `rg -il keystone`;
#   3. `ken show` of the 170 KB page, coloured, width 100, first view (highlight cache emptied
#      before every run) and read again, each paired with mdcat; and the first view of the
#      same page with its fences' titles dropped, where mdcat colours every block too;
#   4. the first frame of that page in a 120x40 pty, ken and less alternating.
# Usage: benches/issue15.sh [KEN] (default: the release build; KEN_BASE=old/ken to compare)
# Needs hyperfine, rg, mdcat, less, python3, git; the 40k corpus (benches/corpus_40k.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
ken="$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/ken}")"
base="${KEN_BASE:-}"
shared="$(realpath "${KEN_SHARED:-../shared}")"
corpus="$(dirname "$(benches/corpus_40k.sh "$shared/corpus/scs" | sed -n 1p)")"
work="$(mktemp -d)"
trap 'kill "${site_daemon:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export KEN_CONFIG_DIR="$work/cfg"
# Quiet git's advice about the default branch of the repositories made here.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=init.defaultBranch GIT_CONFIG_VALUE_0=main
mkdir -p "$KEN_CONFIG_DIR"
say() { printf '\n## %s\n' "$*"; uptime; date -u +%H:%M:%S; }
hf() { hyperfine -N "$@" 2>&1 | grep -vE '^\s*$'; uptime; }

# Each ken gets its own data dir: the two may keep different file formats.
setup() { # name source...
  local d="$work/$1"; shift
  for s in "$@"; do KEN_DATA_DIR="$d" "$ken" --source "$s" sync >/dev/null 2>&1; done
  [ -n "$base" ] && { cp -a "$d" "$d-base"; for s in "$@"; do
    KEN_DATA_DIR="$d-base" "$base" --offline --source "$s" list --json >/dev/null 2>&1 || true
  done; }
  return 0
}

say "setup"
git_src="kb=file://$corpus/40k-git"
setup 40k "$git_src"
cp -r "$shared/corpus/scs" "$work/scs-git"
git -C "$work/scs-git" init -q -b main
git -C "$work/scs-git" add -A
git -C "$work/scs-git" -c user.name=b -c user.email=b@b commit -q -m bench
scs_src="scs=file://$work/scs-git"
setup scs "$scs_src"
# shellcheck source=benches/serve_site.sh
. benches/serve_site.sh
serve_site "$shared/corpus" "$work"
site_src="scs=$site_url/docs.git"
setup site "$site_src"
# Everything after this point is offline: the daemon is not needed any more.
kill "$site_daemon"
setup folder "kb=$corpus/40k"

list_pair() { # data source [--json]
  local cmds=(-n "ken $3" "env KEN_DATA_DIR=$work/$1 $ken --offline --source $2 list $3")
  [ -n "$base" ] && cmds+=(-n "base $3" "env KEN_DATA_DIR=$work/$1-base $base --offline --source $2 list $3")
  hf -w 3 -r "$4" "${cmds[@]}"
}
say "1. ken list, 40,000-page git source"
list_pair 40k "$git_src" --json 30
list_pair 40k "$git_src" "" 30
say "1. ken list, SCS corpus as one git repository"
list_pair scs "$scs_src" --json 60
say "1. ken list, the whole SCS site (docs bundle + 18 repositories)"
list_pair site "$site_src" --json 60
list_pair site "$site_src" "" 60

say "2. ken search keystone on the 40,000-page folder, against rg -il"
hf -w 3 -r 40 -n ken "env KEN_DATA_DIR=$work/folder $ken --offline --source kb=$corpus/40k search keystone" \
  -n rg "rg -il keystone $corpus/40k"

say "3. ken show, 170 KB page, coloured, width 100, against mdcat"
kb="$work/kb" && mkdir -p "$kb"
find "$shared/corpus/scs" \( -name '*.md' -o -name '*.mdx' \) | LC_ALL=C sort | while read -r f; do
  awk 'NR==1 && /^---$/ {fm=1; next} fm && /^---$/ {fm=0; next} !fm' "$f" >>"$kb/big.md"
  printf '\n' >>"$kb/big.md"
  [ "$(stat -c %s "$kb/big.md")" -gt 174080 ] && break
done
show="env KEN_DATA_DIR=$work/show $ken --source kb=$kb --color always show big.md --width 100 --paging never"
mdcat="mdcat --ansi --local --columns 100 $kb/big.md"
hf -w 3 -r 40 --prepare "rm -rf $work/show/cache" -n "ken first view" "$show" -n mdcat "$mdcat"
hf -w 3 -r 40 -n "ken read again" "$show" -n mdcat "$mdcat"
# The same page with the fences' titles dropped (```js title="getDocs.js" -> ```js): mdcat
# leaves a block whose fence has more than a language uncoloured (7 of the page's 47 blocks,
# among them its only JavaScript and Ruby), ken colours it; without the titles both colour
# every block.
kb2="$work/kb2" && mkdir -p "$kb2"
sed -E 's/^(\s*```[A-Za-z0-9_+-]+) .*$/\1/' "$kb/big.md" >"$kb2/big.md"
show2="env KEN_DATA_DIR=$work/show2 $ken --source kb=$kb2 --color always show big.md --width 100 --paging never"
hf -w 3 -r 40 --prepare "rm -rf $work/show2/cache" -n "ken first view, no fence titles" "$show2" \
  -n "mdcat, no fence titles" "mdcat --ansi --local --columns 100 $kb2/big.md"

say "4. first frame of the 170 KB page, 120x40 pty, ken and less alternating"
mkdir -p "$work/big/docs" && cp "$kb/big.md" "$work/big/docs/big.md"
git -C "$work/big" init -q -b main && git -C "$work/big" add -A
git -C "$work/big" -c user.name=b -c user.email=b@b commit -q -m bench
KEN_DATA_DIR="$work/ff" "$ken" --source "big=file://$work/big" sync >/dev/null 2>&1
# The page's first heading: on the first screen of both.
KEN_DATA_DIR="$work/ff" "$repo/benches/first_frame_pty.py" 50 "Rendered docs" \
  -- "$ken" --offline --source "big=file://$work/big" big:docs/big.md -- less "$work/big/docs/big.md"
uptime

say "4. first frame of the 170 KB page in tmux 120x40 (hyperfine, KEN_BENCH_FIRST_FRAME)"
sock="ken15-$$"
printf '%q ' hyperfine -N --warmup 5 --runs 50 --output=inherit --export-json "$work/ff.json" \
  "env KEN_DATA_DIR=$work/ff KEN_BENCH_FIRST_FRAME=1 $ken --offline --source big=file://$work/big big:docs/big.md" \
  >"$work/ff.sh"
tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 "bash $work/ff.sh 2>$work/ff.txt; touch $work/ff.done"
while [ ! -e "$work/ff.done" ]; do sleep 0.2; done
tmux -L "$sock" kill-server 2>/dev/null || true
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("ken in tmux: median %.1f ms, mean %.1f ± %.1f, min %.1f (user %.1f, system %.1f)" % (r["median"]*1e3, r["mean"]*1e3, r["stddev"]*1e3, r["min"]*1e3, r["user"]*1e3, r["system"]*1e3))' "$work/ff.json"
uptime
