//! Terminal UI benchmarks (see docs/performance.md, "Terminal UI").
//!
//! `KEN_SCS_CORPUS=../shared/corpus/scs cargo bench --bench ui` measures, in process, with
//! ratatui's TestBackend at 120×40:
//! - a keystroke in live search to the updated results drawn (the app's update, the search
//!   the job runs, the answer taken in, the frame drawn), p50/p99 over every keystroke of a
//!   set of queries typed letter by letter;
//! - scrolling a 1 MiB page: the work of one frame (page down + draw), p50/p99/max;
//! - re-laying out the 1 MiB page for a new width (a resize).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::keymap::{Action, Keymap};
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data::{self, Searcher};
use ken::ui::msg::{Effect, JobMsg, Msg};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const QUERIES: &[&str] = &[
    "keystone",
    "domain manager setup",
    "flavor naming",
    "rotate fernet keys",
    "security groups",
    "cluster stacks",
    "object storage",
    "openstack health monitor",
];

fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let rel = p
            .strip_prefix(root)
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            read_tree(root, &p, out);
        } else if rel.ends_with(".md") || rel.ends_with(".mdx") || rel.starts_with("sidebars") {
            out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
        }
    }
}

/// CPU time this thread has used (Linux: /proc/thread-self/schedstat), to tell the work a
/// frame takes from the waiting a loaded machine adds to the wall clock.
fn cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn report(what: &str, wall: Vec<Duration>, cpu: Vec<Duration>) {
    // The kernel accounts CPU time in scheduler ticks: only the mean over many samples means
    // something.
    let mean_cpu = cpu.iter().sum::<Duration>() / cpu.len().max(1) as u32;
    eprintln!(
        "{what} ({} samples): wall p50 {}  p99 {}  max {} | cpu mean {}",
        wall.len(),
        ms(pct(wall.clone(), 0.5)),
        ms(pct(wall.clone(), 0.99)),
        ms(pct(wall, 1.0)),
        ms(mean_cpu),
    );
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn app(lib: Arc<data::Library>) -> (App, Terminal<TestBackend>) {
    let km = Keymap::preset("default").expect("keymap");
    let theme = Theme::preset("default", Depth::Ansi16).expect("theme");
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib);
    app.update(Msg::Resize(120, 40));
    let term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    (app, term)
}

fn base(source: &str, data: &Path) -> Base {
    let inputs = Inputs {
        source_flags: vec![source.to_string()],
        env_data_dir: Some(data.to_path_buf()),
        env_config_dir: Some(data.join("config")),
        ..Default::default()
    };
    Base::open(Config::load(&inputs).expect("config"))
}

/// The library and the search index of a folder of Markdown, as the UI gets them.
fn indexed(name: &str, dir: &Path, data: &Path) -> (Arc<data::Library>, data::IndexSearcher) {
    let spec = format!("{name}={}", dir.display());
    let t = Instant::now();
    let ix = ken::index::open_current(&base(&spec, data), &mut |_| {}, &mut |_| {})
        .expect("index builds");
    eprintln!("{name}: index built in {}", ms(t.elapsed()));
    let lib = Arc::new(data::load_library(base(&spec, data)));
    (lib, data::IndexSearcher(ix))
}

fn search_keystrokes(label: &str, lib: Arc<data::Library>, searcher: &dyn Searcher) {
    eprintln!("{label}: {} pages", lib.docs.len());
    let (mut app, mut term) = app(lib);
    app.update(Msg::Action(Action::Search));
    let mut times = Vec::new();
    let mut cpus = Vec::new();
    for round in 0..5 {
        for q in QUERIES {
            for c in q.chars() {
                let t = Instant::now();
                let c0 = cpu();
                app.update(Msg::Key(KeyEvent::new(
                    KeyCode::Char(c),
                    KeyModifiers::NONE,
                )));
                for e in app.take_effects() {
                    if let Effect::Search { id, query } = e {
                        let result = searcher.search(&query, 50);
                        app.update(Msg::Job(JobMsg::SearchDone {
                            id,
                            result,
                            millis: 0.0,
                        }));
                    }
                }
                term.draw(|f| ken::ui::views::draw(&app, f)).expect("draw");
                if round > 0 {
                    times.push(t.elapsed());
                    cpus.push(cpu().saturating_sub(c0));
                }
            }
            app.update(Msg::Action(Action::ClearInput));
            app.take_effects();
        }
    }
    report(&format!("keystroke → results drawn ({label})"), times, cpus);
}

