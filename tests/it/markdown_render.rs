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

#[test]
fn show_lays_out_while_highlighting_and_gets_the_finished_page() {
    // What `ken show` does (the layout made while helper threads highlight the code, blocks
    // not ready yet filled in after) gives the same lines as laying out the finished page:
    // many blocks in languages cold and warm, nested, cut at a narrow width, and one whose
    // over-long line adds a note (the page is laid out again for it).
    let mut page = String::from("# Code\n\n");
    for i in 0..60 {
        let lang = [
            "bash", "yaml", "python", "json", "rust", "go", "text", "toml",
        ][i % 8];
        let long = "word ".repeat(8 + i % 5);
        page.push_str(&format!(
            "- step {i}\n\n  ```{lang}\n  # {long}\n  x = \"{i}\"\n  ```\n\n## After {i}\n\n"
        ));
    }
    let with_note = format!(
        "{page}```python\nb = \"{}\"\n```\n",
        "x".repeat(markdown::highlight::MAX_LINE_BYTES + 1)
    );
    let opts = markdown::Options {
        highlight: true,
        link_refs: true,
    };
    for body in [&page, &with_note] {
        for width in [32, 100] {
            let (doc, lay) = markdown::model::parse_and_layout(body, None, opts, width);
            let want = markdown::model::parse(body, None, opts);
            assert_eq!(doc, want);
            let want = want.layout(width);
            assert_eq!(lay.lines, want.lines, "width {width}");
            assert_eq!(lay.heading_lines, want.heading_lines);
            assert_eq!(lay.code_lines, want.code_lines);
        }
    }
}
