//! Offline bundles: node A syncs over `git daemon` and writes bundles; node B, offline and
//! with the daemon stopped, imports them and must list and search exactly what A does. Every
//! bad bundle is refused with one line and leaves B's data dir byte for byte as it was.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{GitDaemon, Ken, Repo, git, run, wait_until};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Prose that does not compress away, so that a full bundle is clearly bigger than an
/// incremental one.
fn prose(seed: u64, words: usize) -> String {
    const WORDS: [&str; 16] = [
        "keystone", "fernet", "rotate", "nova", "cinder", "volume", "node", "drain", "cluster",
        "upgrade", "network", "policy", "token", "backup", "restore", "monitor",
    ];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    for i in 0..words {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(WORDS[(x >> 60) as usize]);
        out.push_str(&format!("{}", (x >> 40) % 997));
        out.push(if i % 12 == 11 { '\n' } else { ' ' });
    }
    out
}

/// Two upstream repositories under `base/org`, served by a daemon.
struct Upstream {
    _tmp: tempfile::TempDir,
    docs: Repo,
    runbooks: Repo,
    daemon: GitDaemon,
    /// Where the bundles are written.
    out: PathBuf,
}

impl Upstream {
    fn new() -> Upstream {
        let tmp = tempfile::tempdir().unwrap();
        let org = tmp.path().join("srv/org");
        let docs = Repo::init(&org, "docs");
        docs.write(
            "index.md",
            "# Operations\n\nStart here: fernet keys, nova.\n",
        )
        .write(
            "iaas/keystone.md",
            "---\ntitle: Rotating fernet keys\n---\n# Keystone\n\nRotate the fernet keys weekly.\n",
        )
        .write("iaas/nova.md", "# Nova\n\nDrain a compute node first.\n")
        .write("old.md", "# Old page\n\nTo be removed.\n")
        .write("moved.md", format!("# Moved page\n\n{}", prose(7, 400)));
        for i in 0..30 {
            docs.write(
                &format!("archive/{i:02}.md"),
                format!("# Archive {i}\n\n{}", prose(i, 1500)),
            );
        }
        docs.commit("first");
        docs.write(
            "iaas/nova.md",
            "# Nova\n\nDrain a compute node first, then live-migrate.\n",
        );
        docs.commit("second");
        let runbooks = Repo::init(&org, "runbooks");
        runbooks.write(
            "restart.md",
            "# Restart a node\n\nDrain, reboot, check monitor.\n",
        );
        runbooks.commit("one");
        let daemon = GitDaemon::start(&tmp.path().join("srv"));
        let out = tmp.path().join("bundles");
        std::fs::create_dir_all(&out).unwrap();
        Upstream {
            _tmp: tmp,
            docs,
            runbooks,
            daemon,
            out,
        }
    }

    fn config(&self) -> String {
        format!(
            "[[source]]\nname = \"docs\"\nurl = \"{}\"\n\n[[source]]\nname = \"runbooks\"\nurl = \"{}\"\n",
            self.daemon.url("org/docs"),
            self.daemon.url("org/runbooks")
        )
    }

    fn node(&self) -> Ken {
        let k = Ken::new();
        k.config(&self.config());
        k
    }

    fn bundle(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }
}

fn ok(ken: &Ken, args: &[&str]) -> String {
    let r = run(ken.cmd(args));
    assert_eq!(r.code, 0, "ken {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A search's hits without their scores, in a fixed order (by page and section): every
/// section found, its snippet and highlights. BM25 counts the documents of each index
/// segment, deleted ones included until tantivy merges them in the background, so two nodes
/// that indexed the same pages in the same steps can differ in the scores (when one merged
/// and the other not yet), and so in the order of sections that score alike; and the order
/// of equal scores is not defined at all. What two nodes must agree on is what is found.
pub(crate) fn sorted_hits(v: &mut Value) {
    let hits = v.as_array_mut().unwrap();
    for hit in hits.iter_mut() {
        hit.as_object_mut().unwrap().remove("score");
    }
    hits.sort_by_key(|h| h.to_string());
}

/// A search's hits as [`sorted_hits`] leaves them.
fn hits(ken: &Ken, q: &str) -> Value {
    let r = run(ken.cmd(&["--offline", "search", "--json", q]));
    assert!(r.code <= 1, "search {q}: {}", r.stderr);
    let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
    sorted_hits(&mut v);
    v
}

/// What a person (or a script) sees of a node: its documents and some searches.
fn knowledge(ken: &Ken) -> (Value, Vec<Value>) {
    let list: Value = serde_json::from_str(&ok(ken, &["--offline", "list", "--json"])).unwrap();
    let searches = [
        "fernet keys",
        "drain",
        "live-migrate",
        "restart",
        "daily",
        "moved",
    ]
    .iter()
    .map(|q| hits(ken, q))
    .collect();
    (list, searches)
}

/// Every file and folder under `dir`: its kind, size, modification time and (for files) the
/// sha256 of its content.
fn listing(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mtime = meta
                .modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            let v = if meta.is_dir() {
                stack.push(path);
                format!("dir {mtime}")
            } else {
                let sum = Sha256::digest(std::fs::read(&path).unwrap());
                format!("file {} {mtime} {sum:x}", meta.len())
            };
            out.insert(rel, v);
        }
    }
    let meta = std::fs::metadata(dir).unwrap();
    out.insert(".".into(), format!("dir {:?}", meta.modified().unwrap()));
    out
}

