//! Every screen at 80×24 through ratatui's TestBackend, snapshotted with insta.

use crate::ui_common;

use crossterm::event::KeyCode;
use ken::ui::msg::{JobMsg, Msg, Screen, SyncOutcome};
use ui_common::*;

#[test]
fn library_in_site_order() {
    let app = app();
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn library_folder_unfolded_and_selected() {
    let mut app = app();
    // Down to "Operations", unfold it.
    press(&mut app, "j j j l");
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn library_filter() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "fern");
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn search_results_grouped_by_page() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "fernet keys");
    answer_searches(&mut app, &lib);
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn search_empty() {
    let mut app = app();
    press(&mut app, "s");
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn reader_opened_from_search_at_section() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "fernet_rotate");
    answer_searches(&mut app, &lib);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Reader);
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn reader_top_with_front_matter_facts() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "rotate");
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn reader_find_in_page() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "rotate");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "/");
    type_text(&mut app, "step 3");
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn help_for_the_reader() {
    let mut app = app();
    press(&mut app, "/");
    type_text(&mut app, "rotate");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "?");
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn help_for_the_library() {
    let mut app = app();
    press(&mut app, "?");
    insta::assert_snapshot!(screen80(&app));
}

#[test]
fn guide_with_banner_when_unreachable() {
    let km = ken::keymap::Keymap::preset("default").unwrap();
    let theme = ken::theme::Theme::preset("default", ken::theme::Depth::None).unwrap();
    let mut app = ken::ui::app::App::new(
        ken::ui::env::Env::default(),
        km,
        theme,
        std::sync::Arc::new(ken::ui::data::guide_library()),
    );
    app.update(Msg::Resize(80, 24));
    app.update(Msg::Job(JobMsg::SyncDone(SyncOutcome {
        failures: vec!["scs: connection refused".into()],
        changed: false,
        sources: vec![],
        any_copy: false,
    })));
    let s = screen80(&app);
    assert!(
        s.contains("No knowledge base yet: scs: connection refused"),
        "{s}"
    );
    assert!(s.contains("offline"), "{s}");
    assert!(s.contains("built-in guide"), "{s}");
    assert!(s.contains("ken user guide"), "{s}");
}

#[test]
fn too_small_says_so() {
    let app = app();
    let s = screen(&app, 19, 4);
    assert!(s.contains("terminal"), "{s}");
    assert!(s.contains("too small"), "{s}");
}

#[test]
fn sync_progress_and_message_in_status_bar() {
    let mut app = app();
    app.update(Msg::Job(JobMsg::SyncProgress {
        source: "runbooks".into(),
        percent: 42,
    }));
    let s = screen80(&app);
    let last = s.lines().nth(23).unwrap_or_default();
    assert!(last.contains("syncing runbooks 42%"), "{last}");
    assert!(
        last.contains("runbooks · 01234567 · synced 3 h ago"),
        "{last}"
    );
}

#[test]
fn styled_reader_keeps_highlights_without_colour() {
    let lib = site();
    let mut app = app();
    press(&mut app, "s");
    type_text(&mut app, "fernet_rotate");
    answer_searches(&mut app, &lib);
    key(&mut app, KeyCode::Enter);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| ken::ui::views::draw(&app, f)).unwrap();
    let buf = t.backend().buffer();
    // Find "fernet_rotate" on screen: its cells are underlined and bold (NO_COLOR).
    let text = screen80(&app);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("fernet_rotate"))
        .expect("match on screen");
    let x = line.find("fernet_rotate").unwrap() as u16;
    let cell = &buf[(x, y as u16)];
    assert!(
        cell.modifier
            .contains(ratatui::style::Modifier::UNDERLINED | ratatui::style::Modifier::BOLD),
        "{cell:?}"
    );
}