fn scroll_1mib(files: &[(String, String)]) {
    let mut big = String::new();
    for (_, t) in files.iter().filter(|(p, _)| p.ends_with(".md")).cycle() {
        if big.len() >= 1 << 20 {
            break;
        }
        let (_, body) = ken::corpus::split_front_matter(t);
        big.push_str(body);
        big.push('\n');
    }
    let lib = Arc::new(data::memory_library("big", &[("big.md", big.as_str())]));
    let (mut app, mut term) = app(lib);
    let t = Instant::now();
    // As `ken DOC` opens it.
    app.quick_head = true;
    app.open_doc(0, None, data::Terms::default());
    app.quick_head = false;
    let open = t.elapsed();
    // The whole page, highlighted, as the render job makes it.
    let t = Instant::now();
    for e in app.take_effects() {
        if let Effect::Highlight { source, path, body } = e {
            let page = ken::ui::page::highlighted(&body);
            app.update(Msg::Job(JobMsg::Highlighted(ken::ui::msg::Highlighted {
                source,
                path,
                page,
            })));
        }
    }
    let whole = t.elapsed();
    let lines = app.pages.reader.as_ref().map_or(0, |r| r.lines());
    let mut times = Vec::new();
    let mut cpus = Vec::new();
    loop {
        let before = app.pages.reader.as_ref().map_or(0, |r| r.scroll);
        let t = Instant::now();
        let c0 = cpu();
        app.update(Msg::Action(Action::PageDown));
        term.draw(|f| ken::ui::views::draw(&app, f)).expect("draw");
        times.push(t.elapsed());
        cpus.push(cpu().saturating_sub(c0));
        if app.pages.reader.as_ref().map_or(0, |r| r.scroll) == before {
            break;
        }
    }
    eprintln!(
        "1 MiB page ({} bytes, {lines} lines): first screen ready in {}; the whole page \
         highlighted and laid out (background job) in {}",
        big.len(),
        ms(open),
        ms(whole)
    );
    report(
        "a frame of scrolling the 1 MiB page (page down + draw)",
        times,
        cpus,
    );
    let t = Instant::now();
    app.update(Msg::Resize(100, 40));
    eprintln!("1 MiB page re-laid out for a resize in {}", ms(t.elapsed()));
}

fn main() {
    // `cargo test` runs benches with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(scs) = std::env::var_os("KEN_SCS_CORPUS") else {
        eprintln!("set KEN_SCS_CORPUS=../shared/corpus/scs");
        return;
    };
    let root = Path::new(&scs);
    let mut files = Vec::new();
    read_tree(root, root, &mut files);
    files.sort();
    let data = tempfile::tempdir().expect("temp dir");
    let (lib, searcher) = indexed("scs", root, &data.path().join("scs"));
    search_keystrokes("SCS", lib, &searcher);
    // The 40,000-page corpus of the index benchmark (`KEN_BENCH_40K=1 cargo bench --bench
    // index` makes it).
    let big = std::env::var_os("KEN_BENCH_40K_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus/40k"),
        std::path::PathBuf::from,
    );
    if std::env::var_os("KEN_BENCH_40K").is_some() && big.is_dir() {
        let (lib, searcher) = indexed("kb", &big, &data.path().join("40k"));
        search_keystrokes("40,000 pages", lib, &searcher);
    } else {
        eprintln!(
            "KEN_BENCH_40K=1 (after the index bench made target/bench-corpus/40k) adds 40,000 pages"
        );
    }
    scroll_1mib(&files);
}
