//! Index benchmarks (see docs/performance.md, "Index and search").
//!
//! `KEN_SCS_CORPUS=../shared/corpus/scs cargo bench --bench index` measures, on the SCS docs:
//! a full build, and queries with snippets (criterion, plus p50/p99 over many runs).
//! With `KEN_BENCH_40K=1` as well, it generates a 40,000-page corpus from the SCS pages under
//! varied paths (in `target/bench-corpus/`, kept between runs, also as a git repository for
//! the hyperfine comparisons), and measures a full build, an incremental update of 10 changed
//! pages, and queries on it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::index::{self, SearchIndex, SearchOptions};

const QUERIES: &[(&str, bool)] = &[
    ("keystone", false),
    ("domain manager setup", false),
    ("flav*", false),
    ("keystnoe", false),
    ("\"security groups\"", false),
    ("status:stable flavor", false),
    ("harbor back", true),
    ("kubernetes version policy", false),
    ("openstack -keystone", false),
    ("backup restore volume", false),
];

fn base(source: &str, data: &Path) -> Base {
    let inputs = Inputs {
        source_flags: vec![source.to_string()],
        env_data_dir: Some(data.to_path_buf()),
        env_config_dir: Some(data.join("config")),
        ..Default::default()
    };
    Base::open(Config::load(&inputs).expect("config"))
}

fn build(b: &Base) -> index::UpdateReport {
    index::update(b, &mut |_| {}, &mut |_| {}).expect("index builds")
}

fn run_queries(ix: &SearchIndex) {
    for (q, typing) in QUERIES {
        let opts = SearchOptions {
            as_you_type: *typing,
            ..SearchOptions::default()
        };
        let r = ix.search(q, &opts).expect("search");
        std::hint::black_box(r);
    }
}

/// p50 and p99 of single queries (top 10 pages with snippets), over `rounds` of the mix, in
/// all and per query.
fn percentiles(label: &str, ix: &SearchIndex, rounds: usize) {
    let mut all = Vec::new();
    let mut per: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    for _ in 0..rounds {
        for (i, (q, typing)) in QUERIES.iter().enumerate() {
            let opts = SearchOptions {
                as_you_type: *typing,
                ..SearchOptions::default()
            };
            let t = Instant::now();
            std::hint::black_box(ix.search(q, &opts).expect("search"));
            let d = t.elapsed();
            all.push(d);
            per[i].push(d);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() as f64 * p) as usize).min(v.len() - 1)]
    };
    println!(
        "{label}: {} queries, p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        ms(at(&mut all, 0.50)),
        ms(at(&mut all, 0.99)),
    );
    for (i, (q, typing)) in QUERIES.iter().enumerate() {
        println!(
            "  {:<28} p50 {:>6.2} ms  p99 {:>6.2} ms{}",
            q,
            ms(at(&mut per[i], 0.50)),
            ms(at(&mut per[i], 0.99)),
            if *typing { "  (as you type)" } else { "" }
        );
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.org")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.org")
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

fn markdown_files(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .expect("read corpus")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let ft = e.file_type().expect("file type");
        if ft.is_dir() {
            markdown_files(dir, &path, out);
        } else if ft.is_file() && (name.ends_with(".md") || name.ends_with(".mdx")) {
            out.push(path);
        }
    }
}

/// `target/bench-corpus/40k`: 40,000 SCS pages under `copyNNN/` folders, and `40k-git`, the
/// same as a git repository whose second commit changes 10 pages. Made once.
fn corpus_40k(scs: &Path) -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
    let dir = root.join("40k");
    let repo = root.join("40k-git");
    if repo.join(".ready").exists() {
        return (dir, repo);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&repo);
    let mut files = Vec::new();
    markdown_files(scs, "", &mut files);
    let mut n = 0;
    'outer: for copy in 0.. {
        for f in &files {
            if n == 40_000 {
                break 'outer;
            }
            for target in [&dir, &repo] {
                let to = target.join(format!("copy{copy:03}/{f}"));
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::copy(scs.join(f), &to).expect("copy");
            }
            n += 1;
        }
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "40k pages"]);
    git(&repo, &["tag", "before"]);
    for f in files.iter().take(10) {
        let p = repo.join(format!("copy000/{f}"));
        let mut text = std::fs::read_to_string(&p).expect("read");
        text.push_str("\n\n## Benchmark edit\n\nA changed paragraph about the okapi.\n");
        std::fs::write(&p, text).expect("write");
    }
    git(&repo, &["commit", "-q", "-am", "10 pages changed"]);
    git(&repo, &["tag", "after"]);
    std::fs::write(repo.join(".ready"), "").expect("marker");
    (dir, repo)
}

fn rev(repo: &Path, name: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", name])
        .current_dir(repo)
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn benches(c: &mut Criterion) {
    let Some(scs) = std::env::var_os("KEN_SCS_CORPUS").map(PathBuf::from) else {
        eprintln!("KEN_SCS_CORPUS is not set: nothing to benchmark");
        return;
    };
    let source = format!("scs={}", scs.display());

    let mut g = c.benchmark_group("scs");
    g.sample_size(10);
    g.bench_function("full build", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("tempdir"),
            |tmp| build(&base(&source, tmp.path())),
        )
    });
    let tmp = tempfile::tempdir().expect("tempdir");
    build(&base(&source, tmp.path()));
    let ix = SearchIndex::open(tmp.path()).expect("open");
    g.sample_size(50);
    g.bench_function("10 queries with snippets", |b| b.iter(|| run_queries(&ix)));
    g.finish();
    percentiles("scs", &ix, 100);

    if std::env::var_os("KEN_BENCH_40K").is_none() {
        eprintln!("set KEN_BENCH_40K=1 for the 40,000-page benchmarks");
        return;
    }
    let (_, repo) = corpus_40k(&scs);
    let data = tempfile::tempdir().expect("tempdir");
    let src40 = format!("kb={}", repo.display());
    let mut b40 = base(&src40, data.path());
    // Sync the mirror at the first commit, then build the index from it.
    let (before, after) = (rev(&repo, "before"), rev(&repo, "after"));
    let results = b40.sync(false, &mut |_, _| {});
    assert!(results.iter().all(|r| r.is_ok()), "sync");
    let set_commit = |b: &mut Base, commit: &str| {
        if let Some(st) = b.state.sources.get_mut("kb") {
            st.commit = Some(commit.to_string());
        }
    };
    set_commit(&mut b40, &before);
    let t = Instant::now();
    let r = build(&b40);
    println!(
        "40k: full build of {} pages from the mirror in {:.2} s",
        r.indexed,
        t.elapsed().as_secs_f64()
    );
    let ix = SearchIndex::open(data.path()).expect("open");
    let mut g = c.benchmark_group("40k");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    let mut flip = false;
    g.bench_function("incremental update, 10 pages", |b| {
        b.iter(|| {
            flip = !flip;
            set_commit(&mut b40, if flip { &after } else { &before });
            let r = build(&b40);
            assert_eq!(r.indexed, 10);
        })
    });
    ix.reload().expect("reload");
    g.sample_size(20);
    g.bench_function("10 queries with snippets", |b| b.iter(|| run_queries(&ix)));
    g.finish();
    percentiles("40k", &ix, 30);
}

criterion_group!(index_benches, benches);
criterion_main!(index_benches);
