//! The app's logic, driven by keys and actions, asserting the state a user would see.

use crate::ui_common;

use std::sync::Arc;

use crossterm::event::{KeyCode, MouseEvent, MouseEventKind};
use ken::keymap::{Action, Keymap};
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data::{self, PageHits, Results, SectionHit};
use ken::ui::library::RowKind;
use ken::ui::msg::{Effect, JobMsg, Msg, Screen, SyncOutcome};
use ui_common::*;

/// The background highlight job the app asked for: (source, path, body).
fn highlight_job(app: &mut App, what: &str) -> (String, String, String) {
    app.take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Highlight { source, path, body } => Some((source, path, body)),
            _ => None,
        })
        .expect(what)
}

fn selected_label(app: &App) -> String {
    app.tree.rows[app.tree.cursor.selected].label.clone()
}

fn open_rotate(app: &mut App) {
    press(app, "/");
    type_text(app, "rotate");
    key(app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Reader);
}

#[test]
fn library_moves_folds_and_opens() {
    let mut app = app();
    assert_eq!(selected_label(&app), "docs");
    press(&mut app, "j j j");
    assert_eq!(selected_label(&app), "Operations");
    assert!(matches!(
        app.tree.rows[app.tree.cursor.selected].kind,
        RowKind::Folder { open: false, .. }
    ));
    press(&mut app, "l");
    press(&mut app, "j");
    assert_eq!(selected_label(&app), "Rotate the Fernet keys");
    // h on a page folds its parent and selects it.
    press(&mut app, "h");
    assert_eq!(selected_label(&app), "Operations");
    assert!(!app.tree.rows.iter().any(|r| r.label == "Backups"));
    press(&mut app, "G");
    assert_eq!(selected_label(&app), "Contact");
    press(&mut app, "enter");
    assert_eq!(app.screen, Screen::Reader);
    assert_eq!(app.pages.reader.as_ref().unwrap().title, "Contact");
    // q goes back to the library; q again quits.
    press(&mut app, "q");
    assert_eq!(app.screen, Screen::Library);
    assert!(!app.quit);
    press(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn folder_with_a_page_opens_it() {
    let mut app = app();
    press(&mut app, "j j j enter");
    let r = app.pages.reader.as_ref().expect("the folder's own page");
    assert_eq!(r.title, "Operations");
}

#[test]
fn filter_narrows_and_escape_clears() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "BACK");
    let labels: Vec<_> = app.tree.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, vec!["Backups"]);
    press(&mut app, "backspace backspace backspace backspace");
    assert!(app.tree.rows.len() > 1);
    type_text(&mut app, "zzz");
    assert!(app.tree.rows.is_empty());
    press(&mut app, "esc");
    assert!(app.tree.filter.is_empty());
    assert_eq!(selected_label(&app), "docs");
}

#[test]
fn search_as_you_type_newest_wins() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    assert_eq!(app.screen, Screen::Search);
    type_text(&mut app, "fer");
    let effects = app.take_effects();
    let ids: Vec<u64> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Search { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 3, "one request per keystroke: {effects:?}");
    // A stale answer (for "fe") arrives after the newest request: it is dropped.
    let stale = Results {
        pages: vec![PageHits {
            source: "runbooks".into(),
            path: "stale.md".into(),
            title: "Stale".into(),
            sections: vec![],
        }],
        terms: data::Terms(["fe".to_string()].into()),
        total: 1,
        notice: None,
    };
    app.update(Msg::Job(JobMsg::SearchDone {
        id: ids[1],
        result: Ok(stale),
        millis: 1.0,
    }));
    assert!(app.search.results.pages.is_empty());
    assert!(app.search.busy());
    type_text(&mut app, "net");
    answer_searches(&mut app, &lib);
    assert!(!app.search.busy());
    assert_eq!(app.search.results.pages[0].title, "Rotate the Fernet keys");
    assert_eq!(app.search.query, "fernet");
}

