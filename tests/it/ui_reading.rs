//! The reading features, driven by keys and actions: links, history, outline, find, bookmarks,
//! OSC 52 copy, open by URL or path, contribute.

use crate::ui_common;

use std::sync::Arc;

use ken::config::SourceSpec;
use ken::keymap::{Action, Keymap};
use ken::store::Store;
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data::{self, Library};
use ken::ui::env::Env;
use ken::ui::msg::{Effect, Msg, Screen};
use ken::ui::panel::PanelKind;
use ui_common::{press, screen80, type_text};

fn filler(name: &str, n: usize) -> String {
    (1..=n)
        .map(|i| format!("Paragraph {i} about {name}.\n\n"))
        .collect()
}

fn files() -> Vec<(String, String)> {
    let index = format!(
        "# Home\n\n{}Links: [rotate the keys](ops/rotate.md#rotate-the-keys), \
         [backups on the site](https://docs.scs.community/docs/ops/backup), \
         [restore](/docs/ops/backup#restore), [example](https://example.com/a?b=1), \
         [gone](ops/missing.md) and [intro](#intro).\n\n## Intro\n\n{}",
        filler("home", 12),
        filler("the intro", 30)
    );
    let rotate = format!(
        "# Rotate\n\n{}## Rotate the keys\n\nRun this:\n\n```sh\nkeystone-manage fernet_rotate\n```\n\n\
         Then copy:\n\n```sh\nrsync -a /etc/keystone/fernet-keys/ node2:/etc/keystone/fernet-keys/\nsystemctl restart apache2\n```\n\n\
         ### Check\n\n{}## Afterwards\n\n{}",
        filler("rotation", 20),
        filler("checking", 5),
        filler("afterwards", 20)
    );
    let backup = format!(
        "# Back up\n\n{}## Restore\n\nRestore from the newest backup.\n\n{}",
        filler("backups", 20),
        filler("restoring", 20)
    );
    vec![
        ("docs/index.md".into(), index),
        ("docs/ops/rotate.md".into(), rotate),
        ("docs/ops/backup.md".into(), backup),
    ]
}

fn library(files: &[(String, String)]) -> Arc<Library> {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Arc::new(data::memory_library("runbooks", &refs))
}

fn app_with(lib: Arc<Library>) -> App {
    app_in(Env::default(), lib)
}

/// An app that keeps its history and bookmarks in `store`.
fn app_saving(store: &Store, lib: Arc<Library>) -> App {
    app_in(
        Env {
            store: Some(store.clone()),
            ..Env::default()
        },
        lib,
    )
}

fn app_in(env: Env, lib: Arc<Library>) -> App {
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let mut app = App::new(env, km, theme, lib);
    app.update(Msg::Resize(80, 24));
    app.take_effects();
    app
}

fn app() -> App {
    app_with(library(&files()))
}

fn open(app: &mut App, path: &str) {
    let i = app.lib.find("runbooks", path).expect("page in the library");
    app.open_doc(i, None, Default::default());
    assert_eq!(app.screen, Screen::Reader);
}

fn path(app: &App) -> String {
    app.pages.reader.as_ref().expect("a page").doc.path.clone()
}

fn scroll(app: &App) -> usize {
    app.pages.reader.as_ref().expect("a page").scroll
}

fn anchor_line(app: &App, a: &str) -> usize {
    let r = app.pages.reader.as_ref().expect("a page");
    r.layout.anchor_line(a).expect("anchor")
}

fn message(app: &App) -> String {
    app.message
        .as_ref()
        .map_or(String::new(), |m| m.text.clone())
}

fn writes(app: &mut App) -> Vec<Vec<u8>> {
    app.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Write(b) => Some(b),
            _ => None,
        })
        .collect()
}

fn osc52(text: &str) -> Vec<u8> {
    use base64::Engine;
    let mut v = b"\x1b]52;c;".to_vec();
    v.extend(
        base64::engine::general_purpose::STANDARD
            .encode(text)
            .into_bytes(),
    );
    v.push(7);
    v
}

/// Selects links with Tab until the message names `what`.
fn select_link(app: &mut App, what: &str) {
    for _ in 0..10 {
        press(app, "tab");
        if message(app).contains(what) {
            return;
        }
    }
    panic!("no link to {what}; last message: {}", message(app));
}

