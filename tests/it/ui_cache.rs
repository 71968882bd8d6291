//! The reader with the highlight cache on (a process-wide setting, hence a test binary of
//! its own): a page whose code was highlighted before opens coloured, with no background job.

use std::sync::Arc;

use ken::keymap::Keymap;
use ken::markdown::{self, hlcache};
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data;
use ken::ui::msg::{Effect, Msg};

const PAGE: &str = "# Restart\n\nRun:\n\n```bash\nsystemctl restart apache2 # now\n```\n";

fn open(app: &mut App) -> bool {
    app.open_doc(0, None, data::Terms::default());
    app.take_effects()
        .iter()
        .any(|e| matches!(e, Effect::Highlight { .. }))
}

#[test]
fn a_page_highlighted_before_opens_coloured() {
    let dir = tempfile::tempdir().expect("tempdir");
    hlcache::enable(dir.path().join("highlight"));
    let lib = Arc::new(data::memory_library("kb", &[("restart.md", PAGE)]));
    let km = Keymap::preset("default").expect("keymap");
    let theme = Theme::preset("default", Depth::None).expect("theme");
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib);
    app.update(Msg::Resize(80, 24));

    // Never highlighted: plain at once, colours from a background job.
    assert!(
        open(&mut app),
        "a highlight job for a page not in the cache"
    );
    assert!(
        app.pages
            .reader
            .as_ref()
            .expect("reader")
            .page
            .wants_highlight
    );

    // Once highlighted (as the job does), the page is in the cache.
    let doc = markdown::model::parse(PAGE, None, markdown::Options::default());
    let classes = doc.code_blocks[0].lines[0]
        .iter()
        .filter(|(c, _)| c.is_some());
    assert!(classes.count() > 0, "the code has classes");
    assert!(hlcache::has(PAGE));
    assert!(!open(&mut app), "no job needed");
    assert!(
        !app.pages
            .reader
            .as_ref()
            .expect("reader")
            .page
            .wants_highlight
    );
}
