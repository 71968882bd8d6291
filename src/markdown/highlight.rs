//! Syntax highlighting with syntect and the syntaxes packaged by `two-face`.
//!
//! Highlighting yields [`Syntax`] classes, not colours: a built-in "class theme" maps
//! TextMate scopes to classes (scope precedence is syntect's), so any ken theme can colour
//! them. The syntax set is loaded lazily, once per process. Caps: a line over
//! [`MAX_LINE_BYTES`] or a block over [`BLOCK_BUDGET`] is shown plain from there on.

use std::collections::{HashMap, VecDeque};
use std::str::FromStr;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, ScopeSelectors, StyleModifier, Theme, ThemeItem};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::style::Syntax;
use crate::sanitize;

/// Lines longer than this are not highlighted.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Time allowed to highlight one block.
pub const BLOCK_BUDGET: Duration = Duration::from_millis(150);

/// Classes in the order of their index in the class theme (index 0 is "no class").
const CLASSES: [(Syntax, &str); 16] = [
    (Syntax::Comment, "comment, punctuation.definition.comment"),
    (Syntax::String, "string, string.quoted, meta.string"),
    (
        Syntax::Keyword,
        "keyword, storage.modifier, keyword.control, variable.language",
    ),
    (Syntax::Number, "constant.numeric"),
    (
        Syntax::Constant,
        "constant, constant.language, support.constant, constant.character.escape",
    ),
    (
        Syntax::Function,
        "entity.name.function, support.function, meta.function-call variable.function, variable.function",
    ),
    (
        Syntax::Type,
        "entity.name.type, storage.type, support.type, entity.name.class, support.class",
    ),
    (
        Syntax::Variable,
        "variable.other, variable.parameter, meta.mapping.key string, entity.name.key",
    ),
    (Syntax::Operator, "keyword.operator"),
    (
        Syntax::Punctuation,
        "punctuation.section, punctuation.separator",
    ),
    (Syntax::Tag, "entity.name.tag"),
    (Syntax::Attribute, "entity.other.attribute-name"),
    (Syntax::Inserted, "markup.inserted"),
    (Syntax::Deleted, "markup.deleted"),
    (
        Syntax::Changed,
        "markup.changed, meta.diff.range, meta.diff.header",
    ),
    (Syntax::Heading, "markup.heading, entity.name.section"),
];

struct Assets {
    syntaxes: SyntaxSet,
    theme: Theme,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut theme = Theme::default();
        for (i, (_, sel)) in CLASSES.iter().enumerate() {
            // The selectors are constants; one that failed to parse would only lose a class.
            if let Ok(scope) = ScopeSelectors::from_str(sel) {
                theme.scopes.push(ThemeItem {
                    scope,
                    style: StyleModifier {
                        foreground: Some(Color {
                            r: (i + 1) as u8,
                            g: 0,
                            b: 0,
                            a: 255,
                        }),
                        background: None,
                        font_style: None,
                    },
                });
            }
        }
        theme.settings.foreground = Some(Color {
            r: 0,
            g: 0,
            b: 0,
            a: 255,
        });
        Assets {
            syntaxes: two_face::syntax::extra_newlines(),
            theme,
        }
    })
}

/// Languages never highlighted (and that never make ken load the syntaxes).
const PLAIN: [&str; 10] = [
    "text",
    "txt",
    "plaintext",
    "plain",
    "tree",
    "mermaid",
    "ascii",
    "acsii",
    "none",
    "output",
];

/// The syntect name or token for a fence language as written in docs.
fn alias(lang: &str) -> &str {
    match lang {
        "console" | "shell" | "shell-session" | "terminal" | "commandline" | "sh" | "zsh"
        | "shellsession" => "bash",
        "yml" => "yaml",
        "json5" | "jsonc" => "json",
        "hcl" | "terraform" | "tf" => "tf",
        "dockerfile" | "docker" | "containerfile" => "Dockerfile",
        "conf" | "cfg" | "hosts" | "properties" => "ini",
        "py" | "python3" => "python",
        "golang" => "go",
        "rs" => "rust",
        "patch" => "diff",
        // One grammar for JavaScript: "javascript" alone would find another, heavier one.
        "js" | "jsx" | "mjs" | "javascript" | "node" => "js",
        "ts" | "tsx" => "ts",
        "md" | "mdx" => "markdown",
        "psql" | "postgresql" | "postgres" => "sql",
        "csharp" | "c#" => "cs",
        "systemd" | "unit" | "service" => "ini",
        "batch" => "bat",
        other => other,
    }
}