#[test]
fn tab_selects_links_and_enter_follows_to_the_anchor_then_back_restores_the_place() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    press(&mut app, "j j j j j j j j");
    let before = scroll(&app);
    assert_eq!(before, 8);
    press(&mut app, "tab");
    assert!(
        message(&app).contains("link → docs/ops/rotate.md#rotate-the-keys"),
        "{}",
        message(&app)
    );
    // The selected link is marked on screen.
    let r = app.pages.reader.as_ref().unwrap();
    let sel = &r.styled.links[r.link.unwrap()];
    assert_eq!(&r.line_text(sel.line)[sel.bytes.clone()], "rotate the keys");
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/rotate.md");
    assert_eq!(scroll(&app), anchor_line(&app, "rotate-the-keys"));
    // Back: the same page at the same line; forward: the anchor again.
    press(&mut app, "backspace");
    assert_eq!(path(&app), "docs/index.md");
    assert_eq!(scroll(&app), before);
    press(&mut app, "L");
    assert_eq!(path(&app), "docs/ops/rotate.md");
    assert_eq!(scroll(&app), anchor_line(&app, "rotate-the-keys"));
    press(&mut app, "H");
    assert_eq!(scroll(&app), before);
    press(&mut app, "H");
    assert_eq!(message(&app), "no earlier page");
}

#[test]
fn shift_tab_goes_backwards_and_wraps() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    press(&mut app, "tab");
    let first = app.pages.reader.as_ref().unwrap().link;
    press(&mut app, "shift-tab");
    let last = app.pages.reader.as_ref().unwrap().link;
    assert_ne!(first, last);
    assert!(message(&app).contains("#intro"), "{}", message(&app));
    press(&mut app, "tab");
    assert_eq!(
        app.pages.reader.as_ref().unwrap().link,
        first,
        "wraps around"
    );
}

#[test]
fn site_urls_and_routes_open_the_local_page() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    select_link(&mut app, "docs/ops/backup.md");
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/backup.md");
    assert_eq!(scroll(&app), 0);
    press(&mut app, "backspace");
    select_link(&mut app, "docs/ops/backup.md#restore");
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/backup.md");
    assert_eq!(scroll(&app), anchor_line(&app, "restore"));
}

#[test]
fn an_anchor_on_the_same_page_is_a_step_in_history() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    select_link(&mut app, "#intro");
    // Selecting scrolled the link into view: that is the place to come back to.
    let from = scroll(&app);
    assert!(from > 0);
    press(&mut app, "enter");
    assert_eq!(scroll(&app), anchor_line(&app, "intro"));
    press(&mut app, "backspace");
    assert_eq!(path(&app), "docs/index.md");
    assert_eq!(scroll(&app), from);
}

#[test]
fn external_links_show_the_full_url_and_copy_it() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    select_link(&mut app, "external link: https://example.com/a?b=1");
    app.take_effects();
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/index.md", "ken does not leave the page");
    assert_eq!(writes(&mut app), vec![osc52("https://example.com/a?b=1")]);
    assert!(message(&app).contains("copied external link https://example.com/a?b=1"));
}

#[test]
fn a_broken_link_says_so() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    select_link(&mut app, "broken link: ops/missing.md");
    assert!(app.message.as_ref().unwrap().error);
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/index.md");
    assert!(
        message(&app).contains("no page docs/ops/missing.md"),
        "{}",
        message(&app)
    );
}

#[test]
fn copy_block_n_writes_exactly_the_code_with_and_without_tmux() {
    let mut app = app();
    open(&mut app, "docs/ops/rotate.md");
    app.take_effects();
    press(&mut app, "y 2");
    let code = "rsync -a /etc/keystone/fernet-keys/ node2:/etc/keystone/fernet-keys/\nsystemctl restart apache2\n";
    assert_eq!(writes(&mut app), vec![osc52(code)]);
    assert_eq!(
        message(&app),
        "copied code block 2 (2 lines) to the clipboard"
    );
    // Inside tmux: the plain sequence, then the same in tmux passthrough.
    app.env.in_tmux = true;
    press(&mut app, "y 1");
    let plain = osc52("keystone-manage fernet_rotate\n");
    let mut want = plain.clone();
    want.extend(b"\x1bPtmux;\x1b");
    want.extend(&plain);
    want.extend(b"\x1b\\");
    assert_eq!(writes(&mut app), vec![want]);
    // A block that is not there.
    press(&mut app, "y 7");
    assert!(writes(&mut app).is_empty());
    assert_eq!(message(&app), "no code block 7: this page has blocks 1–2");
    // Esc leaves the prompt without copying.
    press(&mut app, "y esc");
    assert!(app.prompt.is_none());
    assert!(writes(&mut app).is_empty());
}

