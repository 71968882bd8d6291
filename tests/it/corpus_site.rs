//! The whole SCS site laid out by `ken::site` from real repositories, compared with the
//! files the real site build produced (`../shared/corpus/scs`, see its SOURCES.md).
//!
//! The docs repository (`KEN_SCS_BUNDLE`) and the 18 repositories its `docs.package.json`
//! names (the bundles in `KEN_SCS_SITE`, by default the `site/` folder next to the docs
//! bundle) are cloned; their trees are listed with `git ls-tree` (not with ken's code); the
//! manifest is read from the docs repository and resolved against a `git://` URL of the
//! site; the layout is compared, file by file and by content (git blob ids), with the
//! corpus. The bundles' commits are replays (holding only the folders the site takes), so
//! their ids differ from those SOURCES.md names (the docs bundle's HEAD says
//! `Replayed-from: SovereignCloudStack/docs@6317d73…`, the commit of the corpus); what is
//! compared is content, which is the same. Ignored in the plain `cargo test`; `.ci/run` runs it and it fails if anything is
//! missing.
//!
//! ```sh
//! KEN_SCS_BUNDLE=../shared/corpus/scs-docs.bundle KEN_SCS_CORPUS=../shared/corpus/scs \
//!     cargo test --test it corpus_site -- --ignored --nocapture
//! ```

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ken::site::{self, Kind, Plan, TreeEntry};

use common::git;

pub(crate) fn docs_bundle() -> PathBuf {
    let p = std::env::var_os("KEN_SCS_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/scs-docs.bundle")
        });
    assert!(
        p.is_file(),
        "{}: the SCS docs bundle is missing (set KEN_SCS_BUNDLE)",
        p.display()
    );
    p
}

