//! Fuzzing with proptest (no nightly toolchain here for cargo-fuzz): the Markdown pipeline
//! (decode, front matter, parse, layout, ANSI output, the sanitizer), and the parsers of
//! `config.toml`, keymaps, themes, Docusaurus sidebars, the site manifest and `site.lock`.
//! Each target must never panic, never hang (every case runs under a watchdog), and answer
//! a bad input with one line.
//!
//! Each target runs twice: a quick pass in the normal suite (64 cases), and an `#[ignore]`d
//! long pass whose number of cases per target is `KEN_FUZZ_CASES` (default 2,000, about a
//! minute for all targets in a debug build, so CI's `-- --ignored` run stays short). The
//! long fuzzing run (docs/performance.md):
//!
//! ```text
//! KEN_FUZZ_CASES=250000 cargo test --release --test it fuzz:: -- --ignored --test-threads 2
//! ```
//!
//! A crash found is kept in this file as a plain `#[test]` with the input that found it
//! (proptest also stores the failing seed in `tests/it/fuzz.proptest-regressions`, which is
//! committed and replayed first by every run).

use std::sync::mpsc;
use std::time::Duration;

use ken::config::{Config, Inputs};
use ken::corpus;
use ken::keymap::Keymap;
use ken::markdown::{self, ansi};
use ken::sanitize;
use ken::theme::{Depth, Theme};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Cases per target in the normal suite.
const QUICK: u32 = 64;

