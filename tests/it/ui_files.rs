//! Every file in keymaps/ and themes/ parses and is shipped; the help screen lists exactly
//! the bindings of the merged keymap; no binding is unreachable.

use crate::ui_common;

use std::collections::BTreeSet;
use std::path::Path;

use ken::keymap::{self, Context, Keymap};
use ken::theme::{self, Depth, Theme};
use ken::ui::msg::{Msg, Screen};
use ui_common::*;

fn toml_files(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_keymap_file_parses_and_is_embedded() {
    let files = toml_files("keymaps");
    assert!(files.len() >= 2);
    for (name, text) in &files {
        let km = Keymap::parse(name, name, text).unwrap_or_else(|e| panic!("{e}"));
        let embedded = keymap::PRESETS.iter().find(|(n, _)| n == name);
        assert_eq!(
            embedded.map(|(_, t)| *t),
            Some(text.as_str()),
            "{name} is embedded"
        );
        // Every screen can quit, get help and search.
        for ctx in [Context::Library, Context::Reader, Context::Search] {
            for a in [
                keymap::Action::Quit,
                keymap::Action::Help,
                keymap::Action::Back,
            ] {
                if ctx == Context::Search && a == keymap::Action::Help {
                    continue; // `?` is typed into the search box
                }
                assert!(!km.keys(ctx, a).is_empty(), "{name}: {ctx:?} has no {a:?}");
            }
        }
    }
}

#[test]
fn every_theme_file_parses_at_every_depth_and_is_embedded() {
    let files = toml_files("themes");
    assert!(files.len() >= 4);
    for (name, text) in &files {
        for depth in [Depth::None, Depth::Ansi16, Depth::Ansi256, Depth::TrueColor] {
            Theme::parse(name, name, text, depth).unwrap_or_else(|e| panic!("{e}"));
        }
        let embedded = theme::PRESETS.iter().find(|(n, _)| n == name);
        assert_eq!(
            embedded.map(|(_, t)| *t),
            Some(text.as_str()),
            "{name} is embedded"
        );
    }
}

#[test]
fn default_theme_uses_only_the_16_ansi_colours() {
    let t = Theme::preset("default", Depth::TrueColor).unwrap();
    for slot in theme::SLOTS {
        let s = t.style(slot);
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert!(
                !matches!(
                    c,
                    ratatui::style::Color::Rgb(..) | ratatui::style::Color::Indexed(_)
                ),
                "{slot}: {c:?}"
            );
        }
    }
}

#[test]
fn true_colour_themes_fit_16_colours() {
    for name in ["dark", "light", "high-contrast"] {
        let t = Theme::preset(name, Depth::Ansi16).unwrap();
        for slot in theme::SLOTS {
            let s = t.style(slot);
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(
                    !matches!(
                        c,
                        ratatui::style::Color::Rgb(..) | ratatui::style::Color::Indexed(_)
                    ),
                    "{name} {slot}: {c:?}"
                );
            }
        }
    }
}

/// (keys, description) of the help screen's rows, read back from the drawn lines.
fn help_rows_on_screen(app: &ken::ui::app::App) -> BTreeSet<(String, String)> {
    ken::ui::views::help_lines(app)
        .iter()
        .filter(|l| l.spans.len() == 4)
        .map(|l| {
            (
                l.spans[1].content.to_string(),
                l.spans[3].content.to_string(),
            )
        })
        .collect()
}

/// What the help must show for a screen: every binding of the merged keymap in that screen's
/// table, the input table where typing happens, and the global bindings it does not shadow.
fn expected(km: &Keymap, ctx: Context, typing: bool) -> BTreeSet<(String, String)> {
    let mut own_keys = BTreeSet::new();
    let mut out = BTreeSet::new();
    for (c, a, seqs) in km.bindings() {
        if (c == ctx || (typing && c == Context::Input)) && !seqs.is_empty() {
            let keys: Vec<String> = seqs.iter().map(|s| s.to_string()).collect();
            if c == ctx {
                own_keys.extend(keys.iter().cloned());
            }
            out.insert((keys.join(", "), a.help().to_string()));
        }
    }
    for (c, a, seqs) in km.bindings() {
        if c == Context::Global {
            let keys: Vec<String> = seqs
                .iter()
                .map(|s| s.to_string())
                .filter(|k| !own_keys.contains(k))
                .collect();
            if !keys.is_empty() {
                out.insert((keys.join(", "), a.help().to_string()));
            }
        }
    }
    out
}

#[test]
fn help_lists_exactly_the_merged_keymap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[reader]\ntop = [\"g g\", \"home\"]\nfind = \"ctrl-f\"\n[global]\nsearch = \"S\"\n",
    )
    .unwrap();
    for preset in ["default", "emacs"] {
        let (km, problem) = Keymap::load(preset, dir.path());
        assert_eq!(problem, None, "{preset}");
        let theme = Theme::preset("default", Depth::None).unwrap();
        let mut app =
            ken::ui::app::App::new(ken::ui::env::Env::default(), km.clone(), theme, site());
        app.update(Msg::Resize(80, 24));
        for screen in [Screen::Library, Screen::Search, Screen::Reader] {
            app.help.of = Some(screen);
            let shown = help_rows_on_screen(&app);
            let typing = screen != Screen::Help;
            assert_eq!(
                shown,
                expected(&km, screen.context(), typing),
                "{preset} {screen:?}"
            );
        }
        // The user's keys are what the help shows.
        app.help.of = Some(Screen::Reader);
        let shown = help_rows_on_screen(&app);
        assert!(
            shown.contains(&("g g, home".into(), "go to the top".into())),
            "{shown:?}"
        );
        assert!(shown.contains(&("ctrl-f".into(), "find in this page".into())));
        assert!(shown.contains(&("S".into(), "search all pages".into())));
    }
}

#[test]
fn no_key_is_named_outside_the_keymap_files() {
    // The UI code matches on actions only, and draws with theme slots only: no crossterm key
    // codes and no colours anywhere under src/ui (keys are translated in src/keymap.rs,
    // colours in src/theme.rs).
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"),
        &mut files,
    );
    assert!(files.len() >= 20, "the UI's files: {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let f = f.display();
        assert!(!text.contains("KeyCode::"), "{f} names a key");
        assert!(!text.contains("Color::"), "{f} names a colour");
    }
}