/// The syntax for a fence language, or `None` to show it plain.
pub fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    if lang.is_empty() || PLAIN.contains(&lang.as_str()) {
        return None;
    }
    let ss = &assets().syntaxes;
    let token = alias(&lang);
    ss.find_syntax_by_token(token)
        .or_else(|| ss.find_syntax_by_name(token))
}

/// Expands tabs and sanitizes one run of code starting at display column `col`.
fn clean_run(
    s: &str,
    col: &mut usize,
    out: &mut Vec<(Option<Syntax>, String)>,
    class: Option<Syntax>,
) {
    let s = s.trim_end_matches(['\n', '\r']);
    if s.is_empty() {
        return;
    }
    let clean = sanitize::line(s, *col).into_owned();
    *col += unicode_width::UnicodeWidthStr::width(clean.as_str());
    match out.last_mut() {
        Some((c, text)) if *c == class => text.push_str(&clean),
        _ => out.push((class, clean)),
    }
}

/// The lines of a code block: runs of sanitized text, each with its class.
pub type Lines = Vec<Vec<(Option<Syntax>, String)>>;

fn plain_line(line: &str) -> Vec<(Option<Syntax>, String)> {
    let mut out = Vec::new();
    let mut col = 0;
    clean_run(line, &mut col, &mut out, None);
    out
}

/// The lines of a code block, highlighted when possible, and a note when a cap was hit.
pub fn code_lines(text: &str, lang: Option<&str>, enabled: bool) -> (Lines, Option<String>) {
    let raw: Vec<&str> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect();
    let syntax = if enabled {
        lang.and_then(syntax_for)
    } else {
        None
    };
    let Some(syntax) = syntax else {
        return (raw.iter().map(|l| plain_line(l)).collect(), None);
    };
    let a = assets();
    let mut h = HighlightLines::new(syntax, &a.theme);
    let started = Instant::now();
    let mut lines = Vec::with_capacity(raw.len());
    let mut note = None;
    for (i, line) in raw.iter().enumerate() {
        if note.is_none() {
            if line.len() > MAX_LINE_BYTES {
                note = Some(format!(
                    "highlighting stopped at line {}: a line over {} KiB",
                    i + 1,
                    MAX_LINE_BYTES / 1024
                ));
            } else if started.elapsed() > BLOCK_BUDGET {
                note = Some(format!(
                    "highlighting stopped at line {}: over the time budget of {} ms",
                    i + 1,
                    BLOCK_BUDGET.as_millis()
                ));
            }
        }
        if note.is_some() {
            lines.push(plain_line(line));
            continue;
        }
        let with_nl = format!("{line}\n");
        match h.highlight_line(&with_nl, &a.syntaxes) {
            Ok(regions) => {
                let mut out = Vec::new();
                let mut col = 0;
                for (style, piece) in regions {
                    let idx = style.foreground.r as usize;
                    let class = idx.checked_sub(1).and_then(|i| CLASSES.get(i)).map(|c| c.0);
                    clean_run(piece, &mut col, &mut out, class);
                }
                lines.push(out);
            }
            Err(e) => {
                note = Some(format!("highlighting stopped at line {}: {e}", i + 1));
                lines.push(plain_line(line));
            }
        }
    }
    (lines, note)
}

/// At most this many helper threads highlight one page (besides the parsing thread).
const MAX_HELPERS: usize = 3;

/// A code block waiting to be highlighted: its index in the page, its text, its language.
#[derive(Debug)]
pub struct Job {
    pub index: usize,
    pub text: String,
    pub lang: Option<String>,
    /// [`lang_key`] of `lang`.
    pub key: String,
}