/// Cases per target in the long run: `KEN_FUZZ_CASES`, else 2,000.
fn long_cases() -> u32 {
    std::env::var("KEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

/// Generous: debug builds on a shared machine; a hang is anything slower.
const WATCHDOG: Duration = Duration::from_secs(20);

/// Runs one case in a thread with a big stack, failing on a panic or after `WATCHDOG`.
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    match rx.recv_timeout(WATCHDOG) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: longer than {WATCHDOG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// Text made of pieces of a format (so that the parser gets past its first byte) and of
/// arbitrary strings (so that anything can appear anywhere).
fn pieces(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let token = proptest::sample::select(tokens).prop_map(str::to_string);
    let noise = any::<String>();
    proptest::collection::vec(prop_oneof![4 => token, 1 => noise], 0..max).prop_map(|v| v.concat())
}

// ---- the Markdown pipeline ---------------------------------------------------------------

const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "###### ",
    "> ",
    "- ",
    "* ",
    "1. ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    "```",
    "```bash\n",
    "~~~\n",
    "```\n",
    ":::note ",
    ":::tip[T]\n",
    ":::\n",
    "| a | b |\n",
    "|---|:-:|\n",
    "| x |",
    "<Tabs>\n",
    "<TabItem value=\"a\" label=\"A\">\n",
    "</TabItem>\n",
    "</Tabs>\n",
    "<details>",
    "<summary>s</summary>",
    "</details>",
    "import X from 'y';\n",
    "export const a = 1;\n",
    "{/* c */}\n",
    "**",
    "*",
    "_",
    "~~",
    "`",
    "[",
    "]",
    "(",
    ")",
    "](x.md#a)",
    "![i](p.png)",
    "<https://x.org>",
    "[^1]",
    "[^1]: f\n",
    "<br>",
    "{#id}",
    "---\n",
    "title: T\n",
    "&amp;",
    "&#27;",
    "&#x9b;",
    "\x1b[2J",
    "\x1b]52;c;AAAA\x07",
    "\u{9b}",
    "\u{202e}",
    "\u{200b}",
    "中文",
    "👍🏽",
    "e\u{301}",
    "word ",
    "- [ ] ",
    "- [x] ",
    "> [!NOTE]\n",
    "\\",
    "<!-- c -->",
    "<div>",
    "</div>",
    "<x-ken-admonition-0>",
    "    code\n",
];

/// No control character but `\n` and well-formed SGR (`ESC [ digits;… m`).
fn safe(out: &str) -> Result<(), TestCaseError> {
    let mut rest = out;
    while let Some(i) = rest.find(|c: char| c.is_control() && c != '\n') {
        let tail = &rest[i..];
        let body = tail.strip_prefix("\x1b[").ok_or_else(|| {
            TestCaseError::fail(format!(
                "control character: {:?}",
                &tail[..tail.len().min(12)]
            ))
        })?;
        let end = body
            .find('m')
            .ok_or_else(|| TestCaseError::fail("SGR without m"))?;
        prop_assert!(
            body[..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "not SGR: {:?}",
            &body[..end]
        );
        rest = &body[end + 1..];
    }
    Ok(())
}

fn markdown_case(bytes: Vec<u8>, width: usize) -> Result<(), TestCaseError> {
    let outs = bounded("markdown", move || {
        let text = corpus::decode(bytes);
        let parsed = corpus::parse(&text, "fuzz.md");
        let doc = markdown::parse(&parsed.body, parsed.front_matter.as_ref());
        let lay = doc.layout(width);
        let too_wide: Vec<String> = lay
            .lines
            .iter()
            .filter(|l| l.width() > lay.width)
            .map(|l| l.text())
            .collect();
        (
            too_wide,
            ansi::render(&lay, true),
            ansi::render(&lay, false),
        )
    });
    prop_assert!(outs.0.is_empty(), "lines wider than {width}: {:?}", outs.0);
    safe(&outs.1)?;
    safe(&outs.2)
}

fn sanitize_case(s: String, col: usize) -> Result<(), TestCaseError> {
    let line = sanitize::line(&s, col).into_owned();
    prop_assert!(
        !line.chars().any(sanitize::is_unsafe),
        "unsafe after line(): {line:?}"
    );
    prop_assert_eq!(
        sanitize::line(&line, col).into_owned(),
        line.clone(),
        "not idempotent"
    );
    let text = sanitize::text(&s).into_owned();
    prop_assert!(
        !text.chars().any(|c| c != '\n' && sanitize::is_unsafe(c)),
        "unsafe after text(): {text:?}"
    );
    Ok(())
}

// ---- config.toml ---------------------------------------------------------------------------

const CONFIG: &[&str] = &[
    "[[source]]\n",
    "name = ",
    "url = ",
    "branch = ",
    "root = ",
    "mount = ",
    "include = ",
    "exclude = ",
    "site = ",
    "sync_on_start = ",
    "max_file_size = ",
    "data_dir = ",
    "theme = ",
    "keymap = ",
    "dates = ",
    "[mirrors]\n",
    "[check.rules]\n",
    "\"link/missing-page\" = ",
    "\"https://git.invalid/\" = ",
    "\"git://127.0.0.1:1/\"",
    "\"error\"",
    "\"off\"",
    "\"docs\"",
    "\"https://github.com/SovereignCloudStack/docs\"",
    "\"./local\"",
    "\"main\"",
    "\"../x\"",
    "\"/abs\"",
    "[\"**/*.md\"]",
    "[\"[\"]",
    "true",
    "false",
    "0",
    "-1",
    "18446744073709551616",
    "1e9",
    "\"\"",
    "\n",
    " ",
    "#",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "\"\"\"",
    "\\u0000",
    "\u{1b}",
    "\u{202e}",
    "é",
];

fn config_case(text: String) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, &text).expect("write");
    let inputs = Inputs {
        config_file_flag: Some(file),
        source_flags: Vec::new(),
        env_config_dir: Some(dir.path().to_path_buf()),
        env_data_dir: Some(dir.path().join("data")),
        env_mirror: None,
    };
    let result = bounded("config", move || {
        Config::load(&inputs)
            .map(|c| c.sources.len())
            .map_err(|e| e.to_string())
    });
    if let Err(e) = result {
        prop_assert!(!e.contains('\n'), "not one line: {e:?}");
    }
    Ok(())
}

// ---- keymaps and themes --------------------------------------------------------------------

const KEYMAP: &[&str] = &[
    "[global]\n",
    "[library]\n",
    "[search]\n",
    "[reader]\n",
    "[help]\n",
    "[input]\n",
    "[nope]\n",
    "quit = ",
    "search = ",
    "down = ",
    "up = ",
    "open = ",
    "back = ",
    "help = ",
    "nonsense = ",
    "\"q\"",
    "\"ctrl-c\"",
    "\"g g\"",
    "\"g\"",
    "\"ctrl-x ctrl-c\"",
    "\"alt-shift-f12\"",
    "\"esc\"",
    "\"space\"",
    "\"\"",
    "\" \"",
    "\"ctrl-\"",
    "\"f99\"",
    "[\"j\", \"down\"]",
    "[]",
    "1",
    "\n",
    "=",
    "[",
    "]",
    "\"",
    "#",
    "é",
    "\u{1b}",
];

const THEME: &[&str] = &[
    "[palette]\n",
    "[slots]\n",
    "inherits = ",
    "bg = ",
    "fg = ",
    "red = ",
    "\"heading\" = ",
    "\"heading.3\" = ",
    "\"syntax.keyword\" = ",
    "\"search.match\" = ",
    "\"ui.selected\" = ",
    "\"nope.slot\" = ",
    "{ fg = \"red\", bg = \"#112233\" }",
    "{ fg = \"#zzzzzz\" }",
    "{ modifiers = [\"bold\", \"nope\"] }",
    "\"#ffffff\"",
    "\"#fff\"",
    "\"red\"",
    "\"255\"",
    "\"256\"",
    "\"-1\"",
    "\"\"",
    "\"default\"",
    "\n",
    "=",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "é",
];

fn keymap_case(text: String) -> Result<(), TestCaseError> {
    let result = bounded("keymap", move || {
        let mut km = Keymap::preset("default").expect("the default preset");
        let merged = km
            .merge_text("keymap.toml", &text)
            .map_err(|e| e.to_string());
        let parsed = Keymap::parse("fuzz", "fuzz.toml", &text).map_err(|e| e.to_string());
        (merged, parsed)
    });
    for e in [result.0.err(), result.1.err()].into_iter().flatten() {
        prop_assert!(!e.contains('\n'), "not one line: {e:?}");
    }
    Ok(())
}

fn theme_case(text: String) -> Result<(), TestCaseError> {
    let errors = bounded("theme", move || {
        [Depth::None, Depth::Ansi16, Depth::Ansi256, Depth::TrueColor]
            .into_iter()
            .filter_map(|d| Theme::parse("fuzz", "fuzz.toml", &text, d).err())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    });
    for e in errors {
        prop_assert!(!e.contains('\n'), "not one line: {e:?}");
    }
    Ok(())
}

// ---- Docusaurus sidebars, the site manifest, site.lock --------------------------------------

const SIDEBAR: &[&str] = &[
    "module.exports = ",
    "export default ",
    "const sidebars = ",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "'doc'",
    "\"category\"",
    "type: ",
    "id: ",
    "label: ",
    "items: ",
    "link: ",
    "{ type: 'autogenerated', dirName: '.' }",
    "require('./x.js')",
    "...",
    "// c\n",
    "/* c */",
    "'a/b'",
    "\"x\"",
    "`t`",
    "1",
    "-2.5e3",
    "true",
    "null",
    "undefined",
    "\n",
    " ",
    "\\",
    "'",
    "\"",
    "é",
];

const MANIFEST: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"repo\"",
    "\"source\"",
    "\"target\"",
    "\"label\"",
    "\"SovereignCloudStack/standards\"",
    "\"https://github.com/a/b\"",
    "\"../../etc\"",
    "\"Standards/*.md\"",
    "\"docs/**\"",
    "\"standards\"",
    "\"\"",
    "null",
    "1",
    "true",
    "\n",
    "\u{feff}",
    "\"*\"",
    "\"[\"",
    "\"/abs\"",
];