#[test]
fn copy_section_and_location() {
    let mut app = app();
    open(&mut app, "docs/ops/rotate.md");
    let l = anchor_line(&app, "check");
    app.pages.reader.as_mut().unwrap().scroll = l + 1;
    app.take_effects();
    app.update(Msg::Action(Action::CopySection));
    let w = writes(&mut app);
    assert_eq!(w.len(), 1);
    let (text, name) = app.pages.reader.as_ref().unwrap().section_text();
    assert_eq!(name, "Check");
    assert_eq!(text.lines().next(), Some("### Check"), "{text}");
    assert!(text.contains("Paragraph 5 about checking."));
    assert!(!text.contains("Afterwards"), "stops at the next section");
    assert_eq!(w[0], osc52(&text));
    press(&mut app, "c");
    assert_eq!(writes(&mut app), vec![osc52("runbooks:docs/ops/rotate.md")]);
    // The SCS docs get their site URL, at the section.
    app.env.specs = vec![SourceSpec::new(
        "runbooks",
        "https://github.com/SovereignCloudStack/docs",
    )];
    press(&mut app, "c");
    assert_eq!(
        writes(&mut app),
        vec![osc52("https://docs.scs.community/docs/ops/rotate#check")]
    );
}

#[test]
fn find_counts_wraps_and_is_drawn() {
    let mut app = app();
    open(&mut app, "docs/ops/rotate.md");
    press(&mut app, "/");
    type_text(&mut app, "fernet");
    press(&mut app, "enter");
    let f = || app.pages.reader.as_ref().unwrap().find.clone().unwrap();
    let n = f().matches.len();
    assert_eq!(n, 3, "one in block 1, two in block 2");
    assert_eq!(f().current, 0);
    let s = screen80(&app);
    assert!(s.contains("Find: fernet  1/3"), "{s}");
    press(&mut app, "n n");
    assert_eq!(
        app.pages
            .reader
            .as_ref()
            .unwrap()
            .find
            .as_ref()
            .unwrap()
            .current,
        2
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
        0,
        "wraps to the first"
    );
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
        2,
        "wraps to the last"
    );
    insta::assert_snapshot!("find_in_page_3_of_3", screen80(&app));
}

#[test]
fn outline_marks_the_section_and_jumps() {
    let mut app = app();
    open(&mut app, "docs/ops/rotate.md");
    let l = anchor_line(&app, "rotate-the-keys");
    app.pages.reader.as_mut().unwrap().scroll = l + 2;
    press(&mut app, "o");
    let p = app.panel.clone().unwrap();
    assert_eq!(p.kind, PanelKind::Outline);
    assert_eq!(p.cursor.selected, 1, "the current section is selected");
    insta::assert_snapshot!("outline_current_section", screen80(&app));
    press(&mut app, "j j enter");
    assert_eq!(scroll(&app), anchor_line(&app, "afterwards"));
    assert_eq!(app.pages.reader.as_ref().unwrap().section(), Some(3));
    assert!(screen80(&app).contains("▸ Afterwards"));
    press(&mut app, "o");
    assert!(app.panel.is_none());
}

fn spec(name: &str, url: &str) -> SourceSpec {
    SourceSpec::new(name, url)
}