/// At most this many blocks of a page go to the queue; the rest are highlighted where they
/// are needed, one after the other. This bounds every look through the queue, so a page of
/// tens of thousands of blocks costs in proportion to its size.
pub const MAX_QUEUED: usize = 256;

/// A block's lines and the note on why (part of) it is plain, if it is.
pub type Highlighted = (Lines, Option<String>);

/// What [`Queue::try_fetch`] found.
#[derive(Debug)]
pub enum Ready {
    Done(Highlighted),
    /// A helper thread has it, or will start it soon.
    Later,
    /// It was never handed over (past [`MAX_QUEUED`]).
    Never,
}

/// Whether a block in this language needs syntect at all (checked without loading it).
pub fn wants_syntax(lang: Option<&str>) -> bool {
    lang.map(|l| l.trim().to_ascii_lowercase())
        .is_some_and(|l| !l.is_empty() && !PLAIN.contains(&l.as_str()))
}

/// Whether some fence in `text` names a language to highlight: a quick look at the lines that
/// start with ```` ``` ```` or `~~~` (after any indentation), not a parse.
pub fn fences_want_syntax(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let info = line
            .strip_prefix("```")
            .or_else(|| line.strip_prefix("~~~"));
        info.is_some_and(|info| {
            let info = info.trim_start_matches(['`', '~']).trim_start();
            wants_syntax(info.split([' ', '\t', '{', ',']).next())
        })
    })
}

/// How many helper threads may highlight a page on this machine (0 on one core).
pub fn helpers_allowed() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .min(MAX_HELPERS)
}

/// Code blocks handed over while a page is parsed, for helper threads to highlight.
///
/// Most of the cost of a first block in a language is compiling that syntax's regular
/// expressions, and Oniguruma compiles one expression at a time in the whole process: two
/// threads each starting a new language mostly wait for each other. So the page's parser
/// hands each block over as soon as it has read it; helpers load the syntaxes while the first
/// block is being read, take the first block of each language nobody has started while the
/// rest of the page is still being parsed, then the newest blocks. The parsing thread, once
/// done, may lay the page out, taking each block that is done or in a warm language as it gets
/// to it and leaving the others plain for now ([`Queue::try_fetch`]); then, or at once, it
/// helps with blocks in languages a finished block has warmed up ([`Queue::work`]).
#[derive(Default)]
pub struct Queue {
    state: Mutex<QueueState>,
    /// Signalled when a block is added or finished, and when the queue is closed.
    changed: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    /// Languages (by [`lang_key`]) some thread has started, and those with a finished block.
    started: Vec<String>,
    warm: Vec<String>,
    /// Blocks being highlighted right now, by index.
    running: Vec<usize>,
    /// Helpers loading the syntaxes (busy, like those in `running`).
    loading: usize,
    done: HashMap<usize, Highlighted>,
    /// Languages whose syntax a waiting thread has made ready (see [`prepare`]).
    prepared: Vec<String>,
    closed: bool,
}

/// The language a block will be highlighted as, without loading the syntaxes.
pub fn lang_key(lang: Option<&str>) -> String {
    let lang = lang.unwrap_or_default().trim().to_ascii_lowercase();
    alias(&lang).to_string()
}

impl QueueState {
    /// The next block for a helper: the first in a language nobody started, else the newest.
    fn for_helper(&mut self) -> Option<Job> {
        match self
            .jobs
            .iter()
            .position(|j| !self.started.contains(&j.key))
        {
            Some(i) => self.jobs.remove(i),
            None => self.jobs.pop_back(),
        }
    }

    /// Whether some helper is highlighting a block or loading the syntaxes.
    fn busy(&self) -> bool {
        !self.running.is_empty() || self.loading > 0
    }

    /// The next block for the parsing thread: the oldest in a warm language; any block when no
    /// helper is busy; else none (wait).
    fn for_parser(&mut self) -> Option<Job> {
        let warm = self.jobs.iter().position(|j| self.warm.contains(&j.key));
        match warm {
            Some(i) => self.jobs.remove(i),
            None if !self.busy() => self.jobs.pop_front(),
            None => None,
        }
    }
}

type Guard<'a> = std::sync::MutexGuard<'a, QueueState>;

