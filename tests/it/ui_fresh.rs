//! How current a page is, in the terminal UI: the reader's header says when the page last
//! changed and by whom (repositories built here with fixed dates, served by git daemon and
//! synced by ken), a Deprecated standard names its successor and a key opens it, search
//! results show each page's age and retired standards, and a page that changed since it was
//! read is marked in the library and the results.

use std::sync::Arc;

use crate::common::{GitDaemon, Ken, Repo, run};
use crate::ui_common::{answer_searches, press, screen80, type_text};
use ken::keymap::Keymap;
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data::{self, Library};
use ken::ui::msg::{JobMsg, Msg};

/// 2021-06-01T12:00:00Z, the committer date of the fixtures' last edit.
const EDITED: u64 = 1_622_548_800;
const DAY: u64 = 86_400;

const OLD: &str = "---\ntitle: Flavor naming v2\ntype: Standard\nstatus: Deprecated\n\
    track: IaaS\ndeprecated_at: 2023-01-01\nreplaced_by: scs-0100-v3-flavor-naming.md\n---\n\n\
    # Flavor naming v2\n\nThe old flavor names.\n";
const NEW: &str = "---\ntitle: Flavor naming v3\ntype: Standard\nstatus: Stable\ntrack: IaaS\n\
    stabilized_at: 2023-01-01\n---\n\n# Flavor naming v3\n\nThe flavor names in force.\n";

/// A repository with a runbook edited by Alice on 2021-06-01 and a standard superseded by
/// its next version, synced by a ken of its own.
struct Synced {
    _tmp: tempfile::TempDir,
    repo: Repo,
    ken: Ken,
    source: String,
    _daemon: GitDaemon,
}

fn synced() -> Synced {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("backup.md", "# Backups\n\nRun the nightly backup.\n")
        .write("Standards/scs-0100-v2-flavor-naming.md", OLD)
        .write("Standards/scs-0100-v3-flavor-naming.md", NEW);
    repo.commit_at(
        "Start",
        "Carol",
        "2020-01-01 10:00:00 +0000",
        "2020-01-01 10:00:00 +0000",
    );
    repo.write(
        "backup.md",
        "# Backups\n\nRun the nightly backup, then check it.\n",
    );
    repo.commit_at(
        "Check backups",
        "Alice",
        "2021-05-30 09:00:00 +0000",
        "2021-06-01 12:00:00 +0000",
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let source = format!("kb={}", daemon.url("docs"));
    sync(&ken, &source);
    Synced {
        _tmp: tmp,
        repo,
        ken,
        source,
        _daemon: daemon,
    }
}

fn sync(ken: &Ken, source: &str) {
    let r = run(ken.cmd(&["--source", source, "sync"]));
    assert_eq!(r.code, 0, "ken sync failed: {}", r.stderr);
}

/// The library the UI loads in the background, for this ken and source.
fn library(s: &Synced) -> Arc<Library> {
    let config = s.ken.config_for(&s.source);
    Arc::new(data::load_library(ken::base::Base::open(config)))
}

fn app_over(lib: Arc<Library>, now: u64) -> App {
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib);
    app.update(Msg::Resize(80, 24));
    app.status.now = now;
    app
}

fn open(app: &mut App, path: &str) {
    let i = app
        .lib
        .find("kb", path)
        .unwrap_or_else(|| panic!("{path} in the library"));
    app.open_doc(i, None, Default::default());
}

#[test]
fn the_reader_header_says_when_and_by_whom_the_page_last_changed() {
    let s = synced();
    let mut app = app_over(library(&s), EDITED + 21 * DAY);
    open(&mut app, "backup.md");
    let shown = screen80(&app);
    let head = shown.lines().next().unwrap();
    assert!(head.starts_with("Backups"), "{shown}");
    assert!(
        head.ends_with("changed 3 weeks ago by Alice"),
        "the committer date and the author, at the right of the title:\n{shown}"
    );
    // A clock that is behind the commit shows the date as it is, never a negative age.
    app.status.now = EDITED - 30 * DAY;
    let shown = screen80(&app);
    assert!(
        shown.contains("changed 2021-06-01 (in the future) by Alice"),
        "{shown}"
    );
}

