//! What the reader (and later the terminal UI) relies on: anchors map to lines, links have
//! stable indices and positions, code blocks are numbered with their exact text, find-in-page
//! reports columns, and the dialects are understood.

use ken::corpus;
use ken::markdown::{self, Block, Flags, Target};

fn fixture(name: &str) -> markdown::Document {
    let path = format!(
        "{}/tests/fixtures/markdown/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let p = corpus::parse(&text, name);
    markdown::parse(&p.body, p.front_matter.as_ref())
}

#[test]
fn anchors_map_to_heading_lines_at_every_width() {
    let doc = fixture("basics.md");
    let anchors: Vec<&str> = doc.headings.iter().map(|h| h.anchor.as_str()).collect();
    assert_eq!(
        anchors,
        [
            "rotate-the-fernet-keys",
            "steps",
            "steps-1",
            "config",
            "wide-characters",
            "level-five",
            "level-six"
        ]
    );
    for width in [80, 40, 20] {
        let lay = doc.layout(width);
        let line = lay.anchor_line("config").expect("anchor");
        assert!(lay.lines[line].text().contains("Configuration"), "{width}");
        let second = lay.anchor_line("steps-1").expect("anchor");
        assert!(second > lay.anchor_line("steps").unwrap_or(0));
        assert_eq!(lay.section_at(line + 1), Some(3));
        assert_eq!(lay.section_at(0), Some(0));
    }
}

#[test]
fn links_have_stable_indices_and_positions() {
    let doc = fixture("basics.md");
    let urls: Vec<&str> = doc.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "../runbooks/keystone.md#rotation",
            "https://docs.openstack.org/keystone/latest/"
        ]
    );
    assert_eq!(doc.links[0].text, "the runbook");
    for width in [80, 40] {
        let lay = doc.layout(width);
        let first = lay
            .link_positions
            .iter()
            .find(|p| p.link == 0)
            .expect("link 0 shown");
        let text = lay.lines[first.line].text();
        let shown: String = text
            .chars()
            .skip(first.start)
            .take(first.end - first.start)
            .collect();
        assert!("the runbook".starts_with(&shown), "{shown:?} at {width}");
        // The bare URL is a link too, split over lines at 40 columns.
        assert!(lay.link_positions.iter().any(|p| p.link == 1));
    }
}

#[test]
fn code_blocks_are_numbered_with_their_exact_text() {
    let doc = fixture("basics.md");
    assert_eq!(doc.code_blocks.len(), 4);
    let cb = &doc.code_blocks[0];
    assert_eq!(cb.number, 1);
    assert_eq!(cb.lang.as_deref(), Some("bash"));
    assert_eq!(
        cb.text,
        "# stop keystone on every controller\nsystemctl stop apache2 && echo \"stopped\"\n"
    );
    assert_eq!(
        doc.code_blocks[1].title.as_deref(),
        Some("keystone.conf excerpt")
    );
    // The tab is kept in the copied text, expanded on screen.
    assert!(doc.code_blocks[2].text.contains("plain\ttab"));
    let lay = doc.layout(80);
    for (i, cb) in doc.code_blocks.iter().enumerate() {
        assert!(
            lay.lines[lay.code_lines[i]]
                .text()
                .contains(&format!("[{}]", cb.number)),
            "header of block {}",
            cb.number
        );
    }
    assert!(!lay.plain().contains('\t'));
}

#[test]
fn find_in_page_reports_lines_and_columns() {
    let doc = fixture("basics.md");
    let lay = doc.layout(80);
    let matches = lay.find("KEYSTONE");
    assert!(matches.len() >= 4, "{matches:?}");
    for m in &matches {
        let text = lay.lines[m.line].text();
        let found: String = text.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(found.to_lowercase(), "keystone");
    }
    // Columns are display columns: after CJK text each character counts twice.
    let cjk = markdown::parse("中文 keystone", None).layout(40);
    let m = cjk.find("keystone");
    assert_eq!((m[0].start, m[0].end), (5, 13));
    // Marking a match splits the span and flags exactly the matched text.
    let marked = cjk.lines[m[0].line].mark(m[0].start, m[0].end, Flags::MATCH);
    let flagged: String = marked
        .spans
        .iter()
        .filter(|s| s.style.flags.contains(Flags::MATCH))
        .map(|s| s.text.as_ref())
        .collect();
    assert_eq!(flagged, "keystone");
    assert_eq!(marked.text(), cjk.lines[m[0].line].text());
    assert!(lay.find("").is_empty());
}

