#!/usr/bin/env bash
# First frame of `ken SOURCE:DOC` in a 120x40 tmux pane for two ken binaries (KEN_A, KEN_B) in one
# hyperfine run, each with its own data dir synced by itself (docs/performance.md, issue 10).
# Usage: KEN_SCS_CORPUS=../shared/corpus/scs KEN_A=old/ken KEN_B=target/release/ken benches/first_frame_ab.sh
set -euo pipefail
scs="$(cd "${KEN_SCS_CORPUS:?set KEN_SCS_CORPUS to the SCS corpus}" && pwd)"
work=$(mktemp -d); sock=kenff$$
trap 'tmux -L $sock kill-server 2>/dev/null || true; rm -rf $work' EXIT
largest="$(cd "$scs" && find . -name '*.md' -printf '%s %P\n' | sort -n | tail -1 | cut -d' ' -f2)"
mkdir -p $work/big/docs; : > $work/big/docs/big.md
for f in $(cd "$scs" && find . -name '*.md' | sort); do
  [ "$(stat -c %s $work/big/docs/big.md)" -ge 174080 ] && break
  sed '1{/^---$/,/^---$/d}' "$scs/$f" >> $work/big/docs/big.md
done
g() { git -C "$1" -c user.name=b -c user.email=b@b "${@:2}"; }
cp -r "$scs" $work/scs-repo
for r in $work/scs-repo $work/big; do g $r init -q -b main; g $r add -A; g $r commit -q -m bench; done
cmds=()
for w in A B; do
  if [ $w = A ]; then b="${KEN_A:?set KEN_A and KEN_B to two ken binaries}"; else b="${KEN_B:?}"; fi
  export KEN_DATA_DIR=$work/data-$w KEN_CONFIG_DIR=$work/config-$w; mkdir -p $KEN_CONFIG_DIR
  for s in "scs=file://$work/scs-repo" "big=file://$work/big"; do $b --source "$s" sync >/dev/null 2>&1; done
  $b --source "scs=file://$work/scs-repo" search keystone >/dev/null 2>&1 || true
  $b --source "big=file://$work/big" search keystone >/dev/null 2>&1 || true
  cmds+=(-n "$w, 30 KB page" "KEN_DATA_DIR=$work/data-$w KEN_CONFIG_DIR=$work/config-$w KEN_BENCH_FIRST_FRAME=1 $b --offline --source scs=file://$work/scs-repo scs:$largest")
  cmds+=(-n "$w, 170 KB page" "KEN_DATA_DIR=$work/data-$w KEN_CONFIG_DIR=$work/config-$w KEN_BENCH_FIRST_FRAME=1 $b --offline --source big=file://$work/big big:docs/big.md")
done
printf '%q ' hyperfine --warmup 5 --runs ${RUNS:-60} --output=inherit --export-json $work/ff.json "${cmds[@]}" > $work/cmd.sh
tmux -L $sock -f /dev/null new-session -d -s b -x 120 -y 40 "bash $work/cmd.sh 2>$work/out.txt; touch $work/done"
while [ ! -e $work/done ]; do sleep 0.2; done
tail -3 $work/out.txt; python3 -c 'import json,sys; [print("%-16s median %.1f ms  mean %.1f ± %.1f  min %.1f" % (r["command"], r["median"]*1e3, r["mean"]*1e3, r["stddev"]*1e3, r["min"]*1e3)) for r in json.load(open(sys.argv[1]))["results"]]' $work/ff.json