#[test]
fn a_local_folder_page_is_dated_by_its_modification_time() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.md"), "# Notes\n\nToday's notes.\n").unwrap();
    let ken = Ken::new();
    let source = format!("kb={}", tmp.path().display());
    sync(&ken, &source);
    let config = ken.config_for(&source);
    let lib = Arc::new(data::load_library(ken::base::Base::open(config)));
    let mut app = app_over(lib, ken::state::now());
    open(&mut app, "notes.md");
    let shown = screen80(&app);
    let head = shown.lines().next().unwrap();
    assert!(
        head.ends_with("changed today"),
        "no author for a file:\n{shown}"
    );
}

#[test]
fn a_deprecated_standard_links_to_its_successor() {
    let lib = Arc::new(data::memory_library(
        "kb",
        &[
            ("Standards/scs-0100-v2-flavor-naming.md", OLD),
            ("Standards/scs-0100-v3-flavor-naming.md", NEW),
        ],
    ));
    let mut app = app_over(lib, EDITED);
    open(&mut app, "Standards/scs-0100-v2-flavor-naming.md");
    let shown = screen80(&app);
    let facts = shown.lines().nth(1).unwrap();
    assert!(
        facts.starts_with("superseded by scs-0100-v3 (R) · "),
        "the successor first, with the key that opens it:\n{shown}"
    );
    press(&mut app, "R");
    let shown = screen80(&app);
    assert!(
        shown.starts_with("Flavor naming v3"),
        "R opens the successor:\n{shown}"
    );
    assert!(!shown.contains("superseded"), "{shown}");
    // Back is a step in history, as for any link.
    press(&mut app, "backspace");
    assert!(screen80(&app).starts_with("Flavor naming v2"));
}

#[test]
fn search_results_show_each_page_s_age_and_retired_standards() {
    let s = synced();
    let lib = library(&s);
    let mut app = app_over(lib.clone(), EDITED + 21 * DAY);
    press(&mut app, "s");
    type_text(&mut app, "flavor");
    answer_searches(&mut app, &lib);
    let shown = screen80(&app);
    let old = shown
        .lines()
        .find(|l| l.starts_with("Flavor naming v2"))
        .unwrap_or_else(|| panic!("v2 listed:\n{shown}"));
    assert!(
        old.contains("Deprecated → scs-0100-v3"),
        "a retired standard is marked with its successor:\n{shown}"
    );
    // Created on 2020-01-01 and never changed since: 17 months before "now".
    assert!(old.ends_with(" 17mo"), "its age at the right:\n{shown}");
    let new = shown
        .lines()
        .find(|l| l.starts_with("Flavor naming v3"))
        .unwrap();
    assert!(!new.contains("Deprecated"), "{shown}");

    press(&mut app, "ctrl-u");
    type_text(&mut app, "nightly");
    answer_searches(&mut app, &lib);
    let shown = screen80(&app);
    let hit = shown.lines().find(|l| l.starts_with("Backups")).unwrap();
    assert!(hit.ends_with(" 3w"), "{shown}");
}