#[test]
fn bookmarks_survive_a_restart_and_a_vanished_page_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut app = app_saving(&store, library(&files()));
    open(&mut app, "docs/ops/backup.md");
    let l = anchor_line(&app, "restore");
    app.pages.reader.as_mut().unwrap().scroll = l;
    press(&mut app, "m");
    assert_eq!(message(&app), "bookmarked Back up › Restore");
    press(&mut app, "m");
    assert_eq!(message(&app), "already bookmarked");
    open(&mut app, "docs/ops/rotate.md");
    press(&mut app, "m");
    drop(app);

    // A restart: a new app reads the bookmarks from the data dir.
    let mut app = app_saving(&store, library(&files()));
    assert_eq!(app.pages.history.bookmarks.items.len(), 2);
    press(&mut app, "'");
    assert_eq!(app.screen, Screen::Reader);
    insta::assert_snapshot!("bookmarks_list", screen80(&app));
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/backup.md");
    assert_eq!(scroll(&app), anchor_line(&app, "restore"));

    // A re-sync removed the backup page.
    let left: Vec<_> = files()
        .into_iter()
        .filter(|(p, _)| p != "docs/ops/backup.md")
        .collect();
    let mut app = app_saving(&store, library(&left));
    press(&mut app, "'");
    assert!(screen80(&app).contains("Back up › Restore  runbooks:docs/ops/backup.md  (page gone)"));
    press(&mut app, "enter");
    assert!(message(&app).contains("Back up (docs/ops/backup.md) is no longer in runbooks"));
    // Delete it.
    press(&mut app, "x");
    assert_eq!(app.pages.history.bookmarks.items.len(), 1);
    assert_eq!(store.bookmarks().items.len(), 1, "saved");
}

#[test]
fn history_and_recent_pages_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut app = app_saving(&store, library(&files()));
    open(&mut app, "docs/index.md");
    open(&mut app, "docs/ops/rotate.md");
    press(&mut app, "G");
    let bottom = scroll(&app);
    app.save_reading();
    drop(app);
    let mut app = app_saving(&store, library(&files()));
    press(&mut app, "r");
    let s = screen80(&app);
    assert!(s.contains("Recent pages  2"), "{s}");
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/rotate.md");
    assert_eq!(scroll(&app), bottom, "at the place it was left");
    press(&mut app, "backspace");
    assert_eq!(path(&app), "docs/index.md", "the back stack was kept");
}

#[test]
fn open_by_url_or_path() {
    let mut app = app();
    press(&mut app, ":");
    type_text(
        &mut app,
        "https://docs.scs.community/docs/ops/backup#restore",
    );
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/backup.md");
    assert_eq!(scroll(&app), anchor_line(&app, "restore"));
    press(&mut app, ":");
    type_text(&mut app, "docs/ops/rotate");
    assert!(screen80(&app).contains("Open URL or path: docs/ops/rotate"));
    press(&mut app, "enter");
    assert_eq!(path(&app), "docs/ops/rotate.md");
    press(&mut app, ":");
    type_text(&mut app, "/docs/nothing");
    press(&mut app, "enter");
    assert_eq!(message(&app), "no page at /docs/nothing");
}

#[test]
fn edit_gives_the_forge_url_or_the_local_file() {
    let mut app = app();
    open(&mut app, "docs/ops/rotate.md");
    app.env.specs = vec![spec("runbooks", "git@github.com:example/runbooks.git")];
    app.env.branches.insert("runbooks".into(), "main".into());
    app.take_effects();
    press(&mut app, "e");
    let url = "https://github.com/example/runbooks/edit/main/docs/ops/rotate.md";
    assert_eq!(writes(&mut app), vec![osc52(url)]);
    assert!(message(&app).contains(url));

    app.env.specs = vec![spec("runbooks", "git://127.0.0.1/runbooks")];
    press(&mut app, "e");
    assert!(message(&app).contains("not on GitHub or GitLab"));

    // A local folder: $EDITOR on the file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs/ops")).unwrap();
    std::fs::write(dir.path().join("docs/ops/rotate.md"), "# Rotate\n").unwrap();
    app.env.specs = vec![spec("runbooks", &dir.path().display().to_string())];
    press(&mut app, "e");
    let edits: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Edit(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(
        edits,
        vec![
            dir.path()
                .join("docs/ops/rotate.md")
                .canonicalize()
                .unwrap()
        ]
    );
}

#[test]
fn help_lists_the_reading_keys() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    press(&mut app, "?");
    let rows = app.help.rows(&app.keymap);
    for (action, key) in [
        (Action::NextLink, "tab"),
        (Action::HistoryBack, "backspace"),
        (Action::Outline, "o"),
        (Action::CopyBlock, "y"),
        (Action::OpenLocation, ":"),
        (Action::Edit, "e"),
    ] {
        assert!(
            rows.iter()
                .any(|r| r.action == action && r.keys.iter().any(|k| k == key)),
            "{action:?}"
        );
    }
}