/// Asserts that importing `bundle` into `ken` is refused with one line containing `want`,
/// and that the data dir is exactly as it was.
fn refused(ken: &Ken, bundle: &Path, want: &str) -> String {
    let before = listing(&ken.data_dir());
    let r = run(ken.cmd(&["--offline", "bundle", "import", p(bundle)]));
    assert_eq!(r.code, 1, "accepted: {}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let prefix = format!("ken: {}: ", bundle.display());
    assert!(r.stderr.starts_with(&prefix), "{}", r.stderr);
    assert!(r.stderr.contains(want), "wanted {want:?} in: {}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "raw escape in: {:?}",
        r.stderr
    );
    assert_eq!(listing(&ken.data_dir()), before, "the data dir changed");
    r.stderr
}

fn manifest(ken: &Ken, bundle: &Path) -> Value {
    let v: Value =
        serde_json::from_str(&ok(ken, &["bundle", "inspect", "--json", p(bundle)])).unwrap();
    assert_eq!(v["verified"], true);
    v["manifest"].clone()
}

/// A, synced, with a full bundle written; B with that bundle imported.
struct Nodes {
    up: Upstream,
    a: Ken,
    b: Ken,
    full: PathBuf,
}

fn two_nodes() -> Nodes {
    let mut up = Upstream::new();
    let a = up.node();
    ok(&a, &["sync"]);
    let full = up.bundle("full.kenbundle");
    ok(&a, &["bundle", "create", p(&full)]);
    // B never reaches the daemon: it is stopped, and B is offline besides.
    up.daemon.stop();
    let b = up.node();
    let out = ok(&b, &["--offline", "bundle", "import", p(&full)]);
    assert!(out.contains("docs: imported at "), "{out}");
    up.daemon.restart();
    Nodes { up, a, b, full }
}

/// Upstream moves: a page edited, one added, one deleted, one renamed; A syncs and writes an
/// incremental bundle.
fn move_upstream(n: &Nodes) -> PathBuf {
    let docs = &n.up.docs;
    docs.write(
        "iaas/keystone.md",
        "---\ntitle: Rotating fernet keys\n---\n# Keystone\n\nRotate the fernet keys daily now.\n",
    )
    .write(
        "iaas/cinder.md",
        "# Cinder\n\nBack up each volume before an upgrade.\n",
    );
    docs.remove("old.md");
    docs.git(&["mv", "moved.md", "iaas/moved.md"]);
    docs.commit("third");
    ok(&n.a, &["sync"]);
    let incr = n.up.bundle("incr.kenbundle");
    ok(&n.a, &["bundle", "create", p(&incr), "--since", p(&n.full)]);
    incr
}

#[test]
fn an_offline_node_imports_what_another_synced_full_then_incremental() {
    let mut n = two_nodes();
    assert_eq!(knowledge(&n.b), knowledge(&n.a));
    let status = ok(&n.b, &["status"]);
    assert!(
        status.contains(&format!(
            "from bundle {}, created just now (",
            n.full.display()
        )),
        "{status}"
    );
    let st: Value = serde_json::from_str(&ok(&n.b, &["status", "--json"])).unwrap();
    assert_eq!(st["sources"][0]["from_bundle"]["file"], p(&n.full));
    assert_eq!(st["sources"][0]["commit"], n.up.docs.head());

    let incr = move_upstream(&n);
    let full_size = std::fs::metadata(&n.full).unwrap().len();
    let incr_size = std::fs::metadata(&incr).unwrap().len();
    assert!(
        incr_size * 10 < full_size,
        "incremental {incr_size} bytes, full {full_size}"
    );
    let m = manifest(&n.a, &incr);
    assert_eq!(m["since"]["kind"], "bundle");
    assert_eq!(m["since"]["file"], "full.kenbundle");
    let docs = &m["repositories"][0];
    assert_eq!(docs["name"], "docs");
    assert_eq!(docs["tip"], n.up.docs.head());
    assert_eq!(
        docs["prerequisites"],
        serde_json::json!([n.up.docs.git(&["rev-parse", "HEAD~1"]).trim()])
    );
    // Nothing new in runbooks: no part, and its tip is what the node must have.
    let rb = &m["repositories"][1];
    assert_eq!(rb["part"], Value::Null);
    assert_eq!(
        rb["prerequisites"],
        serde_json::json!([n.up.runbooks.head()])
    );

    n.up.daemon.stop();
    let out = ok(&n.b, &["--offline", "bundle", "import", p(&incr)]);
    assert!(
        out.contains("from the bundle: 1 added, 1 modified, 1 deleted, 1 renamed;"),
        "{out}"
    );
    assert!(out.contains("runbooks: up to date at "), "{out}");
    assert_eq!(knowledge(&n.b), knowledge(&n.a));
    let status = ok(&n.b, &["status"]);
    assert!(
        status.contains(&format!("from bundle {}", incr.display())),
        "{status}"
    );

    // Importing it again changes nothing and writes nothing.
    let before = listing(&n.b.data_dir());
    let out = ok(&n.b, &["--offline", "bundle", "import", p(&incr)]);
    assert!(out.contains("docs: up to date at "), "{out}");
    assert_eq!(listing(&n.b.data_dir()), before);

    // A sync from the network afterwards is an ordinary sync: the bundle is forgotten.
    n.up.daemon.restart();
    ok(&n.b, &["sync"]);
    let status = ok(&n.b, &["status"]);
    assert!(!status.contains("from bundle"), "{status}");
}

#[test]
fn sync_from_a_bundle_reports_as_sync_does() {
    let n = two_nodes();
    let c = n.up.node();
    let v: Value = serde_json::from_str(&ok(
        &c,
        &["--offline", "sync", "--from", p(&n.full), "--json"],
    ))
    .unwrap();
    assert_eq!(v[0]["name"], "docs");
    assert_eq!(v[0]["action"], "cloned");
    assert_eq!(v[0]["new"], n.up.docs.head());
    assert_eq!(v[1]["name"], "runbooks");
    assert_eq!(knowledge(&c), knowledge(&n.a));
}

/// Extracts a bundle with the system's tar, as an operator without ken would.
fn untar(bundle: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let st = Command::new("tar")
        .arg("xf")
        .arg(bundle)
        .arg("-C")
        .arg(dir)
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn every_part_is_a_git_bundle_git_verifies_and_clones() {
    let n = two_nodes();
    let incr = move_upstream(&n);
    let tmp = tempfile::tempdir().unwrap();
    let full_dir = tmp.path().join("full");
    let incr_dir = tmp.path().join("incr");
    untar(&n.full, &full_dir);
    untar(&incr, &incr_dir);
    let m = manifest(&n.a, &n.full);
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    git(&empty, &["init", "-q"]);
    for (i, r) in m["repositories"].as_array().unwrap().iter().enumerate() {
        let part = full_dir.join(r["part"].as_str().unwrap());
        let text = std::fs::read(&part).unwrap();
        assert!(text.starts_with(b"# v2 git bundle\n"));
        assert_eq!(
            format!("{:x}", Sha256::digest(&text)),
            r["sha256"].as_str().unwrap()
        );
        git(&empty, &["bundle", "verify", "-q", p(&part)]);
        let clone = tmp.path().join(format!("clone{i}"));
        git(tmp.path(), &["clone", "-q", p(&part), p(&clone)]);
        assert_eq!(git(&clone, &["rev-parse", "HEAD"]).trim(), r["tip"]);
        assert_eq!(
            git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
            "main"
        );
    }
    assert!(full_dir.join("../clone0/iaas/keystone.md").is_file());

    // The incremental part needs the clone's history, and brings the new tip.
    let part = incr_dir.join("parts/0.bundle");
    let clone = tmp.path().join("clone0");
    let r = Command::new("git")
        .args(["bundle", "verify", "-q"])
        .arg(&part)
        .current_dir(&empty)
        .output()
        .unwrap();
    assert!(
        !r.status.success(),
        "an empty repository lacks the prerequisite"
    );
    git(&clone, &["bundle", "verify", "-q", p(&part)]);
    git(
        &clone,
        &["fetch", "-q", p(&part), "main:refs/remotes/bundle/main"],
    );
    assert_eq!(
        git(&clone, &["rev-parse", "refs/remotes/bundle/main"]).trim(),
        n.up.docs.head()
    );

    // A full bundle of a mirror that was fetched into twice: its pack is built by libgit2's
    // PackBuilder (a mirror of one pack is written as that pack), and is as good.
    let again = n.up.bundle("again.kenbundle");
    ok(&n.a, &["bundle", "create", p(&again)]);
    let again_dir = tmp.path().join("again");
    untar(&again, &again_dir);
    let part = again_dir.join("parts/0.bundle");
    git(&empty, &["bundle", "verify", "-q", p(&part)]);
    let clone = tmp.path().join("clone-again");
    git(tmp.path(), &["clone", "-q", p(&part), p(&clone)]);
    assert_eq!(git(&clone, &["rev-parse", "HEAD"]).trim(), n.up.docs.head());
    let c = n.up.node();
    ok(&c, &["--offline", "bundle", "import", p(&again)]);
    assert_eq!(knowledge(&c), knowledge(&n.a));
}

#[test]
fn a_truncated_bundle_is_refused_and_changes_nothing() {
    let n = two_nodes();
    let bytes = std::fs::read(&n.full).unwrap();
    let len = bytes.len();
    let cut = n.up.bundle("cut.kenbundle");
    for at in [
        0,
        100,
        511,
        512,
        1024,
        len / 2,
        len - 1536,
        len - 1024,
        len - 512,
        len - 1,
    ] {
        std::fs::write(&cut, &bytes[..at]).unwrap();
        let want = if at == 0 {
            "not a ken bundle"
        } else {
            "truncated"
        };
        refused(&n.b, &cut, want);
    }
}

/// Where each entry's header and content are in a bundle.
fn layout(bundle: &Path) -> Vec<(String, u64, u64, u64)> {
    let mut a = tar::Archive::new(std::fs::File::open(bundle).unwrap());
    a.entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            (
                name,
                e.raw_header_position(),
                e.raw_file_position(),
                e.size(),
            )
        })
        .collect()
}