/// Makes ready what highlighting in `lang` needs besides compiling its regular expressions:
/// the syntaxes, and the syntax's own contexts (decompressed on first use). None of it waits
/// for Oniguruma, so a thread that would otherwise wait can do it for a helper.
fn prepare(lang: Option<&str>) {
    if let Some(syntax) = lang.and_then(syntax_for) {
        drop(syntect::parsing::ParseState::new(syntax));
    }
}

impl Queue {
    fn lock(&self) -> Guard<'_> {
        // A helper that panicked holds no invariant of ours: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a change; but first, if a queued language is neither started nor prepared,
    /// prepares it (and returns at once, for the caller to look again).
    fn wait<'a>(&'a self, mut st: Guard<'a>) -> Guard<'a> {
        let next = st.jobs.iter().find_map(|j| {
            (!st.started.contains(&j.key) && !st.prepared.contains(&j.key))
                .then(|| (j.key.clone(), j.lang.clone()))
        });
        if let Some((key, lang)) = next {
            st.prepared.push(key);
            drop(st);
            prepare(lang.as_deref());
            return self.lock();
        }
        self.changed.wait(st).unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a block; returns how many are waiting now.
    pub fn push(&self, job: Job) -> usize {
        let mut st = self.lock();
        st.jobs.push_back(job);
        self.changed.notify_all();
        st.jobs.len()
    }

    /// No more blocks will come: idle helpers return.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Highlights `job` on this thread, the lock released meanwhile.
    fn run<'a>(&'a self, mut st: Guard<'a>, job: Job) -> Guard<'a> {
        let key = job.key.clone();
        if !st.started.contains(&key) {
            st.started.push(key.clone());
        }
        st.running.push(job.index);
        drop(st);
        let mut finish = Finish {
            queue: self,
            key,
            index: job.index,
            text: &job.text,
            result: None,
        };
        finish.result = Some(code_lines(&job.text, job.lang.as_deref(), true));
        drop(finish);
        self.lock()
    }

    /// Starts a helper thread in `scope`: it loads the syntaxes (counted as busy from now, so
    /// that no other thread starts a cold language meanwhile), then highlights blocks until the
    /// queue is closed and empty. `None` if no thread is to be had (a process limit).
    pub fn spawn_helper<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) -> Option<std::thread::ScopedJoinHandle<'scope, ()>> {
        self.lock().loading += 1;
        let loading = Loading(self);
        std::thread::Builder::new()
            .name("highlight".into())
            .spawn_scoped(scope, move || {
                assets();
                drop(loading);
                self.work(true);
            })
            .ok()
    }

    /// Highlights blocks until none are left. A helper (`helper = true`) waits for more until
    /// the queue is closed; the parsing thread calls this after closing it, and returns when
    /// every block is done.
    pub fn work(&self, helper: bool) {
        let mut st = self.lock();
        loop {
            let job = if helper {
                st.for_helper()
            } else {
                st.for_parser()
            };
            if let Some(job) = job {
                st = self.run(st, job);
                continue;
            }
            let finished = if helper {
                st.closed
            } else {
                st.jobs.is_empty() && st.running.is_empty()
            };
            if finished && st.jobs.is_empty() {
                return;
            }
            st = self.wait(st);
        }
    }

    /// Block `index` now, never waiting: its lines if done, or if it is still queued and its
    /// language is warm (or no helper is busy), highlighted here first; [`Ready::Later`] when it
    /// is a helper's to do; [`Ready::Never`] if it was never handed over.
    pub fn try_fetch(&self, index: usize) -> Ready {
        let mut st = self.lock();
        loop {
            if let Some(r) = st.done.get(&index) {
                return Ready::Done(r.clone());
            }
            let Some(i) = st.jobs.iter().position(|j| j.index == index) else {
                return if st.running.contains(&index) {
                    Ready::Later
                } else {
                    Ready::Never
                };
            };
            // A cold language is left to the helper that starts it (or its language) next:
            // Oniguruma compiles one expression at a time, so two threads compiling wait on
            // each other.
            if !st.warm.contains(&st.jobs[i].key) && st.busy() {
                return Ready::Later;
            }
            let Some(job) = st.jobs.remove(i) else {
                return Ready::Later;
            };
            st = self.run(st, job);
        }
    }

    /// Highlights block `index`, never handed over, here, and keeps it with the others.
    pub fn highlight_here(&self, index: usize, text: &str, lang: Option<&str>) -> Highlighted {
        let r = code_lines(text, lang, true);
        self.lock().done.insert(index, r.clone());
        r
    }

    /// Every finished block, by index.
    pub fn take_done(&self) -> HashMap<usize, Highlighted> {
        std::mem::take(&mut self.lock().done)
    }
}

