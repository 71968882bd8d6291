//! `ken show` end to end with an isolated config and data dir and a local directory source.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

struct Env {
    _tmp: tempfile::TempDir,
    src: std::path::PathBuf,
    cfg: std::path::PathBuf,
    data: std::path::PathBuf,
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn env() -> Env {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("kb");
    write(
        &src,
        "docs/02-iaas/guide.md",
        "---\ntitle: The IaaS guide\nstatus: Draft\n---\n# Guide\n\nRead **this** \x1b]0;pwned\x07 first.\n\n```bash\necho hi\n```\n",
    );
    write(&src, "docs/index.md", "# Start\n\nWelcome.\n");
    write(
        &src,
        "runbooks/restart.md",
        "# Restart\n\n:::warning\nCareful.\n:::\n",
    );
    let cfg = tmp.path().join("cfg");
    let data = tmp.path().join("data");
    Env {
        _tmp: tmp,
        src,
        cfg,
        data,
    }
}

impl Env {
    fn ken(&self) -> Command {
        let mut c = Command::cargo_bin("ken").expect("binary");
        c.env("KEN_CONFIG_DIR", &self.cfg)
            .env("KEN_DATA_DIR", &self.data)
            .env_remove("NO_COLOR")
            .env_remove("PAGER")
            .arg("--source")
            .arg(format!("kb={}", self.src.display()));
        c
    }
}

#[test]
fn shows_a_page_plain_when_piped() {
    let e = env();
    e.ken()
        .args(["show", "docs/02-iaas/guide.md", "--width", "40"])
        .assert()
        .success()
        .stdout(predicate::str::contains("The IaaS guide"))
        .stdout(predicate::str::contains("status: Draft"))
        .stdout(predicate::str::contains("── [1] bash"))
        .stdout(predicate::str::contains("␛]0;pwned␇"))
        .stdout(predicate::str::contains("\x1b").not());
}

#[test]
fn colour_on_request_but_never_from_the_page() {
    let e = env();
    let out = e
        .ken()
        .args([
            "--color",
            "always",
            "show",
            "docs/02-iaas/guide",
            "--width",
            "60",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("\x1b[0;"), "styled: {s}");
    assert!(!s.contains("\x1b]"), "an OSC reached the output");
    assert!(!s.contains('\x07'));
}

#[test]
fn source_path_and_site_urls_name_pages() {
    let e = env();
    e.ken()
        .args(["show", "kb:runbooks/restart.md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("╭─ WARNING"));
    e.ken()
        .args(["show", "https://docs.scs.community/docs/iaas/guide#guide"])
        .assert()
        .success()
        .stdout(predicate::str::contains("The IaaS guide"));
    e.ken()
        .args(["show", "/docs/"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Welcome."));
}

#[test]
fn unknown_doc_exits_1_with_suggestions() {
    let e = env();
    e.ken()
        .args(["show", "docs/guide.md"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("no document \"docs/guide.md\""))
        .stderr(predicate::str::contains(
            "did you mean docs/02-iaas/guide.md",
        ))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn hostile_file_names_are_sanitized_in_messages() {
    let e = env();
    write(&e.src, "evil\x1b[2J\x1b]0;t\x07.md", "# evil\n");
    let out = e.ken().args(["show", "evil"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("evil␛[2J"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'));
    let out = e
        .ken()
        .args(["show", "evil\x1b[2J\x1b]0;t\x07"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn paging_always_uses_the_pager() {
    let e = env();
    e.ken()
        .env("PAGER", "sed s/^/paged:/")
        .args(["show", "docs/index.md", "--paging", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("paged:Start"));
}

#[test]
fn paths_never_lead_out_of_the_source() {
    let e = env();
    let outside = e.src.parent().expect("parent").join("outside");
    write(&outside, "secret.md", "# Secret\n\nthe-secret-text\n");
    std::os::unix::fs::symlink(&outside, e.src.join("linked")).expect("symlink");
    for doc in [
        "linked/secret.md",
        "../outside/secret.md",
        "docs/../../outside/secret",
    ] {
        let out = e.ken().args(["show", doc]).output().expect("run");
        assert_eq!(out.status.code(), Some(1), "{doc} was shown");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("the-secret-text"),
            "{doc} leaked"
        );
    }
}

#[test]
fn a_path_in_two_sources_needs_the_source_named() {
    let e = env();
    let other = e.src.parent().expect("parent").join("kb2");
    write(&other, "docs/index.md", "# Other start\n\nElsewhere.\n");
    let two = || {
        let mut c = e.ken();
        c.arg("--source").arg(format!("kb2={}", other.display()));
        c
    };
    two()
        .args(["show", "docs/index.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("several sources (kb, kb2)"));
    two()
        .args(["show", "kb2:docs/index"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Elsewhere."));
}

fn cache_files(e: &Env) -> Vec<std::path::PathBuf> {
    let dir = e.data.join("cache").join("highlight");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|f| f.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn show_coloured(e: &Env) -> Vec<u8> {
    let out = e
        .ken()
        .args(["--color", "always", "show", "docs/02-iaas/guide.md"])
        .args(["--width", "60"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn highlighted_code_is_cached_and_shown_the_same() {
    let e = env();
    let first = show_coloured(&e);
    let files = cache_files(&e);
    assert_eq!(files.len(), 1, "one entry for the page: {files:?}");
    assert_eq!(show_coloured(&e), first, "a cache hit shows the same");
    // Plain output neither needs nor writes the cache.
    let e2 = env();
    e2.ken()
        .args(["show", "docs/02-iaas/guide.md"])
        .assert()
        .success();
    assert!(cache_files(&e2).is_empty());
}

#[test]
fn a_forged_or_broken_cache_entry_can_change_colours_only() {
    let e = env();
    let first = show_coloured(&e);
    let file = cache_files(&e).pop().expect("an entry");
    let entry = std::fs::read_to_string(&file).expect("read");
    assert!(entry.contains("echo hi"), "{entry}");
    // Other classes for the same text: the entry is used, and only the colours change.
    let mut recoloured = entry.clone();
    for class in [
        "Keyword", "Function", "String", "Variable", "Constant", "Type",
    ] {
        recoloured = recoloured.replace(&format!("\"{class}\""), "\"Comment\"");
    }
    assert_ne!(recoloured, entry, "the block has classes: {entry}");
    std::fs::write(&file, &recoloured).expect("write");
    let shown = show_coloured(&e);
    assert_ne!(shown, first, "the cached classes were used");
    assert_eq!(without_sgr(&shown), without_sgr(&first));
    // Other text (with an escape sequence) for the block: the entry is not used.
    let forged = entry.replace("echo hi", "rm -rf \\u001b]52;c;ZXZpbA==\\u0007");
    assert_ne!(forged, entry);
    std::fs::write(&file, &forged).expect("write");
    assert_eq!(show_coloured(&e), first);
    for junk in ["", "{", "[{\"lang\":1}]", "null"] {
        std::fs::write(&file, junk).expect("write");
        assert_eq!(show_coloured(&e), first, "with {junk:?} in the cache");
    }
}

/// The text without ken's SGR sequences (`ESC [ … m`).
fn without_sgr(out: &[u8]) -> String {
    let s = String::from_utf8_lossy(out);
    let mut plain = String::new();
    let mut rest = s.as_ref();
    while let Some(i) = rest.find("\x1b[") {
        plain.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find('m').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    plain.push_str(rest);
    plain
}

#[test]
fn links_are_numbered_and_their_targets_listed_after_the_page() {
    let e = env();
    write(
        &e.src,
        "docs/links.md",
        "# Links\n\n## About [the start](index.md)\n\nSee [the guide](02-iaas/guide.md#guide) or <https://example.org/x>, \
         then [the start](index.md).\n\n| where | what |\n|---|---|\n| [rb](../runbooks/restart.md) | x |\n\n\
         [hostile](http://e.x/&#27;]0;title&#7;)\n",
    );
    let out = e
        .ken()
        .args(["show", "docs/links.md", "--width", "60"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("See the guide[1] or https://example.org/x,"),
        "{s}"
    );
    assert!(s.contains("start[2]"), "{s}");
    assert!(s.contains("rb[3]"), "{s}");
    assert!(
        s.contains("About the start\n"),
        "no number in a heading: {s}"
    );
    let (_, list) = s.rsplit_once("\nReferences\n").expect("a list of links");
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        [
            "[1] 02-iaas/guide.md#guide",
            "[2] index.md",
            "[3] ../runbooks/restart.md",
            "[4] http://e.x/␛]0;title␇",
        ],
        "a bare URL is not numbered: it shows its target already"
    );
    assert!(!s.contains('\x1b') && !s.contains('\x07'));
}