#[test]
fn a_page_changed_since_it_was_read_is_marked() {
    let s = synced();
    let mut app = app_over(library(&s), EDITED + DAY);
    open(&mut app, "backup.md");
    open(&mut app, "Standards/scs-0100-v3-flavor-naming.md");
    press(&mut app, "q");
    let before = screen80(&app);
    assert!(!before.contains('•'), "nothing changed since:\n{before}");

    // Bob edits the runbook after it was read; the next sync brings the edit.
    s.repo.write(
        "backup.md",
        "# Backups\n\nRun the nightly backup, then check it twice.\n",
    );
    s.repo.commit_at(
        "Check twice",
        "Bob",
        "2021-06-10 09:00:00 +0000",
        "2021-06-10 09:00:00 +0000",
    );
    sync(&s.ken, &s.source);
    let lib = library(&s);
    app.update(Msg::Job(JobMsg::Library(lib.clone())));
    let shown = screen80(&app);
    let row = shown
        .lines()
        .find(|l| l.contains("Backups"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(row.ends_with("Backups •"), "{shown}");
    assert_eq!(
        shown.matches('•').count(),
        1,
        "only the changed page:\n{shown}"
    );
    // In the search results too, before the title.
    press(&mut app, "s");
    type_text(&mut app, "nightly");
    answer_searches(&mut app, &lib);
    assert!(screen80(&app).contains("• Backups"));
    // Read again, it is no news any more.
    press(&mut app, "enter");
    press(&mut app, "q q");
    assert!(!screen80(&app).contains('•'), "{}", screen80(&app));
}

#[test]
fn the_what_s_new_screen_lists_the_last_sync_s_changes_and_opens_them() {
    let s = synced();
    // The next sync brings a rename, an edit and a standard that changes status.
    std::fs::create_dir_all(s.repo.dir.join("ops")).unwrap();
    s.repo.git(&["mv", "backup.md", "ops/backups.md"]);
    s.repo.write(
        "Standards/scs-0100-v3-flavor-naming.md",
        NEW.replace(
            "The flavor names in force.",
            "The flavor names in force, now with GPUs.",
        ),
    );
    s.repo.write(
        "Standards/scs-0200-v1-gpus.md",
        "---\ntitle: GPUs\ntype: Standard\nstatus: Draft\ntrack: IaaS\n---\n\n# GPUs\n\nSoon.\n",
    );
    s.repo.commit_at(
        "Move backups under ops",
        "Bob",
        "2021-06-20 09:00:00 +0000",
        "2021-06-20 09:00:00 +0000",
    );
    sync(&s.ken, &s.source);
    let mut app = app_over(library(&s), EDITED + 21 * DAY);

    press(&mut app, "W");
    assert!(
        app.take_effects().contains(&ken::ui::msg::Effect::News),
        "the key asks for the news"
    );
    assert!(screen80(&app).contains("reading the history…"));
    // What the job does with that effect: the news of `ken news --since last-sync`.
    let all = ken::history::news::all(
        &ken::base::Base::open(s.ken.config_for(&s.source)),
        &ken::history::news::Since::LastSync,
    );
    app.update(Msg::Job(JobMsg::News(Arc::new(all))));
    let shown = screen80(&app);
    assert!(
        shown.starts_with("What's new since the last sync  3 pages changed\nkb: "),
        "{shown}"
    );
    assert!(shown.contains(", 1 commit\n"), "{shown}");
    let renamed = shown
        .lines()
        .position(|l| l.contains("renamed  ops/backups.md (from backup.md)  Backups"))
        .unwrap_or_else(|| panic!("the rename with its old path:\n{shown}"));
    assert!(shown.contains("new draft scs-0200-v1"), "{shown}");
    assert!(
        shown.contains("added    Standards/scs-0200-v1-gpus.md"),
        "{shown}"
    );
    assert!(
        shown.contains("sections: Flavor naming v3"),
        "the changed section of the edited standard:\n{shown}"
    );
    assert!(
        shown.contains("2 days ago  Bob: Move backups under ops"),
        "the commit under each page:\n{shown}"
    );

    // Enter on the renamed page's row opens it at its new path.
    for _ in 1..renamed {
        press(&mut app, "j");
    }
    press(&mut app, "enter");
    let page = screen80(&app);
    assert!(page.starts_with("Backups"), "{page}");
    assert!(
        page.lines().nth(1).unwrap().starts_with("ops/backups.md"),
        "{page}"
    );
    // Back comes to the news, as they were.
    press(&mut app, "q");
    assert!(screen80(&app).starts_with("What's new"));
}

#[test]
fn the_diff_of_a_page_since_the_last_sync_marks_added_and_removed_lines() {
    let s = synced();
    s.repo.write(
        "backup.md",
        "# Backups\n\nRun the nightly backup.\n\nRestore one file a week to be sure.\n",
    );
    s.repo.commit_at(
        "Backups: restore weekly",
        "Bob",
        "2021-06-15 09:00:00 +0000",
        "2021-06-15 09:00:00 +0000",
    );
    sync(&s.ken, &s.source);
    let mut app = app_over(library(&s), EDITED + 21 * DAY);
    open(&mut app, "backup.md");
    app.take_effects();
    press(&mut app, "D");
    let asked = app.take_effects();
    assert!(
        asked.contains(&ken::ui::msg::Effect::Diff {
            source: "kb".into(),
            path: "backup.md".into()
        }),
        "{asked:?}"
    );
    // What the job does with that effect.
    let base = ken::base::Base::open(s.ken.config_for(&s.source));
    let result = ken::ui::diff::since_last_sync(&base, "kb", "backup.md");
    app.update(Msg::Job(JobMsg::Diffed(ken::ui::msg::Diffed {
        source: "kb".into(),
        path: "backup.md".into(),
        result,
    })));
    let shown = screen80(&app);
    assert!(
        shown.contains("\n+ Restore one file a week to be sure.\n"),
        "{shown}"
    );
    assert!(shown.contains("\n+ Run the nightly backup.\n"), "{shown}");
    assert!(
        shown.contains("\n- Run the nightly backup, then check it.\n"),
        "the removed line, in place:\n{shown}"
    );
    assert!(
        shown
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("changes: 2 lines added, 1 removed since "),
        "{shown}"
    );
    // The removed line is struck through (the theme's diff.removed, even without colour).
    let lib_line = shown
        .lines()
        .position(|l| l.starts_with("- Run the nightly"))
        .unwrap() as u16;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| ken::ui::views::draw(&app, f)).unwrap();
    let cell = &t.backend().buffer()[(4, lib_line)];
    assert!(
        cell.modifier
            .contains(ratatui::style::Modifier::CROSSED_OUT),
        "{cell:?}"
    );
    // The key again shows the page as it reads.
    press(&mut app, "D");
    let page = screen80(&app);
    assert!(!page.contains("+ Restore"), "{page}");
    assert!(page.contains("Restore one file a week"), "{page}");

    // A page the sync did not change says so.
    open(&mut app, "Standards/scs-0100-v3-flavor-naming.md");
    let result =
        ken::ui::diff::since_last_sync(&base, "kb", "Standards/scs-0100-v3-flavor-naming.md");
    app.update(Msg::Job(JobMsg::Diffed(ken::ui::msg::Diffed {
        source: "kb".into(),
        path: "Standards/scs-0100-v3-flavor-naming.md".into(),
        result,
    })));
    assert!(screen80(&app).contains("the last sync did not change this page"));
}

#[test]
fn a_page_s_problems_are_in_its_header_and_the_list_jumps_to_the_line() {
    let s = synced();
    let mut text = String::from("# Guide\n\n");
    for i in 0..40 {
        text.push_str(&format!("Paragraph {i} of the guide.\n\n"));
    }
    text.push_str("## Links\n\nAlso read [the missing page](gone.md) for more.\n\n");
    for i in 0..40 {
        text.push_str(&format!("Afterword {i}.\n\n"));
    }
    s.repo.write("guide.md", &text);
    s.repo.commit("Guide");
    sync(&s.ken, &s.source);
    let config = s.ken.config_for(&s.source);
    let lib = library(&s);
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let env = ken::ui::env::Env {
        specs: config.sources.clone(),
        ..Default::default()
    };
    let mut app = App::new(env, km, theme, lib);
    app.update(Msg::Resize(80, 24));
    app.status.now = EDITED;
    open(&mut app, "guide.md");
    let asked = app.take_effects();
    let generation = asked
        .iter()
        .find_map(|e| match e {
            ken::ui::msg::Effect::Check {
                source,
                path,
                generation,
            } if source == "kb" && path == "guide.md" => Some(*generation),
            _ => None,
        })
        .unwrap_or_else(|| panic!("opening a page checks it in the background: {asked:?}"));
    assert!(!screen80(&app).contains("problem"), "not known yet");
    // What the job does with that effect: `ken check`'s rules over the page, judged against
    // the source's copy.
    let base = ken::base::Base::open(config.clone());
    let checker = ken::check::page::PageCheck::new(&base, &config.sources[0]).unwrap();
    let answer = |path: &str| JobMsg::Checked {
        generation,
        source: "kb".into(),
        path: path.into(),
        result: Ok(checker.page(path).findings),
    };
    app.update(Msg::Job(answer("guide.md")));
    let shown = screen80(&app);
    assert!(
        shown
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("1 problem (P) · guide.md"),
        "{shown}"
    );
    assert!(
        !shown.contains("the missing page"),
        "below the screen at first:\n{shown}"
    );

    press(&mut app, "P");
    let list = screen80(&app);
    assert!(list.contains("Problems (ken check)  1"), "{list}");
    assert!(
        list.contains("85:30 error: the link \"gone.md\" leads nowhere"),
        "the file's line and column, and what is wrong:\n{list}"
    );
    press(&mut app, "enter");
    let page = screen80(&app);
    assert!(
        page.lines()
            .nth(2)
            .is_some_and(|l| l.contains("Also read the missing page for more.")),
        "the page scrolled to the problem's line, the list closed:\n{page}"
    );
    // Another page of the source is checked alone (not the whole source again), and says it
    // has no problem.
    open(&mut app, "backup.md");
    let asked: Vec<_> = app
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, ken::ui::msg::Effect::Check { .. }))
        .collect();
    assert_eq!(
        asked,
        [ken::ui::msg::Effect::Check {
            source: "kb".into(),
            path: "backup.md".into(),
            generation
        }]
    );
    app.update(Msg::Job(answer("backup.md")));
    press(&mut app, "P");
    assert!(screen80(&app).contains("ken check finds no problem in this page"));
}

