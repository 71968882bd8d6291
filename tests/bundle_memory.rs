//! Memory while writing and importing a big bundle: a bundle is streamed, so ken's peak
//! memory grows with the size of the biggest object, never with the size of the bundle. In a
//! test binary of its own: the peak RSS the kernel reports for a child includes the spawning
//! process's own peak, so this process must stay small (no other tests, no big buffers).

#[path = "common/mod.rs"]
mod common;

use std::io::Write;
use std::path::Path;

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

/// `count` files of 9 MiB that do not compress, written in chunks (this process stays
/// small). Over ken's 8 MiB threshold for delta search, so the test measures streaming, not
/// libgit2's (bounded) delta window.
fn noise(repo: &Repo, count: u64) {
    for i in 0..count {
        let mut f = std::fs::File::create(repo.dir.join(format!("blob{i}.bin"))).unwrap();
        let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (i + 1);
        let mut chunk = vec![0u8; 64 << 10];
        for _ in 0..144 {
            for b in chunk.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&chunk).unwrap();
        }
    }
}

/// Peak memory of `ken bundle create` and of `ken bundle import` on a fresh node, for a
/// repository of `blobs` 9 MiB blobs served by `git daemon`; and the bundle's size.
fn measure(dir: &Path, blobs: u64) -> (i64, i64, u64) {
    let repo = Repo::init(dir, "docs");
    repo.write("index.md", "# Index\n");
    noise(&repo, blobs);
    repo.commit("blobs");
    let daemon = GitDaemon::start(dir);
    let config = format!(
        "[[source]]\nname = \"docs\"\nurl = \"{}\"\n",
        daemon.url("docs")
    );
    let a = Ken::new();
    a.config(&config);
    assert_eq!(run(a.cmd(&["sync"])).code, 0);
    let bundle = dir.join("docs.kenbundle");
    let (code, create) = peak_rss_kib(a.std_cmd(&["bundle", "create", bundle.to_str().unwrap()]));
    assert_eq!(code, 0);
    let b = Ken::new();
    b.config(&config);
    let (code, import) =
        peak_rss_kib(b.std_cmd(&["--offline", "bundle", "import", bundle.to_str().unwrap()]));
    assert_eq!(code, 0);
    let r = run(b.cmd(&["--offline", "list"]));
    assert!(r.stdout.contains("index.md"), "{}", r.stdout);
    (create, import, std::fs::metadata(&bundle).unwrap().len())
}

#[test]
fn a_bundle_is_streamed_memory_does_not_grow_with_its_size() {
    let small = tempfile::tempdir().unwrap();
    let big = tempfile::tempdir().unwrap();
    let (create_1, import_1, size_1) = measure(small.path(), 1);
    let (create_n, import_n, size_n) = measure(big.path(), 16);
    assert!(size_n > 144 << 20, "the big bundle is {size_n} bytes");
    assert!(size_1 < 10 << 20, "the small bundle is {size_1} bytes");
    println!("peak RSS: create {create_1}/{create_n} KiB, import {import_1}/{import_n} KiB");
    // 135 MiB more bundle: at most 48 MiB more memory (libgit2 maps up to 32 MiB of a pack at
    // a time, and holds one object and its compressed form).
    let limit = 48 * 1024;
    assert!(
        create_n - create_1 < limit,
        "create: {create_n} KiB for 144 MiB, {create_1} KiB for 9 MiB"
    );
    assert!(
        import_n - import_1 < limit,
        "import: {import_n} KiB for 144 MiB, {import_1} KiB for 9 MiB"
    );
}

/// The case: a bundle of over 2 GiB (228 blobs of 9 MiB) is written and imported in
/// as little memory as a 9 MiB one (plus the same bound). Ignored (minutes, and about 10 GiB
/// of temporary disk); `.ci/run` runs it with the corpus tests.
#[test]
#[ignore]
fn a_bundle_of_2_gib_is_streamed_in_the_memory_of_a_small_one() {
    let small = tempfile::tempdir().unwrap();
    let big = tempfile::tempdir().unwrap();
    let (create_1, import_1, _) = measure(small.path(), 1);
    let (create_n, import_n, size_n) = measure(big.path(), 228);
    assert!(size_n > 2 << 30, "the big bundle is {size_n} bytes");
    println!("peak RSS: create {create_1}/{create_n} KiB, import {import_1}/{import_n} KiB");
    let limit = 48 * 1024;
    assert!(
        create_n - create_1 < limit,
        "create: {create_n} KiB for 2 GiB, {create_1} KiB for 9 MiB"
    );
    assert!(
        import_n - import_1 < limit,
        "import: {import_n} KiB for 2 GiB, {import_1} KiB for 9 MiB"
    );
}
