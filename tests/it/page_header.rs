//! One front-matter header: the reader shows under a page's title the same facts, in the
//! same order, that `ken show` prints above it.

use std::sync::Arc;

use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::keymap::Keymap;
use ken::theme::{Depth, Theme};
use ken::ui::app::App;
use ken::ui::data;
use ken::ui::msg::Msg;

use crate::common::{Ken, run};
use crate::ui_common::screen;

const PAGE: &str = "---\ntitle: Flavor naming\nstatus: Stable\ntype: Standard\ntrack: IaaS\n\
version: 3\nstabilized_at: 2024-02-01\nauthors: [Ada, Grace]\nreplaces: scs-0100-v2\n---\n\
# Flavor naming\n\nNames say what a flavor is.\n";

#[test]
fn reader_and_ken_show_give_the_same_facts() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = tmp.path().join("kb");
    std::fs::create_dir_all(src.join("standards")).expect("mkdir");
    std::fs::write(src.join("standards/flavors.md"), PAGE).expect("write");
    let spec = format!("kb={}", src.display());

    let ken = Ken::new();
    let r = run(ken.cmd(&[
        "--source",
        &spec,
        "show",
        "--width",
        "120",
        "standards/flavors",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = r
        .stdout
        .lines()
        .find(|l| l.starts_with("status:"))
        .expect("ken show prints the facts")
        .trim_end()
        .to_string();
    assert_eq!(
        shown,
        "status: Stable · type: Standard · track: IaaS · version: 3 · stabilized: 2024-02-01 · replaces: scs-0100-v2"
    );

    let config = Config::load(&Inputs {
        source_flags: vec![spec],
        env_config_dir: Some(tmp.path().join("config")),
        env_data_dir: Some(tmp.path().join("data")),
        ..Default::default()
    })
    .expect("config");
    let lib = Arc::new(data::load_library(Base::open(config)));
    let km = Keymap::preset("default").expect("keymap");
    let theme = Theme::preset("default", Depth::None).expect("theme");
    let mut app = App::new(ken::ui::env::Env::default(), km, theme, lib.clone());
    app.update(Msg::Resize(140, 24));
    let i = lib
        .find("kb", "standards/flavors.md")
        .expect("in the library");
    app.open_doc(i, None, Default::default());
    let s = screen(&app, 140, 24);
    let facts = s.lines().nth(1).expect("a second line");
    assert_eq!(facts, format!("standards/flavors.md · {shown}"), "{s}");
}