const LOCK: &[&str] = &[
    "# ken site lock\n",
    "standards ",
    "https://github.com/a/b ",
    "git://h/x ",
    "0123456789abcdef0123456789abcdef01234567",
    "0123",
    "\n",
    " ",
    "\t",
    "#",
    "é",
];

fn sidebar_case(text: String) -> Result<(), TestCaseError> {
    let e = bounded("sidebar", move || {
        ken::sidebar::parse_js("sidebars.js", &text)
            .err()
            .map(|e| e.to_string())
    });
    if let Some(e) = e {
        prop_assert!(!e.contains('\n'), "not one line: {e:?}");
    }
    Ok(())
}

fn site_case(text: String) -> Result<(), TestCaseError> {
    let errors = bounded("site", move || {
        let folders = ken::site::folders(None);
        let plan = ken::site::Plan::new(
            "docs.package.json",
            &text,
            "https://github.com/SovereignCloudStack/docs",
            &folders,
        )
        .err()
        .map(|e| e.to_string());
        let lock = ken::site::Lock::parse("site.lock", &text)
            .err()
            .map(|e| e.to_string());
        [plan, lock]
    });
    for e in errors.into_iter().flatten() {
        prop_assert!(!e.contains('\n'), "not one line: {e:?}");
    }
    Ok(())
}

/// `cases` for a quick run, `long_cases()` for the ignored one.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Shrinking a hang would take forever; the failing input is printed as found.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

/// Both variants of every target: `quick` in the suite, `long` ignored.
macro_rules! targets {
    ($($quick:ident, $long:ident: ($($arg:ident in $strat:expr),+) => $body:expr;)+) => {
        proptest! {
            #![proptest_config(config(QUICK))]
            $(
                #[test]
                fn $quick($($arg in $strat),+) { $body? }
            )+
        }
        proptest! {
            #![proptest_config(config(long_cases()))]
            $(
                #[test]
                #[ignore = "long fuzzing run: KEN_FUZZ_CASES=N cargo test --release --test it fuzz:: -- --ignored"]
                fn $long($($arg in $strat),+) { $body? }
            )+
        }
    };
}

targets! {
    markdown_bytes, markdown_bytes_long:
        (bytes in proptest::collection::vec(any::<u8>(), 0..4_000), width in 1usize..200)
        => markdown_case(bytes, width);
    markdown_pieces, markdown_pieces_long:
        (text in pieces(MARKDOWN, 200), width in 1usize..160)
        => markdown_case(text.into_bytes(), width);
    sanitizer, sanitizer_long:
        (s in any::<String>(), col in 0usize..100)
        => sanitize_case(s, col);
    config_toml, config_toml_long:
        (text in pieces(CONFIG, 60))
        => config_case(text);
    keymap_toml, keymap_toml_long:
        (text in pieces(KEYMAP, 60))
        => keymap_case(text);
    theme_toml, theme_toml_long:
        (text in pieces(THEME, 60))
        => theme_case(text);
    sidebars_js, sidebars_js_long:
        (text in pieces(SIDEBAR, 120))
        => sidebar_case(text);
    site_manifest_and_lock, site_manifest_and_lock_long:
        (text in prop_oneof![pieces(MANIFEST, 80), pieces(LOCK, 40)])
        => site_case(text);
}
