//! What the UI thread is handed when a library arrives, so that taking it in costs the same
//! for 40,000 pages as for ten: the sites (where each page's links go) are made on the
//! loading thread, and the library it replaces goes to the search thread to be freed.

use crate::common;
use crate::ui_common;

use std::sync::{Arc, Weak};

use common::Ken;
use ken::ui::data::{self, Library};
use ken::ui::msg::{Effect, JobMsg, Msg};

#[test]
fn a_loaded_library_arrives_with_its_sites_made_and_they_route_as_ones_made_later() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir_all(kb.join("docs/guides")).unwrap();
    std::fs::write(kb.join("docs/a.md"), "# Alpha\n\n[to b](guides/b.md)\n").unwrap();
    std::fs::write(kb.join("docs/guides/b.md"), "---\nslug: /bee\n---\n# Bee\n").unwrap();
    let ken = Ken::new();
    let flag = format!("kb={}", kb.display());
    let r = common::run(ken.cmd(&["--source", &flag, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config = ken.config_for(&flag);

    let lib = data::load_library(ken::base::Base::open(config.clone()));
    assert_eq!(lib.docs.len(), 2);
    assert!(lib.has_site("kb"), "the site is made before the UI gets it");
    // The same routes as the site made when first asked for (as before).
    let base = ken::base::Base::open(config);
    let later = base.library();
    let later = Library::new(
        later.docs,
        later.tree,
        Vec::new(),
        data::memory_library("kb", &[]).pages.clone(),
        false,
    )
    .with_sites(later.sites);
    assert!(!later.has_site("kb"));
    for d in &lib.docs {
        assert_eq!(
            lib.site("kb").route(&d.path),
            later.site("kb").route(&d.path),
            "{}",
            d.path
        );
    }
    assert!(lib.site("kb").route("docs/guides/b.md").is_some());
}

#[test]
fn the_library_replaced_is_handed_to_the_search_thread_and_not_kept() {
    let mut app = ui_common::app();
    let _ = app.take_effects();
    let first: Weak<Library> = Arc::downgrade(&app.lib);
    let next = ui_common::site();
    app.update(Msg::Job(JobMsg::Library(next.clone())));
    let effects = app.take_effects();
    let handed = effects.iter().find_map(|e| match e {
        Effect::SearchIn { lib, replaced } => Some((lib.clone(), replaced.clone())),
        _ => None,
    });
    let (searched, replaced) = handed.expect("the new library is searched");
    assert!(Arc::ptr_eq(&searched, &next));
    assert!(Arc::ptr_eq(&replaced, &first.upgrade().unwrap()));
    assert!(Arc::ptr_eq(&app.lib, &next), "the new library is shown");
    // Once the effect is done with (the search thread drops it), nothing holds the old one.
    drop((effects, replaced));
    assert!(
        first.upgrade().is_none(),
        "the app kept the replaced library"
    );
}