#[test]
fn enter_opens_at_the_section_with_words_highlighted() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "primary node");
    answer_searches(&mut app, &lib);
    let hit = &app.search.results.pages[0].sections[0];
    assert_eq!(hit.heading.as_deref(), Some("Rotate the keys"));
    press(&mut app, "enter");
    let r = app.pages.reader.as_ref().unwrap();
    // The words searched for are highlighted in the page (whole words, by their stems).
    assert_eq!(r.terms, app.search.results.terms);
    assert_eq!(
        r.terms.ranges("the primary node, two nodes"),
        vec![4..11, 12..16, 22..27]
    );
    let top = r.line_text(r.scroll);
    // The page is scrolled so that the section is visible (the bottom of a short page
    // may hold it lower than the top line).
    let visible: Vec<String> = (r.scroll..r.scroll + app.body_height())
        .map(|i| r.line_text(i))
        .collect();
    assert!(
        visible.iter().any(|l| l.trim_end() == "Rotate the keys"),
        "top: {top}"
    );
    // Esc in the reader drops the highlight first, then q goes back to the results.
    press(&mut app, "esc");
    assert!(app.pages.reader.as_ref().unwrap().terms.is_empty());
    press(&mut app, "q");
    assert_eq!(app.screen, Screen::Search);
}

#[test]
fn a_hit_whose_page_is_gone_says_so() {
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "x");
    let id = app.search.requested;
    app.update(Msg::Job(JobMsg::SearchDone {
        id,
        result: Ok(Results {
            pages: vec![PageHits {
                source: "runbooks".into(),
                path: "gone.md".into(),
                title: "Gone".into(),
                sections: vec![SectionHit {
                    heading: None,
                    anchor: None,
                    snippet: "x".into(),
                    highlights: std::iter::once(0..1).collect(),
                }],
            }],
            terms: data::Terms(["x".to_string()].into()),
            total: 1,
            notice: None,
        }),
        millis: 0.5,
    }));
    press(&mut app, "enter");
    assert_eq!(app.screen, Screen::Search);
    let m = app.message.as_ref().expect("a message");
    assert!(m.error && m.text.contains("gone.md"), "{m:?}");
}

#[test]
fn reader_scrolls_by_line_half_page_page_and_ends() {
    let mut app = app();
    open_rotate(&mut app);
    let h = app.body_height();
    let scroll = |app: &App| app.pages.reader.as_ref().unwrap().scroll;
    press(&mut app, "j j");
    assert_eq!(scroll(&app), 2);
    press(&mut app, "k");
    assert_eq!(scroll(&app), 1);
    press(&mut app, "d");
    assert_eq!(scroll(&app), 1 + h / 2);
    press(&mut app, "space");
    assert_eq!(scroll(&app), 1 + h / 2 + h);
    press(&mut app, "G");
    let n = app.pages.reader.as_ref().unwrap().lines();
    assert_eq!(scroll(&app), n - h);
    press(&mut app, "j");
    assert_eq!(scroll(&app), n - h, "never past the end");
    press(&mut app, "g");
    assert_eq!(scroll(&app), 0);
    press(&mut app, "pagedown b");
    assert_eq!(scroll(&app), 0);
}

#[test]
fn find_in_page_counts_and_wraps() {
    let mut app = app();
    open_rotate(&mut app);
    press(&mut app, "/");
    type_text(&mut app, "line 5");
    press(&mut app, "enter");
    let f = app.pages.reader.as_ref().unwrap().find.clone().unwrap();
    assert_eq!(f.matches.len(), 8);
    assert_eq!(f.current, 0);
    press(&mut app, "N");
    assert_eq!(
        app.pages
            .reader
            .as_ref()
            .unwrap()
            .find
            .as_ref()
            .unwrap()
            .current,
        7
    );
    press(&mut app, "n");
    assert_eq!(
        app.pages
            .reader
            .as_ref()
            .unwrap()
            .find
            .as_ref()
            .unwrap()
            .current,
        0
    );
    let r = app.pages.reader.as_ref().unwrap();
    let (line, _) = &r.find.as_ref().unwrap().matches[0];
    assert!(*line >= r.scroll && *line < r.scroll + app.body_height());
    press(&mut app, "esc");
    assert!(app.pages.reader.as_ref().unwrap().find.is_none());
}