#[test]
fn one_flipped_byte_anywhere_is_refused_and_changes_nothing() {
    let n = two_nodes();
    let bytes = std::fs::read(&n.full).unwrap();
    let l = layout(&n.full);
    assert_eq!(l[0].0, "manifest.json");
    assert_eq!(l[1].0, "parts/0.bundle");
    assert_eq!(l.last().unwrap().0, "checksum");
    let (_, _, m_at, m_len) = l[0];
    let (_, p_head, p_at, p_len) = l[1];
    let (_, c_head, c_at, _) = *l.last().unwrap();
    let offsets = [
        0,                        // the manifest's name
        150,                      // the manifest header's checksum field
        155,                      // the NUL after that checksum
        m_at + 20,                // the manifest's JSON
        m_at + m_len,             // the manifest's padding
        p_head + 124,             // the part's size field
        p_at + 5,                 // the part's git bundle signature
        p_at + 60,                // a ref line
        p_at + p_len / 2,         // the pack
        p_at + p_len - 1,         // the pack's checksum
        c_head + 1,               // the checksum entry's name
        c_head + 155,             // its header checksum's NUL
        c_at + 3,                 // the checksum itself
        c_at + 70,                // its padding
        bytes.len() as u64 - 700, // the end-of-archive blocks
        bytes.len() as u64 - 1,
    ];
    let bad = n.up.bundle("flipped.kenbundle");
    for at in offsets {
        let mut b = bytes.clone();
        b[at as usize] ^= 0x20;
        std::fs::write(&bad, &b).unwrap();
        let line = refused(&n.b, &bad, "");
        assert!(
            [
                "damaged",
                "truncated",
                "not a ken bundle",
                "bad manifest",
                "refused"
            ]
            .iter()
            .any(|w| line.contains(w)),
            "offset {at}: {line}"
        );
    }
}