/// Counts a helper out of [`QueueState::loading`] when dropped: once it has loaded the
/// syntaxes, if loading panicked, or if its thread could not be started.
struct Loading<'a>(&'a Queue);

impl Drop for Loading<'_> {
    fn drop(&mut self) {
        self.0.lock().loading -= 1;
        self.0.changed.notify_all();
    }
}

/// Records a block as done when dropped (plain, with a note, if highlighting it panicked), so
/// that no thread waits for it forever.
struct Finish<'a> {
    queue: &'a Queue,
    key: String,
    index: usize,
    text: &'a str,
    result: Option<Highlighted>,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        let mut st = self.queue.lock();
        st.running.retain(|&i| i != self.index);
        let r = self.result.take().unwrap_or_else(|| {
            let (lines, _) = code_lines(self.text, None, false);
            (lines, Some("highlighting failed".to_string()))
        });
        st.done.insert(self.index, r);
        if !st.warm.contains(&self.key) {
            st.warm.push(std::mem::take(&mut self.key));
        }
        self.queue.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_languages_have_syntaxes() {
        for lang in [
            "bash",
            "shell",
            "console",
            "sh",
            "yaml",
            "yml",
            "json",
            "json5",
            "toml",
            "ini",
            "python",
            "go",
            "rust",
            "hcl",
            "terraform",
            "dockerfile",
            "sql",
            "diff",
        ] {
            assert!(syntax_for(lang).is_some(), "no syntax for {lang}");
        }
        assert!(syntax_for("mermaid").is_none());
        assert!(syntax_for("no-such-language").is_none());
    }

    #[test]
    fn classes_come_out() {
        let (lines, note) = code_lines("# hi\necho \"x\"\n", Some("bash"), true);
        assert_eq!(note, None);
        assert_eq!(lines[0][0].0, Some(Syntax::Comment));
        assert!(lines[1].iter().any(|(c, _)| *c == Some(Syntax::String)));
    }

    #[test]
    fn blocks_highlighted_by_helpers_land_on_their_own_blocks() {
        // Many blocks in several languages, cold and warm, plain and unknown: whichever thread
        // highlights a block, the page gets exactly what highlighting it alone gives.
        let langs = [
            "bash",
            "yaml",
            "",
            "python",
            "json",
            "no-such-lang",
            "console",
            "text",
        ];
        let mut page = String::new();
        let mut want = Vec::new();
        for i in 0..48 {
            let lang = langs[i % langs.len()];
            let code = format!("# block {i}\necho \"{i}\" | x: {i}\nprint({i})\n");
            page.push_str(&format!("Text {i}.\n\n```{lang}\n{code}```\n\n"));
            let lang = (!lang.is_empty()).then_some(lang);
            want.push(code_lines(&code, lang, wants_syntax(lang)));
        }
        let doc = crate::markdown::parse(&page, None);
        assert_eq!(doc.code_blocks.len(), want.len());
        for (block, (lines, note)) in doc.code_blocks.iter().zip(want) {
            assert_eq!(block.lines, lines, "block {}", block.number);
            assert_eq!(block.note, note);
        }
        assert!(
            doc.code_blocks[0].lines[0].iter().any(|(c, _)| c.is_some()),
            "bash is highlighted"
        );
    }

    #[test]
    fn long_line_is_plain_with_note() {
        let text = format!("a = 1\nb = \"{}\"\n", "x".repeat(MAX_LINE_BYTES + 1));
        let (lines, note) = code_lines(&text, Some("python"), true);
        assert!(note.unwrap().contains("line 2"));
        assert_eq!(lines[1].len(), 1);
    }
}