#[test]
fn docusaurus_dialect_is_understood() {
    let doc = fixture("docusaurus.mdx");
    let header = doc.header.as_ref().expect("front matter header");
    assert_eq!(header.title.as_deref(), Some("Flavor naming"));
    assert!(header.facts.contains(&("status".into(), "Stable".into())));
    assert!(!header.facts.iter().any(|(k, _)| k == "description"));
    let plain = doc.layout(80).plain();
    for absent in [
        "import",
        "export",
        "CommunityCalendar",
        "<div",
        "comment",
        ":::",
    ] {
        assert!(!plain.contains(absent), "{absent} shown");
    }
    for present in [
        "╭─ NOTE",
        "TIP: Use the short names",
        "WARNING: Nested",
        "DANGER: Bracket title",
        "▸ Tab: Debian",
        "▸ Tab: Red Hat",
        "▸ Why three keys?",
        "Inner Markdown is kept.",
        "INFO: Unclosed",
    ] {
        assert!(plain.contains(present), "{present} missing");
    }
    assert_eq!(doc.heading_by_anchor("links"), Some(1));
    // The nested warning is inside the tip.
    let nested = doc.blocks.iter().any(|b| match b {
        Block::Admonition { blocks, .. } => {
            blocks.iter().any(|b| matches!(b, Block::Admonition { .. }))
        }
        _ => false,
    });
    assert!(nested);
}

#[test]
fn links_resolve_by_site_routes() {
    let doc = fixture("docusaurus.mdx");
    let site = markdown::Site::new(
        [
            ("standards/scs-0100-v3-flavor-naming.md", None),
            ("standards/scs-0100-v2-flavor-naming.md", None),
            ("docs/02-iaas/index.md", None),
        ]
        .map(|(p, fm)| markdown::SiteDoc {
            path: p.into(),
            front_matter: fm,
        }),
        markdown::Routing::scs(),
    );
    let from = "standards/scs-0100-v3-flavor-naming.md";
    let targets: Vec<Target> = doc
        .links
        .iter()
        .map(|l| site.resolve(from, &l.url))
        .collect();
    assert_eq!(
        targets,
        [
            Target::Doc {
                path: "docs/02-iaas/index.md".into(),
                anchor: None
            },
            Target::Doc {
                path: "standards/scs-0100-v2-flavor-naming.md".into(),
                anchor: None
            },
            Target::Doc {
                path: "standards/scs-0100-v3-flavor-naming.md".into(),
                anchor: Some("links".into())
            },
        ]
    );
}

#[test]
fn inline_roles_are_kept() {
    let doc = markdown::parse("*em* **strong** ~~gone~~ `code` <mark>hi</mark>", None);
    let Block::Paragraph(spans) = &doc.blocks[0] else {
        panic!("paragraph expected");
    };
    let flags_of = |t: &str| spans.iter().find(|s| s.text == t).map(|s| s.flags);
    assert_eq!(flags_of("em"), Some(Flags::EMPHASIS));
    assert_eq!(flags_of("strong"), Some(Flags::STRONG));
    assert_eq!(flags_of("gone"), Some(Flags::STRIKE));
    assert_eq!(flags_of("code"), Some(Flags::CODE));
    assert_eq!(flags_of("hi"), Some(Flags::HIGHLIGHT));
}

#[test]
fn words_longer_than_the_line_are_broken_to_fill_each_line() {
    let url = "https://docs.scs.community/docs/iaas/guides/operations-guide/openstack/";
    let wide = "検証用の長い識別子がここに続きます検証用の長い識別子がここに続きます";
    let doc = markdown::parse(&format!("See {url} now.\n\nAnd {wide} too.\n"), None);
    let lay = doc.layout(20);
    let text: Vec<String> = lay.lines.iter().map(|l| l.text()).collect();
    // "See" fits, the URL starts on its own line and fills each line to the width.
    assert_eq!(text[0], "See");
    let broken: String = text[1..5].concat();
    assert!(broken.starts_with(url), "{text:?}");
    for l in &text[1..4] {
        assert_eq!(l.chars().count(), 20, "{text:?}");
    }
    // Wide characters are never split and never overflow the line.
    for l in text.iter().filter(|l| l.contains('検')) {
        assert!(lay.lines.iter().all(|x| x.width() <= 20));
        assert!(l.chars().all(|c| c != '\u{FFFD}'));
    }
    let wide_lines: String = text.iter().filter(|l| !l.is_ascii()).cloned().collect();
    assert!(wide_lines.replace(' ', "").contains(wide), "{text:?}");
}
