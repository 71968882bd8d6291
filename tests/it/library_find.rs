//! Which page a name means, through `ken show` and through the library API the terminal UI
//! uses (`Base::find_direct` for `ken DOC`, `Library::find` for the `:` prompt and `ken DOC`
//! once the library is in): one set of rules, pinned where the four lookups ken had once
//! disagreed. The fixture (tests/fixtures/routed) is a Docusaurus site with its own URL, a
//! numbered folder with an index page, and a client redirect into that folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::keymap::Keymap;
use ken::library::FindError;
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data;
use ken::ui::msg::Msg;

use crate::common::{Ken, run};
use crate::ui_common::{press, type_text};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/routed")
}

/// A knowledge base of the given `NAME=PATH` sources, with its own config and data dir.
fn base(tmp: &Path, sources: &[String]) -> Base {
    let config = Config::load(&Inputs {
        source_flags: sources.to_vec(),
        env_config_dir: Some(tmp.join("config")),
        env_data_dir: Some(tmp.join("data")),
        ..Default::default()
    })
    .expect("config");
    Base::open(config)
}

fn kb(tmp: &Path) -> Base {
    base(tmp, &[format!("kb={}", fixture().display())])
}

/// What each way of looking up answers for `name`: (`ken DOC` before the library is in,
/// `ken show`'s lookup, the loaded library's lookup), as paths.
fn lookups(base: &Base, name: &str) -> (Option<String>, Option<String>, Option<String>) {
    let direct = base
        .find_direct(name)
        .and_then(Result::ok)
        .map(|f| f.doc.path);
    let find = base.find(name).ok().map(|f| f.doc.path);
    let lib = base.library();
    let library = lib.find(name).ok().map(|f| lib.docs[f.index].path.clone());
    (direct, find, library)
}

/// `ken show NAME` over the fixture: the page's first line of text.
fn show(name: &str) -> String {
    let ken = Ken::new();
    let src = format!("kb={}", fixture().display());
    let r = run(ken.cmd(&["--source", &src, "show", "--width", "60", name]));
    assert_eq!(r.code, 0, "ken show {name}: {}", r.stderr);
    r.stdout
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn a_folder_means_its_index_page_with_or_without_a_slash() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = kb(tmp.path());
    let index = Some("docs/02-operations/index.md".to_string());
    for name in [
        "docs/02-operations/",
        "docs/02-operations",
        "kb:docs/02-operations/",
    ] {
        assert_eq!(
            lookups(&base, name),
            (index.clone(), index.clone(), index.clone()),
            "{name}"
        );
    }
    assert_eq!(show("docs/02-operations/"), "Operations");
}

#[test]
fn a_path_without_its_extension_and_a_route_that_is_a_path() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = kb(tmp.path());
    let install = Some("docs/install.md".to_string());
    assert_eq!(
        lookups(&base, "docs/install"),
        (install.clone(), install.clone(), install.clone())
    );
    assert_eq!(show("./docs/install"), "Install");
    // A leading slash: no site serves `/docs/install.md`, so it is taken as a path.
    let (_, find, library) = lookups(&base, "/docs/install.md");
    assert_eq!((find, library), (install.clone(), install));
    let lib = base.library();
    let found = lib.find("docs/install#step-2").expect("found");
    assert_eq!(found.anchor.as_deref(), Some("step-2"));
}

#[test]
fn routes_drop_number_prefixes_and_site_urls_follow_the_sources_redirects() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = kb(tmp.path());
    let backup = Some("docs/02-operations/backup.md".to_string());
    for name in [
        "/docs/operations/backup",
        "https://docs.example.org/docs/operations/backup#restore",
        // The redirect is in the source's docusaurus.config.js, not in any default routing.
        "https://docs.example.org/docs/old-backup",
        "/docs/old-backup/",
    ] {
        let (direct, find, library) = lookups(&base, name);
        assert_eq!(direct, None, "{name}: a route is not a path");
        assert_eq!((find, library), (backup.clone(), backup.clone()), "{name}");
    }
    assert_eq!(show("https://docs.example.org/docs/old-backup"), "Back up");
    assert_eq!(show("/docs/operations/backup"), "Back up");
    let lib = base.library();
    let found = lib
        .find("https://docs.example.org/docs/operations/backup#restore")
        .expect("found");
    assert_eq!(found.anchor.as_deref(), Some("restore"));
}

#[test]
fn a_name_in_two_sources_asks_for_the_source() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = fixture().display().to_string();
    let base = base(tmp.path(), &[format!("kb={dir}"), format!("kb2={dir}")]);
    let lib = base.library();
    for name in ["docs/install", "/docs/operations/backup"] {
        let e = lib.find(name).expect_err("ambiguous");
        assert!(
            matches!(&e, FindError::Ambiguous { sources, .. } if sources == "kb, kb2"),
            "{name}: {e}"
        );
        assert_eq!(
            base.find(name).map(|f| f.doc.path).expect_err("ambiguous"),
            e
        );
    }
    let found = lib.find("kb2:docs/install").expect("found");
    assert_eq!(lib.docs[found.index].source, "kb2");
    let found = base.find("kb2:/docs/operations/backup").expect("found");
    assert_eq!(
        (found.doc.source.as_str(), found.doc.path.as_str()),
        ("kb2", "docs/02-operations/backup.md")
    );
}

#[test]
fn a_missing_page_suggests_the_likely_ones() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let base = kb(tmp.path());
    let e = base
        .find("docs/backup.md")
        .map(|f| f.doc.path)
        .expect_err("missing");
    assert!(
        e.to_string().starts_with(
            "no document \"docs/backup.md\"; did you mean docs/02-operations/backup.md"
        ),
        "{e}"
    );
    assert_eq!(
        base.library().find("docs/backup.md").expect_err("missing"),
        e
    );
}

/// The reader over the fixture as `ken` loads it (the library with the source's routing).
fn reader_app(base: Base) -> App {
    let km = Keymap::preset("default").expect("default keymap");
    let theme = Theme::preset("default", Depth::None).expect("default theme");
    let mut app = App::new(
        ken::ui::env::Env::default(),
        km,
        theme,
        Arc::new(data::load_library(base)),
    );
    app.update(Msg::Resize(80, 24));
    app.take_effects();
    app
}

fn open_prompt(app: &mut App, text: &str) -> String {
    press(app, ":");
    type_text(app, text);
    press(app, "enter");
    app.pages.reader.as_ref().map_or_else(
        || {
            app.message
                .as_ref()
                .map_or(String::new(), |m| m.text.clone())
        },
        |r| r.doc.path.clone(),
    )
}

#[test]
fn the_open_prompt_takes_every_name_ken_show_takes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut app = reader_app(kb(tmp.path()));
    assert_eq!(
        open_prompt(&mut app, "https://docs.example.org/docs/old-backup#restore"),
        "docs/02-operations/backup.md"
    );
    let r = app.pages.reader.as_ref().expect("a page");
    assert_eq!(
        r.layout.anchor_line("restore"),
        Some(r.scroll),
        "at the anchor"
    );
    assert_eq!(
        open_prompt(&mut app, "docs/02-operations/"),
        "docs/02-operations/index.md"
    );
    assert_eq!(open_prompt(&mut app, "kb:docs/install"), "docs/install.md");
    assert_eq!(
        open_prompt(&mut app, "/docs/operations/backup"),
        "docs/02-operations/backup.md"
    );
}
