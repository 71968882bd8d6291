//! Rendering benchmarks. With `KEN_SCS_CORPUS` set (the `scs` folder of the shared test
//! data) the pages are real: the largest SCS page, and a 170 KB page made by concatenating
//! corpus pages. Without it, the fixtures under tests/fixtures/markdown are repeated.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ken::corpus;
use ken::markdown;

const BIG: usize = 170 * 1024;

fn pages(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() && !name.starts_with('.') {
                stack.push(p);
            } else if name.ends_with(".md") || name.ends_with(".mdx") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// (largest page, 170 KB page), as bodies without front matter.
fn inputs() -> (String, String) {
    let files = match std::env::var_os("KEN_SCS_CORPUS") {
        Some(dir) => pages(Path::new(&dir)),
        None => pages(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/markdown")),
    };
    let bodies: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| corpus::parse(&corpus::decode(b), "x.md").body)
        .collect();
    let largest = bodies
        .iter()
        .max_by_key(|b| b.len())
        .cloned()
        .unwrap_or_default();
    let mut big = String::new();
    while big.len() < BIG && !bodies.is_empty() {
        for b in &bodies {
            big.push_str(b);
            big.push_str("\n\n");
            if big.len() >= BIG {
                break;
            }
        }
    }
    (largest, big)
}

/// CPU time used by this thread so far.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn bench(c: &mut Criterion) {
    let (largest, big) = inputs();
    c.bench_function("parse largest page", |b| {
        b.iter(|| markdown::parse(black_box(&largest), None))
    });
    let doc = markdown::parse(&largest, None);
    c.bench_function("layout largest page at 100", |b| {
        b.iter(|| black_box(&doc).layout(100))
    });
    c.bench_function("parse 170 KB page", |b| {
        b.iter(|| markdown::parse(black_box(&big), None))
    });
    let big_doc = markdown::parse(&big, None);
    let _laid_out = big_doc.layout(100);
    c.bench_function("re-layout 170 KB page at a new width", |b| {
        let mut w = 80;
        b.iter(|| {
            w = if w == 80 { 81 } else { 80 };
            black_box(&big_doc).layout(w)
        })
    });
    // The machine these run on is shared: wall time includes waiting for a core. The CPU
    // time of the benchmark thread is what the layout itself costs.
    c.bench_function(
        "re-layout 170 KB page at a new width (thread CPU time)",
        |b| {
            b.iter_custom(|iters| {
                let start = thread_cpu();
                let mut w = 80;
                for _ in 0..iters {
                    w = if w == 80 { 81 } else { 80 };
                    black_box(black_box(&big_doc).layout(w));
                }
                thread_cpu().saturating_sub(start)
            })
        },
    );
    let line = "word ".repeat(1024 * 1024 / 5);
    c.bench_function("parse + layout 1 MiB single line", |b| {
        b.iter(|| markdown::parse(black_box(&line), None).layout(100))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