/// The page checks the app asks for, as (path, generation).
fn checks_asked(app: &mut App) -> Vec<(String, u64)> {
    app.take_effects()
        .into_iter()
        .filter_map(|e| match e {
            ken::ui::msg::Effect::Check {
                path, generation, ..
            } => Some((path, generation)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_new_library_checks_the_open_page_again_and_drops_answers_for_the_old_one() {
    let s = synced();
    s.repo
        .write("guide.md", "# Guide\n\nSee [the plan](plan.md).\n");
    s.repo.commit("Guide");
    sync(&s.ken, &s.source);
    let config = s.ken.config_for(&s.source);
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let env = ken::ui::env::Env {
        specs: config.sources.clone(),
        ..Default::default()
    };
    let mut app = App::new(env, km, theme, library(&s));
    app.update(Msg::Resize(80, 24));
    app.status.now = EDITED;
    open(&mut app, "guide.md");
    let first = checks_asked(&mut app);
    let [(path, old)] = &first[..] else {
        panic!("one check asked: {first:?}")
    };
    assert_eq!(path, "guide.md");
    // The plan is written and synced: the library is loaded again while the page is open.
    s.repo.write("plan.md", "# Plan\n");
    s.repo.commit("Plan");
    sync(&s.ken, &s.source);
    app.update(Msg::Job(JobMsg::Library(library(&s))));
    let again = checks_asked(&mut app);
    let [(path, new)] = &again[..] else {
        panic!("the open page is checked again for the new library: {again:?}")
    };
    assert_eq!(path, "guide.md");
    assert!(new > old);
    // The answer asked for the old library comes late: the broken link it found is gone
    // now, and is not shown.
    let base = ken::base::Base::open(config.clone());
    let checker = ken::check::page::PageCheck::new(&base, &config.sources[0]).unwrap();
    assert!(checker.page("guide.md").findings.is_empty());
    let missing = ken::check::Finding::new(
        ken::check::LINK_MISSING_PAGE,
        "guide.md",
        ken::check::Pos::new(3, 5),
        "the link \"plan.md\" leads nowhere",
    );
    app.update(Msg::Job(JobMsg::Checked {
        generation: *old,
        source: "kb".into(),
        path: "guide.md".into(),
        result: Ok(vec![missing]),
    }));
    assert!(!screen80(&app).contains("problem"), "{}", screen80(&app));
    app.update(Msg::Job(JobMsg::Checked {
        generation: *new,
        source: "kb".into(),
        path: "guide.md".into(),
        result: Ok(checker.page("guide.md").findings),
    }));
    press(&mut app, "P");
    assert!(screen80(&app).contains("ken check finds no problem in this page"));
}

#[test]
fn a_shallow_mirror_s_page_says_its_date_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let at = |d: &str| format!("{d} 12:00:00 +0000");
    repo.write("a.md", "# A\n").write("b.md", "# B\n");
    repo.commit_at("Start", "T", &at("2020-01-01"), &at("2020-01-01"));
    repo.write("b.md", "# B\n\nedited\n");
    repo.commit_at("Edit b", "T", &at("2020-06-01"), &at("2020-06-01"));
    repo.write("a.md", "# A\n\nedited\n");
    repo.commit_at("Edit a", "Tess", &at("2021-01-01"), &at("2021-01-01"));
    // Two commits deep: the edit of b is the boundary, whose parent is not there.
    let shallow = tmp.path().join("shallow");
    crate::common::git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &format!("file://{}", repo.dir.display()),
            &shallow.display().to_string(),
        ],
    );
    let ken = Ken::new();
    let source = format!("kb={}", shallow.display());
    sync(&ken, &source);
    let config = ken.config_for(&source);
    let lib = Arc::new(data::load_library(ken::base::Base::open(config)));
    // 2021-01-15: two weeks after the last commit.
    let mut app = app_over(lib, 1_610_712_000);
    open(&mut app, "b.md");
    let head = screen80(&app).lines().next().unwrap().to_string();
    assert!(head.ends_with("dates unknown (shallow mirror)"), "{head}");
    open(&mut app, "a.md");
    let head = screen80(&app).lines().next().unwrap().to_string();
    assert!(head.ends_with("changed 2 weeks ago by Tess"), "{head}");
}
