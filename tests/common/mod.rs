//! Test harness shared by the integration tests: git repositories in temporary directories,
//! served by a real `git daemon` on 127.0.0.1 with an ephemeral port, and `ken` run with an
//! isolated config and data dir.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `git daemon` serving every repository under `base`.
pub struct GitDaemon {
    child: Child,
    pub port: u16,
    pub base: PathBuf,
}

impl GitDaemon {
    /// Starts the daemon and waits (polling with a deadline) until it accepts connections.
    pub fn start(base: &Path) -> GitDaemon {
        for _ in 0..5 {
            if let Some(d) = GitDaemon::start_on(base, free_port()) {
                return d;
            }
        }
        panic!("git daemon did not start");
    }

    /// Starts the daemon again on the same port (so the same URLs work) after [`stop`].
    pub fn restart(&mut self) {
        self.stop();
        let d = GitDaemon::start_on(&self.base, self.port)
            .unwrap_or_else(|| panic!("git daemon did not start again on port {}", self.port));
        *self = d;
    }

    fn start_on(base: &Path, port: u16) -> Option<GitDaemon> {
        // The daemon binary itself, not the `git` wrapper: killing a wrapper would leave
        // the daemon running.
        let child = Command::new(git_daemon_bin())
            .args([
                "--reuseaddr",
                "--export-all",
                "--informative-errors",
                "--listen=127.0.0.1",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts (git is installed)");
        let mut d = GitDaemon {
            child,
            port,
            base: base.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(d);
            }
            if let Ok(Some(_)) = d.child.try_wait() {
                break; // port taken meanwhile: try another
            }
            std::thread::yield_now();
        }
        d.stop();
        None
    }

    /// The `git://` URL of a repository under the base.
    pub fn url(&self, repo: &str) -> String {
        format!("git://127.0.0.1:{}/{repo}", self.port)
    }

    /// Stops the daemon: afterwards the port refuses connections.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn git_daemon_bin() -> PathBuf {
    let out = Command::new("git")
        .arg("--exec-path")
        .output()
        .expect("git is installed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("git-daemon")
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port")
}

/// Runs git with a clean, fixed identity and no user or system config.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[])
}

/// [`git`] with more environment (`GIT_AUTHOR_DATE`, …) set over the fixed identity.
pub fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A non-bare repository with a `main` branch, to be served by a [`GitDaemon`].
pub struct Repo {
    pub dir: PathBuf,
}

impl Repo {
    /// Creates `base/name` as an empty repository on branch `main`.
    pub fn init(base: &Path, name: &str) -> Repo {
        let dir = base.join(name);
        std::fs::create_dir_all(&dir).expect("create repo dir");
        git(&dir, &["init", "-q", "-b", "main"]);
        Repo { dir }
    }

    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(p, content).expect("write file");
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        git(&self.dir, &["rm", "-q", path]);
        self
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.dir, args)
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&self, message: &str) -> String {
        git(&self.dir, &["add", "-A"]);
        git(&self.dir, &["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    /// Stages everything and commits as `author` with fixed dates (anything git takes, e.g.
    /// `2021-06-01 10:00:00 +0000`); returns the new commit id.
    pub fn commit_at(
        &self,
        message: &str,
        author: &str,
        authored: &str,
        committed: &str,
    ) -> String {
        git(&self.dir, &["add", "-A"]);
        git_with(
            &self.dir,
            &["commit", "-q", "--allow-empty", "-m", message],
            &[
                ("GIT_AUTHOR_NAME", author),
                ("GIT_AUTHOR_DATE", authored),
                ("GIT_COMMITTER_DATE", committed),
            ],
        );
        self.head()
    }

    pub fn head(&self) -> String {
        git(&self.dir, &["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// An isolated ken: its own config and data dir.
pub struct Ken {
    pub home: tempfile::TempDir,
}

impl Ken {
    pub fn new() -> Ken {
        Ken {
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    /// The configuration this ken runs with for `source` (a `--source` value), as the
    /// terminal UI and the library load it.
    pub fn config_for(&self, source: &str) -> ken::config::Config {
        ken::config::Config::load(&ken::config::Inputs {
            source_flags: vec![source.to_string()],
            env_config_dir: Some(self.config_dir()),
            env_data_dir: Some(self.data_dir()),
            ..Default::default()
        })
        .expect("config")
    }

    /// Writes `config.toml` in the config dir.
    pub fn config(&self, toml: &str) {
        std::fs::create_dir_all(self.config_dir()).expect("config dir");
        std::fs::write(self.config_dir().join("config.toml"), toml).expect("write config");
    }

    /// `ken ARGS` with this ken's dirs, no colour, and no inherited KEN_* settings (nor a
    /// `KEN_MIRROR` of the machine running the tests).
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::new(ken_bin());
        c.args(args)
            .env("KEN_DATA_DIR", self.data_dir())
            .env("KEN_CONFIG_DIR", self.config_dir())
            .env("NO_COLOR", "1")
            .env("HOME", self.home.path())
            .env_remove("PAGER")
            .env_remove("KEN_MIRROR");
        c
    }

    /// The same as a `std::process::Command`, for tests that need the child (kill, wait4).
    pub fn std_cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(ken_bin());
        c.args(args)
            .env("KEN_DATA_DIR", self.data_dir())
            .env("KEN_CONFIG_DIR", self.config_dir())
            .env("NO_COLOR", "1")
            .env("HOME", self.home.path())
            .env_remove("PAGER")
            .env_remove("KEN_MIRROR");
        c
    }
}

pub fn ken_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ken"))
}

/// Output of a finished command, as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut cmd: assert_cmd::Command) -> Run {
    let out = cmd.output().expect("ken runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Polls `cond` until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

/// The SCS corpus named by `KEN_SCS_CORPUS` (`.ci/run` sets it); fails when it is missing.
pub fn scs_corpus() -> PathBuf {
    let dir = std::env::var_os("KEN_SCS_CORPUS").expect(
        "KEN_SCS_CORPUS is not set: point it at the SCS corpus (../shared/corpus/scs); .ci/run sets it",
    );
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("docusaurus.config.js").is_file(),
        "KEN_SCS_CORPUS={} holds no docusaurus.config.js",
        dir.display()
    );
    dir
}

/// Every `.md` and `.mdx` page under `root`, as sorted `/`-separated relative paths.
pub fn corpus_pages(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('.') && name != "node_modules" {
                stack.push(p);
            } else if name.ends_with(".md") || name.ends_with(".mdx") {
                let rel = p.strip_prefix(root).expect("under root");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