#[test]
fn block_numbers_of_two_digits_wait_for_the_second_digit_or_enter() {
    let blocks: String = (1..=12)
        .map(|i| format!("Block {i}:\n\n```sh\necho {i}\n```\n\n"))
        .collect();
    let lib = library(&[("docs/many.md".into(), format!("# Many\n\n{blocks}"))]);
    let mut app = app_with(lib);
    open(&mut app, "docs/many.md");
    app.take_effects();
    press(&mut app, "y 1");
    assert!(
        writes(&mut app).is_empty(),
        "1 could be the start of 10, 11, 12"
    );
    assert!(screen80(&app).contains("Copy code block (1–12): 1"));
    press(&mut app, "2");
    assert_eq!(writes(&mut app), vec![osc52("echo 12\n")]);
    press(&mut app, "y 1 enter");
    assert_eq!(writes(&mut app), vec![osc52("echo 1\n")]);
    press(&mut app, "y 3");
    assert_eq!(
        writes(&mut app),
        vec![osc52("echo 3\n")],
        "no block 30: at once"
    );
}

#[test]
fn a_page_without_a_source_spec_has_nothing_to_edit() {
    let mut app = app();
    open(&mut app, "docs/index.md");
    press(&mut app, "e");
    assert!(
        message(&app).contains("is not from a configured source"),
        "{}",
        message(&app)
    );
    assert!(app.take_effects().is_empty());
}

#[test]
fn going_back_to_a_page_that_vanished_says_so_and_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut app = app_saving(&store, library(&files()));
    open(&mut app, "docs/ops/backup.md");
    open(&mut app, "docs/ops/rotate.md");
    app.save_reading();
    // After a re-sync without the backup page, a restart.
    let left: Vec<_> = files()
        .into_iter()
        .filter(|(p, _)| p != "docs/ops/backup.md")
        .collect();
    let mut app = app_saving(&store, library(&left));
    open(&mut app, "docs/ops/rotate.md");
    press(&mut app, "backspace");
    assert_eq!(path(&app), "docs/ops/rotate.md", "still on the page");
    assert!(
        message(&app).contains("Back up (docs/ops/backup.md) is no longer in runbooks"),
        "{}",
        message(&app)
    );
    assert!(app.message.as_ref().unwrap().error);
}

#[test]
fn report_and_edit_use_the_pages_origin() {
    let mut lib = data::memory_library(
        "runbooks",
        &files()
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    );
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let i = lib.find("runbooks", "docs/ops/rotate.md").unwrap();
    lib.docs[i].origin = Some(ken::source::FileOrigin {
        repo: "https://github.com/example/imported".into(),
        branch: Some("main".into()),
        commit: commit.into(),
        path: "guides/rotate.md".into(),
    });
    let mut app = app_with(Arc::new(lib));
    app.env.specs = vec![spec("runbooks", "https://github.com/example/site")];
    open(&mut app, "docs/ops/rotate.md");
    assert!(
        screen80(&app).contains("from: example/imported guides/rotate.md @ 0123456789"),
        "{}",
        screen80(&app)
    );
    press(&mut app, "e");
    assert_eq!(
        writes(&mut app),
        vec![osc52(
            "https://github.com/example/imported/edit/main/guides/rotate.md"
        )]
    );

    // "Report a problem" with the section at the top: its heading (line 43 of the file) to
    // the last line before the next heading of its level, blank lines left out.
    let at = anchor_line(&app, "rotate-the-keys");
    app.pages.reader.as_mut().unwrap().scroll = at;
    press(&mut app, "!");
    let w = writes(&mut app);
    assert_eq!(w.len(), 1);
    use base64::Engine;
    let payload = &w[0][b"\x1b]52;c;".len()..w[0].len() - 1];
    let url = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(
        url.starts_with(
            "https://github.com/example/imported/issues/new?title=Problem%20on%20the%20page%20%22Rotate%22&body="
        ),
        "{url}"
    );
    assert!(
        url.contains(&format!(
            "blob%2F{commit}%2Fguides%2Frotate%2Emd%23L43%2DL68%0A"
        )),
        "{url}"
    );
    assert!(url.contains("%3E%20Run%20this%3A%0A"), "{url}");
    assert!(url.contains("Paragraph%205%20about%20checking"), "{url}");
    assert!(!url.contains("afterwards"), "{url}");
    assert!(
        message(&app).contains(&format!(
            "https://github.com/example/imported/blob/{commit}/guides/rotate.md#L43-L68"
        )),
        "{}",
        message(&app)
    );
}
