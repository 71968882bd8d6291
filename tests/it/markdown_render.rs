//! Snapshot tests: fixture pages rendered at widths 80 and 40, plain and styled.
//! Styled snapshots show ESC as `␛` so the SGR codes can be read and reviewed.

use ken::corpus;
use ken::markdown::{self, ansi};

const FIXTURES: [&str; 3] = ["basics.md", "tables.md", "docusaurus.mdx"];

fn doc(name: &str) -> markdown::Document {
    let path = format!(
        "{}/tests/fixtures/markdown/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let parsed = corpus::parse(&text, name);
    markdown::parse(&parsed.body, parsed.front_matter.as_ref())
}

#[test]
fn fixtures_plain_and_styled() {
    for name in FIXTURES {
        let d = doc(name);
        for width in [80, 40] {
            let lay = d.layout(width);
            for l in &lay.lines {
                assert!(
                    l.width() <= width,
                    "{name} at {width}: line wider than the width: {:?}",
                    l.text()
                );
            }
            let plain = ansi::render(&lay, false);
            insta::assert_snapshot!(format!("{name}-{width}-plain"), plain);
            let styled = ansi::render(&lay, true).replace('\x1b', "␛");
            insta::assert_snapshot!(format!("{name}-{width}-styled"), styled);
        }
    }
}
