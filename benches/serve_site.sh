# shellcheck shell=bash
# The SCS site served over git://127.0.0.1 for the benchmark scripts (site.sh, bundle.sh,
# check.sh, history.sh, issue15.sh): sourced, not run. `serve_site CORPUS WORK` clones
# CORPUS/scs-docs.bundle as docs.git and every CORPUS/site/*.bundle as NAME.git, bare, under
# WORK/srv/SovereignCloudStack/, starts one `git daemon` on a free port of 127.0.0.1 with
# WORK/srv as its base path, waits until it answers, and sets
#   site_org     WORK/srv/SovereignCloudStack (the bare repositories, for scripts that move refs)
#   site_repos   the repositories' names, docs first, then the site bundles in glob order
#   site_port    the daemon's port
#   site_url     git://127.0.0.1:PORT/SovereignCloudStack (append /docs.git or /docs)
#   site_daemon  the daemon's pid
# The daemon's own output goes to WORK/git-daemon.log. The caller owns the cleanup: its EXIT
# trap, set before the call, kills "${site_daemon:-}" and removes WORK (the variable is unset
# when the call fails before the daemon starts, hence the default).

serve_site() { # CORPUS WORK
  local corpus="$1" work="$2" b n
  site_org="$work/srv/SovereignCloudStack"
  mkdir -p "$site_org"
  # Every bundle carries its HEAD, which the clone takes; init.defaultBranch only names the
  # branch of the empty repository the clone starts from, and setting it keeps git from
  # printing its ten-line hint about that name once per repository (-q does not).
  git -c init.defaultBranch=main clone -q --bare "$corpus/scs-docs.bundle" "$site_org/docs.git"
  site_repos=(docs)
  for b in "$corpus"/site/*.bundle; do
    n="$(basename "$b" .bundle)"
    git -c init.defaultBranch=main clone -q --bare "$b" "$site_org/$n.git"
    site_repos+=("$n")
  done
  # A port the kernel just handed out is free, unlike a random pick, which can hit another
  # helper's daemon on this shared machine and then wait for ever.
  site_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # git-daemon itself rather than the `git daemon` wrapper, so that the pid is the daemon's and
  # killing it stops the server.
  "$(git --exec-path)/git-daemon" --reuseaddr --export-all --listen=127.0.0.1 \
    --port="$site_port" --base-path="$work/srv" "$work/srv" >"$work/git-daemon.log" 2>&1 &
  site_daemon=$!
  site_url="git://127.0.0.1:$site_port/SovereignCloudStack"
  # Poll until it answers; a daemon that died (the port taken after all) is reported instead
  # of waited for.
  until git ls-remote "$site_url/docs.git" >/dev/null 2>&1; do
    if ! kill -0 "$site_daemon" 2>/dev/null; then
      echo "serve_site: git daemon on 127.0.0.1:$site_port exited:" >&2
      cat "$work/git-daemon.log" >&2
      return 1
    fi
    sleep 0.1
  done
}