pub(crate) fn site_bundles(docs_bundle: &Path) -> PathBuf {
    let p = std::env::var_os("KEN_SCS_SITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| docs_bundle.with_file_name("site"));
    assert!(
        p.join("standards.bundle").is_file(),
        "{}: the bundles of the site's repositories are missing (set KEN_SCS_SITE)",
        p.display()
    );
    p
}

/// A tree as `git ls-tree -r` lists it: path → (kind, blob id). Submodules are skipped.
fn ls_tree(repo: &Path) -> BTreeMap<String, (Kind, String)> {
    let out = git(repo, &["ls-tree", "-r", "-z", "HEAD"]);
    let mut tree = BTreeMap::new();
    for rec in out.split('\0').filter(|r| !r.is_empty()) {
        let (meta, path) = rec.split_once('\t').expect("ls-tree: meta TAB path");
        let mut f = meta.split(' ');
        let (mode, _type, oid) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let kind = match mode {
            "120000" => Kind::Symlink,
            "160000" => continue,
            _ => Kind::File,
        };
        tree.insert(path.to_string(), (kind, oid.to_string()));
    }
    tree
}

fn entries(tree: &BTreeMap<String, (Kind, String)>) -> Vec<TreeEntry> {
    tree.iter()
        .map(|(p, (k, _))| TreeEntry {
            path: p.clone(),
            kind: *k,
        })
        .collect()
}

/// Every file of the corpus, `/`-separated.
fn corpus_files(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

/// The corpus kept only text files (SOURCES.md): md, mdx, json/jsonc, js, yaml/yml.
fn corpus_kind(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    matches!(ext, "md" | "mdx" | "json" | "jsonc" | "js" | "yaml" | "yml")
}

/// What the corpus took from the docs repository itself (SOURCES.md, first row).
fn corpus_took_from_docs(path: &str) -> bool {
    const FOLDERS: [&str; 6] = [
        "blog/",
        "community/",
        "contributor-docs/",
        "docs/",
        "standards/",
        "user-docs/",
    ];
    const ROOT: [&str; 5] = [
        "docusaurus.config.js",
        "docs.package.json",
        ".markdownlint-cli2.jsonc",
        "mlc_config.json",
        "README.md",
    ];
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    (FOLDERS.iter().any(|f| path.starts_with(f)) && matches!(ext, "md" | "mdx" | "yaml" | "yml"))
        || (!path.contains('/') && path.starts_with("sidebars") && ext == "js")
        || ROOT.contains(&path)
}

/// Written by `populateStds.js` (SOURCES.md, last row) or by whoever built the corpus: not
/// the business of the layout.
fn generated(path: &str) -> bool {
    const TRACKS: [&str; 6] = ["global", "iaas", "kaas", "iam", "ops", "scopes"];
    path == "SOURCES.md"
        || path == "sidebarsStandardsItems.js"
        || path == "standards/standards/overview.mdx"
        || TRACKS
            .iter()
            .any(|t| path.starts_with(&format!("standards/{t}/")))
}

#[test]
#[ignore = "needs ../shared/corpus (scs-docs.bundle, site/, scs/); run by .ci/run"]
fn the_scs_site_laid_out_from_its_repositories_matches_the_real_build() {
    let tmp = tempfile::tempdir().unwrap();
    let docs_bundle = docs_bundle();
    let bundles = site_bundles(&docs_bundle);
    let corpus = common::scs_corpus();

    let clone = |bundle: &Path, name: &str| -> PathBuf {
        let dest = tmp.path().join(format!("{name}.git"));
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                "--bare",
                bundle.to_str().unwrap(),
                dest.to_str().unwrap(),
            ],
        );
        dest
    };
    let docs = clone(&docs_bundle, "docs");
    let docs_tree = ls_tree(&docs);
    let manifest = git(&docs, &["show", "HEAD:docs.package.json"]);
    let config = git(&docs, &["show", "HEAD:docusaurus.config.js"]);
    let folders = site::folders(Some(&config));
    assert_eq!(
        folders,
        [
            "blog",
            "community",
            "contributor-docs",
            "docs",
            "standards",
            "user-docs"
        ]
    );

    // The URL an internal mirror would serve the site at: nothing here is fetched.
    let site_url = "git://127.0.0.1:9418/SovereignCloudStack/docs";
    let plan = Plan::new("docs.package.json", &manifest, site_url, &folders).unwrap();
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    assert_eq!(plan.repos.len(), 18);

    let mut trees: HashMap<String, Vec<TreeEntry>> = HashMap::new();
    let mut blobs: HashMap<(String, String), String> = HashMap::new();
    for repo in &plan.repos {
        assert!(
            repo.url
                .starts_with("git://127.0.0.1:9418/SovereignCloudStack/"),
            "{}",
            repo.url
        );
        let name = repo.url.rsplit('/').next().unwrap();
        let bundle = bundles.join(format!("{name}.bundle"));
        assert!(bundle.is_file(), "{}: no bundle", bundle.display());
        let tree = ls_tree(&clone(&bundle, name));
        for (p, (_, oid)) in &tree {
            blobs.insert((repo.url.clone(), p.clone()), oid.clone());
        }
        trees.insert(repo.url.clone(), entries(&tree));
    }
    for (p, (_, oid)) in &docs_tree {
        blobs.insert((site_url.to_string(), p.clone()), oid.clone());
    }

    let layout = site::layout(&plan, &entries(&docs_tree), &trees);
    // Both are gaps of the bundles, not of the layout: the only Markdown file of
    // openstack-health-monitor's docs is non-commercial and was left out (SOURCES.md), and
    // the bundles hold text files only, so no images.
    assert_eq!(
        layout.notes,
        [
            "docs.package.json: entry 9 (SovereignCloudStack/openstack-health-monitor): `docs/*.md` matches nothing in the repository",
            "docs.package.json: entry 13 (SovereignCloudStack/security-infra-scan-pipeline): `docs/images/*.png` matches nothing in the repository",
        ]
    );

    // What the corpus can be compared with: its kinds of files, and of the docs
    // repository's own files the selection it took.
    let expected: BTreeMap<&String, &site::Origin> = layout
        .files
        .iter()
        .filter(|(at, o)| {
            corpus_kind(at) && (o.repo != site_url || corpus_took_from_docs(at)) && !generated(at)
        })
        .collect();
    let actual: BTreeSet<String> = corpus_files(&corpus)
        .into_iter()
        .filter(|p| !generated(p))
        .collect();

    let mut same = 0;
    let mut imported_same = 0;
    let mut differ = Vec::new();
    let mut missing = Vec::new();
    for (at, o) in &expected {
        if !actual.contains(*at) {
            missing.push(format!("{at} (from {} {})", o.repo, o.path));
            continue;
        }
        let want = &blobs[&(o.repo.clone(), o.path.clone())];
        let have = git2::Oid::hash_file(git2::ObjectType::Blob, corpus.join(at))
            .unwrap()
            .to_string();
        if &have == want {
            same += 1;
            if o.repo != site_url {
                imported_same += 1;
            }
        } else {
            differ.push(format!("{at} (from {} {})", o.repo, o.path));
        }
    }
    let extra: Vec<&String> = actual
        .iter()
        .filter(|p| !expected.contains_key(p))
        .collect();
    println!(
        "corpus_site: {} files laid out ({} comparable), corpus {} files (generated ones left out); \
         {same} identical ({imported_same} imported), {} differ, {} laid out but not in the corpus, \
         {} in the corpus but not laid out",
        layout.files.len(),
        expected.len(),
        actual.len(),
        differ.len(),
        missing.len(),
        extra.len()
    );
    for d in &differ {
        println!("differs: {d}");
    }
    for m in &missing {
        println!("not in the corpus: {m}");
    }
    for e in &extra {
        println!("not laid out: {e}");
    }
    assert!(
        differ.is_empty() && missing.is_empty() && extra.is_empty(),
        "the layout and the corpus disagree (see above)"
    );
}