#[test]
fn multi_key_sequences_from_a_user_keymap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.toml"),
        "[reader]\ntop = \"g g\"\nbottom = [\"G\", \"g e\"]\n",
    )
    .unwrap();
    let (km, problem) = Keymap::load("default", dir.path());
    assert_eq!(problem, None);
    let theme = Theme::preset("default", Depth::None).unwrap();
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, site());
    app.update(Msg::Resize(80, 24));
    open_rotate(&mut app);
    press(&mut app, "g e");
    assert!(app.pages.reader.as_ref().unwrap().scroll > 0);
    press(&mut app, "g");
    assert_eq!(app.keys.pending.len(), 1, "waiting for the second key");
    assert!(screen80(&app).contains("g …"));
    press(&mut app, "g");
    assert_eq!(app.pages.reader.as_ref().unwrap().scroll, 0);
    assert!(app.keys.pending.is_empty());
    // An unbound second key drops the sequence and does nothing.
    press(&mut app, "g x j");
    assert_eq!(app.pages.reader.as_ref().unwrap().scroll, 1);
}

#[test]
fn invalid_user_keymap_falls_back_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, "[reader]\ndown = \"j\"\nwarp = \"w\"\n").unwrap();
    let (km, problem) = Keymap::load("default", dir.path());
    assert_eq!(km, Keymap::preset("default").unwrap());
    let p = problem.unwrap();
    assert!(
        p.starts_with(&format!("{}:3: unknown action `warp`", path.display())),
        "{p}"
    );
}

#[test]
fn switch_pane_cycles_and_search_is_everywhere() {
    let mut app = app();
    press(&mut app, "tab");
    assert_eq!(app.screen, Screen::Search);
    press(&mut app, "tab");
    assert_eq!(app.screen, Screen::Library, "no page open yet");
    open_rotate(&mut app);
    press(&mut app, "s");
    assert_eq!(app.screen, Screen::Search);
    press(&mut app, "tab");
    assert_eq!(app.screen, Screen::Reader);
}

#[test]
fn help_opens_over_the_screen_and_closes() {
    let mut app = app();
    open_rotate(&mut app);
    press(&mut app, "?");
    assert_eq!(app.screen, Screen::Help);
    assert_eq!(app.help.of, Some(Screen::Reader));
    press(&mut app, "G");
    assert!(app.help.scroll > 0);
    press(&mut app, "q");
    assert_eq!(app.screen, Screen::Reader);
}

#[test]
fn ctrl_c_quits_from_anywhere_even_while_typing() {
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "abc");
    ctrl(&mut app, 'c');
    assert!(app.quit);
}

#[test]
fn mouse_wheel_scrolls_and_release_key_toggles_capture() {
    let mut app = app();
    open_rotate(&mut app);
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 5,
        modifiers: crossterm::event::KeyModifiers::NONE,
    }));
    assert_eq!(app.pages.reader.as_ref().unwrap().scroll, 3);
    app.take_effects();
    press(&mut app, "M");
    assert_eq!(app.take_effects(), vec![Effect::Mouse(false)]);
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("mouse released")
    );
    press(&mut app, "M");
    assert_eq!(app.take_effects(), vec![Effect::Mouse(true)]);
}

#[test]
fn resize_rewraps_and_keeps_the_place() {
    let mut app = app();
    open_rotate(&mut app);
    press(&mut app, "space space");
    let before = app.pages.reader.as_ref().unwrap();
    let frac = before.scroll as f64 / before.lines() as f64;
    app.update(Msg::Resize(30, 24));
    let r = app.pages.reader.as_ref().unwrap();
    assert_eq!(r.width, 30);
    assert!(r.layout.lines.iter().all(|l| l.width() <= 30));
    let after = r.scroll as f64 / r.lines() as f64;
    assert!((after - frac).abs() < 0.05, "{frac} → {after}");
    // Tiny terminals draw a note instead of failing.
    app.update(Msg::Resize(10, 3));
    assert!(screen(&app, 10, 3).contains("too"));
}