/// The full bundle unpacked, for making bad ones from it.
fn parts_of(n: &Nodes, dir: &Path) -> (ken::bundle::Manifest, Vec<(String, PathBuf)>) {
    ken::bundle::unpack(&n.full, dir).unwrap()
}

#[test]
fn hostile_names_refs_and_versions_are_refused_and_change_nothing() {
    let n = two_nodes();
    let tmp = tempfile::tempdir().unwrap();
    let (m, parts) = parts_of(&n, tmp.path());
    let bad = n.up.bundle("bad.kenbundle");
    let with = |f: &dyn Fn(&mut ken::bundle::Manifest)| {
        let mut m = m.clone();
        f(&mut m);
        ken::bundle::pack(&bad, &m, &parts).unwrap();
    };

    for name in [
        "../../etc",
        "a/b",
        ".git",
        "",
        "x\u{1b}]0;owned\u{7}",
        "-rf",
        "docs\n",
    ] {
        with(&|m| m.repositories[0].name = name.to_string());
        refused(&n.b, &bad, "repository name");
    }
    for branch in [
        "../main",
        "main/../../x",
        "/etc/passwd",
        "-main",
        "a b",
        "HEAD.lock",
    ] {
        with(&|m| m.repositories[0].branch = branch.to_string());
        refused(&n.b, &bad, "not a sane branch name");
    }
    with(&|m| m.version = 2);
    refused(
        &n.b,
        &bad,
        "bundle format version 2; this ken reads version 1",
    );
    with(&|m| m.format = "zip".into());
    refused(&n.b, &bad, "not a ken bundle");
    with(&|m| m.repositories[0].part = Some("../../state.json".into()));
    refused(&n.b, &bad, "part");
    // A site's repositories name their site, which must be an earlier site entry.
    with(&|m| m.repositories[1].site = Some("docs".into()));
    refused(&n.b, &bad, "site \"docs\" is no site before it");
    with(&|m| m.repositories[0].site_manifest = Some("../../etc/passwd".into()));
    refused(&n.b, &bad, "site_manifest \"../../etc/passwd\" refused");

    // A part whose own header names a ref that climbs out of refs/heads.
    let part = &parts[0].1;
    let text = std::fs::read(part).unwrap();
    let at = text
        .windows(16)
        .position(|w| w == b"refs/heads/main\n")
        .unwrap();
    let mut evil = text[..at].to_vec();
    evil.extend_from_slice(b"refs/heads/../x\n");
    evil.extend_from_slice(&text[at + 16..]);
    let evil_part = tmp.path().join("evil.bundle");
    std::fs::write(&evil_part, &evil).unwrap();
    let mut evil_parts = parts.clone();
    evil_parts[0].1 = evil_part;
    ken::bundle::pack(&bad, &m, &evil_parts).unwrap();
    refused(&n.b, &bad, "ref \"refs/heads/../x\" refused");
}

