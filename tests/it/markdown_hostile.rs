//! Hostile input: whatever a page holds, ken's output carries no control character except
//! its own SGR styling, nothing panics, and rendering finishes within a bounded time.
//! Each case runs in a thread; the test waits on a channel with a timeout (no sleeps).

use std::sync::mpsc;
use std::time::Duration;

use ken::corpus;
use ken::markdown::{self, ansi};
use ken::sanitize;
use proptest::prelude::*;

/// Generous: these run unoptimized, on a shared machine. Release-build timings are in
/// docs/performance.md.
const BOUND: Duration = Duration::from_secs(20);

/// Renders bytes as `ken show` does (decode, split front matter, parse, layout at 80 and
/// 40, styled and plain) in a thread, failing the test if that takes longer than `BOUND`.
fn render_bounded(input: Vec<u8>) -> Vec<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || {
            let text = corpus::decode(input);
            let parsed = corpus::parse(&text, "hostile.md");
            let doc = markdown::parse(&parsed.body, parsed.front_matter.as_ref());
            let mut outs = Vec::new();
            for width in [80, 40] {
                let lay = doc.layout(width);
                outs.push(ansi::render(&lay, true));
                outs.push(ansi::render(&lay, false));
            }
            let _ = tx.send(outs);
        })
        .expect("spawn");
    match rx.recv_timeout(BOUND) {
        Ok(outs) => outs,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("rendering took longer than {BOUND:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("rendering panicked"),
    }
}

/// No control character but `\n` and well-formed SGR (`ESC [ digits;… m`).
fn assert_safe(out: &str) {
    let mut chars = out.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\x1b' {
            let rest = &out[i + 1..];
            let body = rest.strip_prefix('[').unwrap_or_else(|| {
                panic!(
                    "ESC not followed by [ at {i}: {:?}",
                    &out[i..(i + 20).min(out.len())]
                )
            });
            let end = body.find('m').expect("SGR ends with m");
            assert!(
                body[..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                "not SGR: {:?}",
                &body[..end]
            );
            for _ in 0..end + 2 {
                chars.next();
            }
            continue;
        }
        assert!(
            c == '\n' || !sanitize::is_unsafe(c),
            "unsafe character U+{:04X} at {i} in {:?}",
            c as u32,
            &out[i.saturating_sub(20)..(i + 20).min(out.len())]
        );
    }
}

fn check(input: impl Into<Vec<u8>>) -> Vec<String> {
    let outs = render_bounded(input.into());
    for o in &outs {
        assert_safe(o);
    }
    outs
}

const ESCAPES: &str = "\x1b[2J\x1b[H clear \x1b]0;evil title\x07 title \x1b]52;c;cm0gLXJmIH4=\x07 clip \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ link \x1b[6n\x1b[c report \x1bP+q\x1b\\ dcs \x1b[31mred";

#[test]
fn raw_escape_sequences_everywhere() {
    let e = ESCAPES;
    let page = format!(
        "---\ntitle: \"{t}\"\nstatus: \"{t}\"\n---\n# Heading {e}\n\nText {e}\n\n[link {e}](https://x/{e}) ![img {e}]({e})\n\n```bash title=\"{e}\"\n{e}\n```\n\n```{e}\ncode\n```\n\n    indented {e}\n\n| h {e} | b |\n|---|---|\n| {e} | c |\n\n:::note {e}\nin note {e}\n:::\n\n<Tabs><TabItem value=\"x\" label=\"{e}\">\n\ntab\n\n</TabItem></Tabs>\n\n<details><summary>{e}</summary>\n\nx\n</details>\n\n<div>{e}</div>\n\n- {e}\n  - [ ] {e}\n\n> {e}\n\n[^n]: {e}\n\nRef[^n] `{e}` **{e}** *{e}*\n",
        t = e.replace('\x1b', "\\e").replace('\x07', "\\a"),
    );
    let outs = check(page);
    // The text stays readable: ESC is shown as the control picture.
    assert!(outs[1].contains("␛[2J"), "{}", outs[1]);
}

#[test]
fn c1_controls_and_invalid_utf8() {
    let mut bytes =
        b"# C1\n\nA \xc2\x9b31m CSI, \xc2\x9d0;title\xc2\x9c OSC, \xc2\x85 NEL.\n\n".to_vec();
    // Raw C1 bytes are invalid UTF-8 on their own.
    bytes.extend_from_slice(b"raw \x9b31m \x9d0;t\x07 \xff\xfe \xc0\x80 done\n");
    let outs = check(bytes);
    assert!(outs[1].contains("<U+009B>31m"), "{}", outs[1]);
    assert!(outs[1].contains('\u{fffd}'));
}

#[test]
fn escapes_written_as_html_entities() {
    let outs = check(
        "# &#27;[2J heading\n\n&#27;[2J &#x1b;]0;title&#7; &#155;31m &#x9b; &#X1B;]52;c;eA==&#x07; &#0; &amp;#27;\n\n[&#27;](&#27;[2J)\n\n```\n&#27; stays literal in code\n```\n",
    );
    assert!(outs[1].contains("␛[2J heading"), "{}", outs[1]);
    assert!(outs[1].contains("<U+009B>31m"));
}

