//! Helpers for the UI tests: the fixture site as an in-memory library, an app at 80×24, and
//! the screen as text.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ken::keymap::Keymap;
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data::{self, Library};
use ken::ui::msg::{Effect, JobMsg, Msg};
use ken::ui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).expect("fixture text")));
        }
    }
}

/// The files of `tests/fixtures/site`.
pub fn site_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out
}

pub fn site() -> Arc<Library> {
    let files = site_files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Arc::new(data::memory_library("runbooks", &refs))
}

/// An app over the fixture site, 80×24, default keymap, default theme without colour.
pub fn app() -> App {
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, site());
    app.update(Msg::Resize(80, 24));
    app.status.now = 1_000_000;
    app.status.sources = vec![ken::ui::msg::SourceStatus {
        name: "runbooks".into(),
        commit: Some("0123456789abcdef".into()),
        synced_at: Some(1_000_000 - 3 * 3600),
        ..Default::default()
    }];
    app
}

pub fn key(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn ctrl(app: &mut App, c: char) {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Presses keys written as in a keymap file, separated by spaces: "j j enter".
pub fn press(app: &mut App, keys: &str) {
    for k in keys.split_whitespace() {
        let key = ken::keymap::Key::parse(k).expect("key");
        let code = match key.code {
            ken::keymap::KeyCodeOrd::Char(c) => KeyCode::Char(c),
            ken::keymap::KeyCodeOrd::F(n) => KeyCode::F(n),
            ken::keymap::KeyCodeOrd::Named(n) => {
                use ken::keymap::Named::*;
                match n {
                    Enter => KeyCode::Enter,
                    Esc => KeyCode::Esc,
                    Tab => KeyCode::Tab,
                    BackTab => KeyCode::BackTab,
                    Backspace => KeyCode::Backspace,
                    Up => KeyCode::Up,
                    Down => KeyCode::Down,
                    Left => KeyCode::Left,
                    Right => KeyCode::Right,
                    PageUp => KeyCode::PageUp,
                    PageDown => KeyCode::PageDown,
                    Home => KeyCode::Home,
                    End => KeyCode::End,
                    Delete => KeyCode::Delete,
                    Insert => KeyCode::Insert,
                }
            }
        };
        let mut mods = KeyModifiers::NONE;
        if key.ctrl {
            mods |= KeyModifiers::CONTROL;
        }
        if key.alt {
            mods |= KeyModifiers::ALT;
        }
        if key.shift {
            mods |= KeyModifiers::SHIFT;
        }
        app.update(Msg::Key(KeyEvent::new(code, mods)));
    }
}

/// Types text into whatever field has focus.
pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Answers the app's newest search request as the search job would (older ones are left
/// unanswered, as the job skips them).
pub fn answer_searches(app: &mut App, lib: &Library) {
    let searcher = ken::ui::jobs::memory_factory()(lib);
    let last = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Search { id, query } => Some((id, query)),
            _ => None,
        })
        .next_back();
    if let Some((id, query)) = last {
        let result = searcher.search(&query, 50);
        app.update(Msg::Job(JobMsg::SearchDone {
            id,
            result,
            millis: 1.0,
        }));
    }
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| views::draw(app, f)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn screen80(app: &App) -> String {
    screen(app, 80, 24)
}