#[test]
fn a_manifest_naming_a_repository_the_bundle_lacks_is_refused() {
    let n = two_nodes();
    let tmp = tempfile::tempdir().unwrap();
    let (m, parts) = parts_of(&n, tmp.path());
    let mut ghost = m.repositories[0].clone();
    ghost.name = "ghost".into();
    ghost.url = "git://nowhere.invalid/ghost".into();
    ghost.part = Some("parts/9.bundle".into());
    ghost.sha256 = "0".repeat(64);
    let mut m2 = m.clone();
    m2.repositories.push(ghost);
    let bad = n.up.bundle("ghost.kenbundle");
    ken::bundle::pack(&bad, &m2, &parts).unwrap();
    refused(
        &n.b,
        &bad,
        "the manifest names repository \"ghost\" in parts/9.bundle, which the bundle does not hold",
    );
}

#[test]
fn an_incremental_bundle_without_its_base_names_the_missing_commit() {
    let n = two_nodes();
    let incr = move_upstream(&n);
    let base_commit = n.up.docs.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let c = n.up.node();
    // A node that never had the full bundle: its data dir does not even exist yet.
    std::fs::create_dir_all(c.data_dir()).unwrap();
    refused(
        &c,
        &incr,
        &format!("repository \"docs\" needs commit {base_commit}, which this node does not have"),
    );
    // B has it, and A's second sync moved only docs.
    ok(&n.b, &["--offline", "bundle", "import", p(&incr)]);
}

