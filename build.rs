//! Build script: puts the git commit ken is built from into `--version`.
//!
//! `KEN_VERSION` is `0.1.0 (abc1234)` when the crate is built inside a git work tree and plain
//! `0.1.0` otherwise (a crate from a registry, a tarball, no `git` installed). Any failure of
//! git only drops the commit: the build never fails because of it.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rerun-if-changed=build.rs");
    let full = match commit() {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=KEN_VERSION={full}");
}

/// The short id of HEAD, when the manifest's folder is in a git work tree; also asks cargo to
/// run this script again when HEAD moves.
fn commit() -> Option<String> {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    // Only this crate's own repository counts: a crate unpacked somewhere inside another
    // repository (a vendored copy) must not claim that repository's commit.
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let short = git(&["rev-parse", "--short", "HEAD"])?;
    if !short.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    // HEAD itself (a checkout of another branch), the branch it names (a new commit), and
    // packed-refs (a branch packed by `git gc`). In a worktree these live in different folders,
    // which `--git-path` resolves.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for w in watched {
        if let Some(p) = git(&["rev-parse", "--git-path", &w]) {
            let p = dir.join(p);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    Some(short)
}
