//! Memory while listing a repository with a 20 MiB blob. In a test binary of its own: the peak
//! RSS the kernel reports for a child includes the spawning process's own peak, so this
//! process must stay small (no other tests, no big buffers).

#[path = "common/mod.rs"]
mod common;

use common::{GitDaemon, Ken, Repo, run};

/// Peak resident memory (KiB) of one child process, from wait4(2).
fn peak_rss_kib(mut cmd: std::process::Command) -> (i32, i64) {
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; the child is ours and not yet waited for.
    let rusage = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut ru);
        assert_eq!(r, pid);
        ru
    };
    std::mem::forget(child);
    (libc::WEXITSTATUS(status), rusage.ru_maxrss)
}

#[test]
fn a_20_mib_blob_is_never_read_into_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "big");
    repo.write("small.md", "# Small\n");
    repo.commit("small");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("big={}", daemon.url("big"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let (_, baseline) = peak_rss_kib(ken.std_cmd(&["--source", &src, "list"]));

    // Written in chunks, so that this process's own peak stays small.
    {
        use std::io::Write;
        let mut f = std::fs::File::create(repo.dir.join("huge.md")).unwrap();
        for _ in 0..(20 << 4) {
            f.write_all(&[b'x'; 64 << 10]).unwrap();
        }
    }
    repo.commit("huge");
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let (code, with_blob) = peak_rss_kib(ken.std_cmd(&["--source", &src, "list"]));
    assert_eq!(code, 0);
    // Listing reads the blob's size from its header only: memory grows by far less than the
    // blob's 20 MiB.
    assert!(
        with_blob < baseline + 5 * 1024,
        "peak RSS {with_blob} KiB vs {baseline} KiB without the blob"
    );
}