#[test]
fn a_bundle_since_a_date_takes_the_branch_as_it_stood_then() {
    let n = two_nodes();
    let old = n.up.bundle("old.kenbundle");
    ok(
        &n.a,
        &["bundle", "create", p(&old), "--since", "2000-01-01"],
    );
    let m = manifest(&n.a, &old);
    assert_eq!(m["since"]["kind"], "date");
    assert_eq!(m["repositories"][0]["prerequisites"], serde_json::json!([]));
    let later = n.up.bundle("later.kenbundle");
    ok(
        &n.a,
        &["bundle", "create", p(&later), "--since", "2100-01-01"],
    );
    let m = manifest(&n.a, &later);
    assert_eq!(m["repositories"][0]["part"], Value::Null);
    let r = run(n
        .a
        .cmd(&["bundle", "create", p(&later), "--since", "last tuesday"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("neither a bundle file nor a date"),
        "{}",
        r.stderr
    );
}

/// Holds `data_dir/sync.lock` as another ken would, until dropped.
fn hold_lock(data_dir: &Path) -> std::fs::File {
    let f = std::fs::File::options()
        .write(true)
        .open(data_dir.join("sync.lock"))
        .unwrap();
    f.lock().unwrap();
    f
}

#[test]
fn two_imports_at_once_one_waits_and_both_succeed() {
    let n = two_nodes();
    let incr = move_upstream(&n);
    let before = listing(&n.b.data_dir());
    let lock = hold_lock(&n.b.data_dir());
    let mut children = Vec::new();
    for _ in 0..2 {
        let mut c = n.b.std_cmd(&["--offline", "bundle", "import", p(&incr)]);
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        children.push((child, rx));
    }
    // Both verify the bundle, then wait for the lock without writing anything.
    for (_, rx) in &children {
        let mut seen = Vec::new();
        let waited = wait_until(Duration::from_secs(60), || {
            seen.extend(rx.try_iter());
            seen.iter()
                .any(|l| l.contains("waiting for another ken to finish with"))
        });
        assert!(waited, "no wait reported: {seen:?}");
    }
    assert_eq!(listing(&n.b.data_dir()), before);
    drop(lock);
    let mut outs = Vec::new();
    for (child, _) in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        outs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let moved = outs
        .iter()
        .filter(|o| o.contains("from the bundle: 1 added"))
        .count();
    let same = outs
        .iter()
        .filter(|o| o.contains("docs: up to date at "))
        .count();
    assert_eq!((moved, same), (1, 1), "{outs:?}");
    assert_eq!(knowledge(&n.b), knowledge(&n.a));
}

#[test]
fn an_import_killed_midway_leaves_the_node_as_it_was_and_can_be_redone() {
    let n = two_nodes();
    let incr = move_upstream(&n);
    let seen = knowledge(&n.b);
    let status = ok(&n.b, &["--offline", "list"]);
    for point in ["bundle-staged", "bundle-moved"] {
        let mut c = n.b.cmd(&["--offline", "bundle", "import", p(&incr)]);
        c.env("KEN_FAULT", point);
        let r = run(c);
        assert_eq!(r.code, -1, "{point}: not killed: {}{}", r.stdout, r.stderr);
        assert_eq!(knowledge(&n.b), seen, "{point}");
        assert_eq!(ok(&n.b, &["--offline", "list"]), status);
    }
    ok(&n.b, &["--offline", "bundle", "import", p(&incr)]);
    assert_eq!(knowledge(&n.b), knowledge(&n.a));
    let left: Vec<_> = std::fs::read_dir(n.b.data_dir().join("mirrors"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_bundle_of_sources_this_node_lacks_is_refused_with_their_urls() {
    let n = two_nodes();
    let other = Ken::new();
    other.config("[[source]]\nname = \"x\"\nurl = \"git://127.0.0.1:1/x\"\n");
    std::fs::create_dir_all(other.data_dir()).unwrap();
    let before = listing(&other.data_dir());
    let r = run(other.cmd(&["--offline", "bundle", "import", p(&n.full)]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("none of its repositories is a source of this node"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&n.up.daemon.url("org/docs")),
        "{}",
        r.stderr
    );
    assert_eq!(listing(&other.data_dir()), before);
}

/// `org/docs`, a site whose `docs.package.json` names `org/guides` and `org/notes`.
fn site_upstream(base: &Path) -> (Repo, Repo, Repo) {
    let org = base.join("org");
    let docs = Repo::init(&org, "docs");
    docs.write("docs/intro.md", "# Intro\n\nWelcome to the fleet.\n")
        .write(
            "docs.package.json",
            r#"[
  {"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""},
  {"repo": "org/notes", "source": ["*.md"], "target": "docs/releases", "label": "all"}
]"#,
        );
    docs.commit("site");
    let guides = Repo::init(&org, "guides");
    guides
        .write("docs/install.md", "# Installing\n\nRun the installer.\n")
        .write("docs/deep/tuning.md", "# Tuning\n\nTune the scheduler.\n");
    guides.commit("guides");
    let notes = Repo::init(&org, "notes");
    notes.write("r1.md", "# Release 1\n\nFirst release.\n");
    notes.commit("notes");
    (docs, guides, notes)
}

fn site_view(ken: &Ken) -> (Value, Vec<Value>) {
    let list: Value = serde_json::from_str(&ok(ken, &["--offline", "list", "--json"])).unwrap();
    let searches = ["installer", "scheduler", "release", "fleet"]
        .iter()
        .map(|q| hits(ken, q))
        .collect();
    (list, searches)
}

#[test]
fn a_site_travels_with_every_repository_its_manifest_names() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, guides, notes) = site_upstream(tmp.path());
    let mut daemon = GitDaemon::start(tmp.path());
    let config = format!(
        "[[source]]\nname = \"kb\"\nurl = \"{}\"\n",
        daemon.url("org/docs")
    );
    let a = Ken::new();
    a.config(&config);
    ok(&a, &["sync"]);
    let full = tmp.path().join("site.kenbundle");
    ok(&a, &["bundle", "create", p(&full)]);
    let m = manifest(&a, &full);
    let repos = m["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 3, "{m}");
    assert_eq!(repos[0]["site_manifest"], "docs.package.json");
    assert_eq!(repos[1]["site"], "kb");
    assert_eq!(repos[1]["repo"], "org/guides");
    assert_eq!(repos[1]["url"], daemon.url("org/guides"));
    assert_eq!(repos[2]["repo"], "org/notes");

    daemon.stop();
    let b = Ken::new();
    b.config(&config);
    let out = ok(&b, &["--offline", "bundle", "import", p(&full)]);
    assert!(out.contains("kb: imported at "), "{out}");
    assert!(out.contains("2 repositories: 2 cloned"), "{out}");
    assert_eq!(site_view(&b), site_view(&a));
    let list = site_view(&b).0;
    let paths: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"docs/guides/docs/deep/tuning.md"),
        "{paths:?}"
    );
    assert!(paths.contains(&"docs/releases/all/r1.md"), "{paths:?}");
    let st: Value = serde_json::from_str(&ok(&b, &["status", "--json"])).unwrap();
    let site = &st["sources"][0]["site"]["repos"];
    assert_eq!(site[0]["commit"], guides.head());
    assert_eq!(site[1]["commit"], notes.head());

    // The components move, the site's own repository does not.
    daemon.restart();
    guides.write(
        "docs/install.md",
        "# Installing\n\nRun the installer twice.\n",
    );
    guides.commit("edit");
    notes.write("r2.md", "# Release 2\n\nSecond release.\n");
    notes.commit("r2");
    ok(&a, &["sync"]);
    let incr = tmp.path().join("incr.kenbundle");
    ok(&a, &["bundle", "create", p(&incr), "--since", p(&full)]);
    let m = manifest(&a, &incr);
    let repos = m["repositories"].as_array().unwrap();
    assert_eq!(repos[0]["part"], Value::Null);
    assert!(
        repos[1]["part"].is_string() && repos[2]["part"].is_string(),
        "{m}"
    );
    assert_eq!(
        repos[2]["prerequisites"],
        serde_json::json!([notes.git(&["rev-parse", "HEAD~1"]).trim()])
    );

    daemon.stop();
    let out = ok(&b, &["--offline", "bundle", "import", p(&incr)]);
    assert!(
        out.contains("from the bundle: 1 added, 1 modified, 0 deleted, 0 renamed"),
        "{out}"
    );
    assert!(out.contains("2 repositories: 2 updated"), "{out}");
    assert_eq!(site_view(&b), site_view(&a));
}
