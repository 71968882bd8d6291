//! The catalogue (`src/catalog.rs`) through the real binary: `ken list` answers from what the
//! sync catalogued, without reading the mirror; a new commit is caught up; a local folder's
//! added pages are seen at once, an edit in place by `ken sync` (and then re-indexed alone).

use crate::common;

use std::path::Path;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

fn list(ken: &Ken, args: &[&str]) -> Vec<(String, String)> {
    let mut a = args.to_vec();
    a.extend(["--offline", "list", "--json"]);
    let r = run(ken.cmd(&a));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    v.as_array()
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn ken_list_answers_from_the_catalogue_the_sync_wrote_and_follows_new_commits() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path(), "kb");
    repo.write("a.md", "---\ntitle: Alpha\n---\nText.\n")
        .write("b.md", "# Beta\n")
        .write("gone.md", "# Gone soon\n");
    repo.commit("first");
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = pairs(&[
        ("a.md", "Alpha"),
        ("b.md", "Beta"),
        ("gone.md", "Gone soon"),
    ]);
    assert_eq!(list(&ken, &["--source", &src]), first);

    // With the mirror's objects gone, the list is still what the sync catalogued: ken list
    // read none of them.
    let objects = ken.data_dir().join("mirrors/kb.git/objects");
    let aside = ken.data_dir().join("objects-aside");
    std::fs::rename(&objects, &aside).unwrap();
    assert_eq!(list(&ken, &["--source", &src]), first);
    std::fs::rename(&aside, &objects).unwrap();

    // A new commit: a title changed, a page renamed, one deleted, one added.
    repo.write("a.md", "---\ntitle: Alpha two\n---\nText.\n");
    repo.git(&["mv", "b.md", "beta.md"]);
    repo.remove("gone.md");
    repo.write("new.md", "# New page\n");
    repo.commit("second");
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        list(&ken, &["--source", &src]),
        pairs(&[
            ("a.md", "Alpha two"),
            ("beta.md", "Beta"),
            ("new.md", "New page")
        ])
    );

    // A catalogue that cannot be read is made again from the mirror.
    std::fs::write(ken.data_dir().join("catalog/kb"), b"not a catalogue").unwrap();
    assert_eq!(
        list(&ken, &["--source", &src]),
        pairs(&[
            ("a.md", "Alpha two"),
            ("beta.md", "Beta"),
            ("new.md", "New page")
        ])
    );
}

/// Sets a file's or folder's modification time to an hour ago (times that recent checks
/// trust; a time within a second of a check is compared again next time).
fn age(path: &Path) {
    let ok = std::process::Command::new("touch")
        .args(["-h", "-m", "-d", "1 hour ago"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn age_all(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            age_all(&e.path());
        }
        age(&e.path());
    }
    age(dir);
}

/// A ken that has synced the folder `kb` (every file aged first, so none is "racy"), and the
/// `--source` argument naming it.
fn synced(kb: &Path) -> (Ken, String) {
    age_all(kb);
    let ken = Ken::new();
    let src = format!("kb={}", kb.display());
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    (ken, src)
}

fn search(ken: &Ken, src: &str, q: &str) -> Vec<String> {
    let r = run(ken.cmd(&["--source", src, "search", "--json", q]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or(Value::Array(vec![]));
    let mut paths: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn index_status(ken: &Ken, src: &str) -> Value {
    let r = run(ken.cmd(&["--source", src, "status", "--json"]));
    serde_json::from_str::<Value>(&r.stdout).unwrap()["index"].clone()
}

#[test]
fn a_local_folder_is_seen_as_it_is_without_every_file_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    std::fs::create_dir_all(kb.join("ops")).unwrap();
    std::fs::write(
        kb.join("ops/keys.md"),
        "# Keys\n\nRotate the fernet keys.\n",
    )
    .unwrap();
    std::fs::write(kb.join("intro.md"), "# Intro\n\nWelcome, operator.\n").unwrap();
    let (ken, src) = synced(&kb);
    assert_eq!(search(&ken, &src, "fernet"), ["ops/keys.md"]);

    // A page added (its folder's time changes): the next search sees it, no sync needed, and
    // only that page is indexed.
    std::fs::write(
        kb.join("ops/backup.md"),
        "# Backup\n\nBack up the fernet keys too.\n",
    )
    .unwrap();
    assert_eq!(
        search(&ken, &src, "fernet"),
        ["ops/backup.md", "ops/keys.md"]
    );
    let ix = index_status(&ken, &src);
    assert_eq!(ix["last_update_full"], false, "{ix:#}");
    assert_eq!(ix["last_update_indexed"], 1, "{ix:#}");
    assert_eq!(ix["pages"], 3, "{ix:#}");

    // An edit written into a file in place, with its folder's time as it was: a command
    // that does not sync trusts the last full check for a while (FOLDER_TRUST_SECS), so the
    // next search still answers from the page as it was; `ken sync` compares every file and
    // sees it.
    age_all(&kb);
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(
        kb.join("intro.md"),
        "# Intro\n\nWelcome, operator. Mind the okapi.\n",
    )
    .unwrap();
    assert_eq!(search(&ken, &src, "okapi"), Vec::<String>::new());
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(search(&ken, &src, "okapi"), ["intro.md"]);
    let ix = index_status(&ken, &src);
    assert_eq!(ix["last_update_full"], false, "{ix:#}");
    assert_eq!(ix["last_update_indexed"], 1, "{ix:#}");

    // A page deleted: gone from the list and from search at once.
    std::fs::remove_file(kb.join("ops/backup.md")).unwrap();
    assert_eq!(search(&ken, &src, "fernet"), ["ops/keys.md"]);
    assert_eq!(
        list(&ken, &["--source", &src]),
        pairs(&[("intro.md", "Intro"), ("ops/keys.md", "Keys")])
    );
    assert_eq!(index_status(&ken, &src)["pages"], 2);
}

#[test]
fn a_folder_of_many_folders_sees_a_page_added_deep_down_at_once() {
    // Over 1,024 folders the cheap test looks at them on every core: a page added in the
    // last of 1,200 folders is still seen by the next search, and a page added nowhere
    // changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    for i in 0..1200 {
        std::fs::create_dir_all(kb.join(format!("team{}/run{i}", i % 40))).unwrap();
    }
    std::fs::write(kb.join("intro.md"), "# Intro\n\nWelcome, operator.\n").unwrap();
    let (ken, src) = synced(&kb);
    assert_eq!(search(&ken, &src, "okapi"), Vec::<String>::new());

    std::fs::write(
        kb.join("team39/run1199/okapi.md"),
        "# Okapi\n\nThe okapi runbook.\n",
    )
    .unwrap();
    assert_eq!(search(&ken, &src, "okapi"), ["team39/run1199/okapi.md"]);
    let ix = index_status(&ken, &src);
    assert_eq!(ix["last_update_indexed"], 1, "{ix:#}");
    assert_eq!(ix["pages"], 2, "{ix:#}");
}
