//! The terminal UI's watcher of local folders (`Jobs::watch`), which sets its watches up on
//! its own thread (a 40,000-page folder takes most of a second to watch): a folder that
//! cannot be watched is still said in the status bar, and an edit in one that is watched
//! still reaches the app as the changed page and a reloaded library.

use crate::common;

use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::Ken;
use ken::ui::msg::{JobMsg, Msg};

/// The next job message that `want` picks, within 30 s (a panic naming `what` otherwise).
fn next<T>(rx: &Receiver<Msg>, what: &str, mut want: impl FnMut(JobMsg) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Msg::Job(j)) => {
                if let Some(t) = want(j) {
                    return t;
                }
            }
            Ok(_) => {}
            Err(e) => panic!("no {what} from the watcher: {e}"),
        }
    }
}

#[test]
fn the_watcher_says_a_folder_it_cannot_watch_and_reports_an_edit_in_one_it_watches() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir_all(kb.join("docs")).unwrap();
    std::fs::write(kb.join("docs/a.md"), "# Alpha\n\nFirst words.\n").unwrap();
    let gone = tmp.path().join("gone");
    let ken = Ken::new();
    let kb_flag = format!("kb={}", kb.display());
    let r = common::run(ken.cmd(&["--source", &kb_flag, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config = ken::config::Config::load(&ken::config::Inputs {
        source_flags: vec![kb_flag, format!("gone={}", gone.display())],
        env_config_dir: Some(ken.config_dir()),
        env_data_dir: Some(ken.data_dir()),
        ..Default::default()
    })
    .expect("config");

    let (tx, rx) = channel();
    let jobs = ken::ui::jobs::Jobs::start(tx, ken::ui::jobs::memory_factory());
    jobs.watch(config);
    // The folders are watched in order, so once the missing one is said, `kb` is watched.
    let notice = next(&rx, "notice", |j| match j {
        JobMsg::Notice(n) => Some(n),
        _ => None,
    });
    assert!(
        notice.starts_with("not watching gone (")
            && notice.ends_with("ken sync picks up its edits"),
        "{notice}"
    );

    std::fs::write(kb.join("docs/a.md"), "# Alpha again\n\nNew words.\n").unwrap();
    let (source, paths) = next(&rx, "change", |j| match j {
        JobMsg::Changed { source, paths } => Some((source, paths)),
        _ => None,
    });
    assert_eq!(
        (source.as_str(), paths),
        ("kb", vec!["docs/a.md".to_string()])
    );
    let title = next(&rx, "library", |j| match j {
        JobMsg::Library(lib) => Some(lib.docs.iter().map(|d| d.title.clone()).collect::<Vec<_>>()),
        _ => None,
    });
    assert_eq!(title, ["Alpha again"]);
}