#[test]
fn sync_failure_keeps_the_library_and_says_offline() {
    let mut app = app();
    app.update(Msg::Job(JobMsg::SyncDone(SyncOutcome {
        failures: vec!["runbooks: could not connect".into()],
        changed: false,
        sources: app.status.sources.clone(),
        any_copy: true,
    })));
    assert!(app.status.offline);
    assert!(app.status.banner.is_none());
    let m = app.message.clone().unwrap();
    assert!(m.text.contains("last good copy"), "{m:?}");
    assert!(!app.lib.docs.is_empty());
}

#[test]
fn a_new_library_replaces_the_guide_and_reruns_the_search() {
    let km = Keymap::preset("default").unwrap();
    let theme = Theme::preset("default", Depth::None).unwrap();
    let mut app = App::new(
        ken::ui::env::Env::default(),
        km,
        theme,
        Arc::new(data::guide_library()),
    );
    app.status.banner = Some("fetching".into());
    app.update(Msg::Action(Action::Search));
    type_text(&mut app, "fernet");
    app.take_effects();
    app.update(Msg::Job(JobMsg::Library(site())));
    assert!(!app.lib.guide);
    assert!(app.status.banner.is_none());
    assert!(
        app.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::Search { query, .. } if query == "fernet"))
    );
}

#[test]
fn ken_doc_waits_for_the_library() {
    let km = Keymap::preset("default").unwrap();
    let theme = Theme::preset("default", Depth::None).unwrap();
    let mut app = App::new(
        ken::ui::env::Env::default(),
        km,
        theme,
        Arc::new(data::Library::empty()),
    );
    app.want = Some("docs/02-operations/guides/02-backup".into());
    app.update(Msg::Job(JobMsg::Library(site())));
    assert_eq!(app.screen, Screen::Reader);
    assert_eq!(
        app.pages.reader.as_ref().unwrap().title,
        "Back up the databases"
    );
}

#[test]
fn paste_goes_into_the_search_box_on_one_line() {
    let mut app = app();
    press(&mut app, "s");
    app.update(Msg::Paste("rotate\nkeys\x1b[2J".into()));
    assert_eq!(app.search.query, "rotate keys[2J");
}

#[test]
fn code_is_highlighted_in_the_background_for_the_open_page_only() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "install");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.pages.reader.as_ref().unwrap().title,
        "Install the tools"
    );
    assert!(app.pages.reader.as_ref().unwrap().page.wants_highlight);
    let (source, path, body) = highlight_job(&mut app, "a highlight job for the page");
    assert_eq!(path, "docs/01-getting-started/install.md");
    // An answer for a page no longer open is dropped.
    app.update(Msg::Job(JobMsg::Highlighted(ken::ui::msg::Highlighted {
        source: source.clone(),
        path: "docs/other.md".into(),
        page: ken::ui::page::highlighted(&body),
    })));
    assert!(app.pages.reader.as_ref().unwrap().page.wants_highlight);
    app.update(Msg::Job(JobMsg::Highlighted(ken::ui::msg::Highlighted {
        source,
        path,
        page: ken::ui::page::highlighted(&body),
    })));
    let r = app.pages.reader.as_ref().unwrap();
    assert!(!r.page.wants_highlight);
    assert!((0..r.lines()).any(|i| r.line_text(i).contains("pip install")));
}

#[test]
fn a_long_page_opens_with_its_beginning_and_the_rest_follows() {
    let mut body = String::from("# Long\n\n");
    for i in 0..3000 {
        body.push_str(&format!("Paragraph {i} of a long runbook page.\n\n"));
    }
    let lib = Arc::new(data::memory_library("kb", &[("long.md", body.as_str())]));
    let km = Keymap::preset("default").unwrap();
    let theme = Theme::preset("default", Depth::None).unwrap();
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib);
    app.update(Msg::Resize(80, 24));
    // As for `ken DOC`.
    app.quick_head = true;
    app.open_doc(0, None, data::Terms::default());
    app.quick_head = false;
    let first = app.pages.reader.as_ref().unwrap().lines();
    assert!(first > 20 && first < 3000, "{first} lines at first");
    assert!(screen80(&app).contains("Paragraph 0 of a long runbook page."));
    let (source, path, full) = highlight_job(&mut app, "the whole page is made in the background");
    assert_eq!(full, body);
    app.update(Msg::Job(JobMsg::Highlighted(ken::ui::msg::Highlighted {
        source,
        path,
        page: ken::ui::page::highlighted(&full),
    })));
    assert!(app.pages.reader.as_ref().unwrap().lines() >= 6000);
    press(&mut app, "G");
    assert!(screen80(&app).contains("Paragraph 2999 of a long runbook page."));
}