#[test]
fn bidi_overrides_become_visible() {
    let outs = check(
        "# Safe \u{202e}gnp.exe\n\nrun \u{2066}rm -rf\u{2069} \u{200b}zero width \u{feff}\n\n```\nif (a \u{202e} b)\n```\n",
    );
    assert!(outs[1].contains("<U+202E>"));
    assert!(outs[1].contains("<U+2066>"));
}

#[test]
fn binary_content() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    check(bytes);
}

#[test]
fn a_one_mib_single_line() {
    check("word ".repeat(1024 * 1024 / 5));
    check("x".repeat(1024 * 1024));
    check(format!("| {} |\n|---|\n| a |\n", "long ".repeat(200_000)));
}

#[test]
fn deeply_nested_quotes() {
    let outs = check(format!("{} deep\n", ">".repeat(100_000)));
    assert!(outs[1].contains("deep"));
}

#[test]
fn deeply_nested_lists() {
    let outs = check(format!("{}bottom\n", "- ".repeat(3_000)));
    assert!(outs[1].contains("bottom"));
    check(format!("{}bottom\n", "1. ".repeat(3_000)));
    let mut indented = String::new();
    for i in 0..3_000 {
        indented.push_str(&" ".repeat(2 * i));
        indented.push_str("- item\n");
    }
    check(indented);
}

#[test]
fn inputs_known_to_slow_parsers() {
    let n = 50_000;
    check("[".repeat(n));
    check(format!("{}a{}", "[".repeat(n), "]".repeat(n)));
    check("*a **a ".repeat(n / 4));
    check("a_ ".repeat(n));
    check("[a](".repeat(n / 2));
    check("![".repeat(n / 2));
    check("`a ``b ".repeat(n / 4));
    check("<a ".repeat(n / 2));
    check("a <!-- ".repeat(n / 4));
    check("|a|\n|-|\n".repeat(n / 10));
    check("- a\n".repeat(n));
    check(format!("{}x", "*".repeat(n)));
    check("[x]: y\n".repeat(n / 4) + &"[x] ".repeat(n / 4));
    check(":::note\n".repeat(10_000));
    check("<details>\n\n".repeat(10_000));
    check("<TabItem label=\"a\">\n\n".repeat(10_000));
    check(format!("{}\n", "| a ".repeat(2_000)) + &format!("{}\n", "|---".repeat(2_000)));
}

#[test]
fn many_code_blocks_in_many_languages() {
    // Tens of thousands of blocks, half of them each in a language of its own: the work
    // handed to highlighting threads must not grow with the square of the count.
    let mut page = String::new();
    for i in 0..20_000 {
        page.push_str(&format!(
            "```lang{i}\nx = {i}\n```\n\n```bash\necho {i}\n```\n\n"
        ));
    }
    let outs = check(page);
    assert!(outs[1].contains("echo 19999"));
}

#[test]
fn code_block_of_brackets() {
    let outs = check(format!("```\n{}\n```\n", "[".repeat(100_000)));
    assert!(outs[1].contains("[[[["));
    check(format!("```json\n{}\n```\n", "[".repeat(100_000)));
    check(format!("```bash\n{}\n```\n", "$(".repeat(50_000)));
    check(format!("```yaml\n{}\n```\n", "[\n".repeat(20_000)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_render_safely(bytes in proptest::collection::vec(any::<u8>(), 0..2_000), width in 1usize..200) {
        let text = corpus::decode(bytes);
        let parsed = corpus::parse(&text, "p.md");
        let doc = markdown::parse(&parsed.body, parsed.front_matter.as_ref());
        let lay = doc.layout(width);
        for l in &lay.lines {
            prop_assert!(l.width() <= lay.width, "line wider than {}: {:?}", lay.width, l.text());
        }
        assert_safe(&ansi::render(&lay, true));
    }

    #[test]
    fn markdown_like_text_renders_safely(
        parts in proptest::collection::vec(prop_oneof![
            Just("# "), Just("> "), Just("- "), Just("1. "), Just("```bash\n"), Just("```\n"),
            Just(":::note "), Just(":::\n"), Just("| a | b |\n"), Just("|---|---|\n"),
            Just("<TabItem label=\"x\">\n"), Just("</TabItem>\n"), Just("<details>"),
            Just("<summary>s</summary>"), Just("**"), Just("*"), Just("`"), Just("["),
            Just("](x.md#a)"), Just("\n"), Just("\n\n"), Just("    "), Just("\t"),
            Just("\x1b[2J"), Just("\u{9b}"), Just("&#27;"), Just("\u{202e}"), Just("中文"),
            Just("word "), Just("https://docs.scs.community/docs "), Just("[^1]"), Just("[^1]: f\n"),
            Just("<br>"), Just("{#id}"), Just("---\n"),
        ], 0..120),
        width in 1usize..160,
    ) {
        let text: String = parts.concat();
        let doc = markdown::parse(&text, None);
        let lay = doc.layout(width);
        for l in &lay.lines {
            prop_assert!(l.width() <= lay.width, "line wider than {}: {:?}", lay.width, l.text());
        }
        assert_safe(&ansi::render(&lay, true));
        assert_safe(&ansi::render(&lay, false));
    }
}