#[test]
fn highlighting_arriving_keeps_the_find_on_its_match() {
    let mut body = String::from("# Fernet\n\n");
    for i in 0..40 {
        body.push_str(&format!("Step {i}: rotate the fernet keys.\n\n"));
    }
    body.push_str("```sh\nkeystone-manage fernet_rotate\n```\n");
    let lib = Arc::new(data::memory_library("kb", &[("fernet.md", body.as_str())]));
    let km = Keymap::preset("default").unwrap();
    let theme = Theme::preset("default", Depth::None).unwrap();
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib);
    app.update(Msg::Resize(80, 24));
    app.open_doc(0, None, data::Terms::default());
    assert!(app.pages.reader.as_ref().unwrap().page.wants_highlight);
    press(&mut app, "/");
    type_text(&mut app, "fernet");
    key(&mut app, KeyCode::Enter);
    for _ in 0..25 {
        press(&mut app, "n");
    }
    let find = |app: &App| {
        let r = app.pages.reader.as_ref().unwrap();
        let f = r.find.as_ref().unwrap();
        (f.current, f.matches[f.current].clone(), r.scroll)
    };
    let before = find(&app);
    assert!(before.0 > 20, "on a match far down: {before:?}");
    let (source, path, full) = highlight_job(&mut app, "a highlight job for the page");
    app.update(Msg::Job(JobMsg::Highlighted(ken::ui::msg::Highlighted {
        source,
        path,
        page: ken::ui::page::highlighted(&full),
    })));
    assert!(!app.pages.reader.as_ref().unwrap().page.wants_highlight);
    assert_eq!(find(&app), before, "the find moved when the colours came");
    press(&mut app, "n");
    assert_eq!(find(&app).0, before.0 + 1);
}

#[test]
fn back_from_a_page_the_results_have_the_keys() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "keys");
    answer_searches(&mut app, &lib);
    assert!(app.search.items().len() >= 2, "{:?}", app.search.results);
    press(&mut app, "enter");
    assert_eq!(app.screen, Screen::Reader);
    let first = app.pages.reader.as_ref().unwrap().place();
    // Back at the results, q, j and k are the list's keys, not letters of the query.
    press(&mut app, "q");
    assert_eq!(app.screen, Screen::Search);
    assert!(!app.typing());
    press(&mut app, "j");
    assert_eq!(app.search.cursor.selected, 1);
    press(&mut app, "k");
    assert_eq!(app.search.cursor.selected, 0);
    press(&mut app, "j enter");
    assert_ne!(app.pages.reader.as_ref().unwrap().place(), first);
    press(&mut app, "q");
    assert_eq!(app.search.query, "keys");
    assert!(
        app.take_effects()
            .iter()
            .all(|e| !matches!(e, Effect::Search { .. }))
    );
    // `/` edits the query again; so does `s`.
    press(&mut app, "/");
    type_text(&mut app, " q");
    assert_eq!(app.search.query, "keys q");
    press(&mut app, "enter");
    press(&mut app, "q s");
    assert!(app.typing());
    // q in the list goes back one screen more: to the library.
    press(&mut app, "backspace backspace enter q q");
    assert_eq!(app.screen, Screen::Library);
    assert_eq!(app.search.query, "keys");
}

#[test]
fn help_says_what_the_screen_is_for_and_scrolls_to_its_last_line() {
    let mut app = app();
    open_rotate(&mut app);
    press(&mut app, "?");
    assert!(screen80(&app).contains("The reader: one page."));
    press(&mut app, "G");
    let lines = ken::ui::views::help_lines(&app);
    let last: String = lines
        .last()
        .expect("help lines")
        .spans
        .iter()
        .map(|s| s.content.as_ref())
        .collect();
    let s = screen80(&app);
    assert!(s.contains(last.trim_end()), "{last:?} not on\n{s}");
}
