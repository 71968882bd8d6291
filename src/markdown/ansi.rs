//! The built-in role → SGR mapping with the terminal's 16 ANSI colours, and rendering of a
//! [`Layout`] to text. This is the one place `ken show` takes its colours from; the terminal
//! UI's themes replace it.

use std::io::{self, Write};

use super::layout::Layout;
use super::style::{AdmonitionKind, Flags, Role, Style, Syntax};
use crate::sanitize;

/// SGR parameters for a style (without the `ESC [` and `m`), `""` for the default look.
pub fn sgr(style: &Style) -> String {
    let mut p: Vec<&str> = Vec::new();
    let fg = match style.role {
        Role::Text | Role::CodeBlock => None,
        Role::Heading(1) => Some("35"),
        Role::Heading(2) => Some("34"),
        Role::Heading(_) => Some("36"),
        Role::HeadingRule => Some("2"),
        Role::Title => Some("35"),
        Role::FrontMatter => Some("2"),
        Role::Quote => Some("2"),
        Role::Admonition(k) => Some(match k {
            AdmonitionKind::Note | AdmonitionKind::Other => "34",
            AdmonitionKind::Tip => "32",
            AdmonitionKind::Info | AdmonitionKind::Important => "36",
            AdmonitionKind::Caution | AdmonitionKind::Warning => "33",
            AdmonitionKind::Danger => "31",
        }),
        Role::Label => Some("36"),
        Role::Syntax(s) => Some(match s {
            Syntax::Comment => "2",
            Syntax::String => "32",
            Syntax::Keyword => "35",
            Syntax::Number | Syntax::Constant => "33",
            Syntax::Function => "34",
            Syntax::Type => "36",
            Syntax::Variable | Syntax::Attribute => "33",
            Syntax::Operator | Syntax::Punctuation => "",
            Syntax::Tag => "34",
            Syntax::Inserted => "32",
            Syntax::Deleted => "31",
            Syntax::Changed | Syntax::Heading => "36",
        }),
        Role::CodeFrame | Role::WrapMarker | Role::TableBorder | Role::Rule | Role::Html => {
            Some("2")
        }
        Role::TableHeader => Some("1"),
        Role::ListMarker => Some("33"),
        Role::Note => Some("2;3"),
    };
    if let Some(f) = fg.filter(|f| !f.is_empty()) {
        p.push(f);
    }
    let f = style.flags;
    if f.contains(Flags::STRONG) {
        p.push("1");
    }
    if f.contains(Flags::EMPHASIS) {
        p.push("3");
    }
    if f.contains(Flags::STRIKE) {
        p.push("9");
    }
    if f.contains(Flags::CODE) {
        p.push("36");
    }
    if f.contains(Flags::LINK) {
        p.push("4;34");
    }
    if f.contains(Flags::IMAGE) || f.contains(Flags::FOOTNOTE) {
        p.push("2");
    }
    if f.contains(Flags::HIGHLIGHT) {
        p.push("7");
    }
    if f.contains(Flags::MATCH) {
        p.push("30;43");
    }
    if f.contains(Flags::SELECTED) {
        p.push("7");
    }
    p.join(";")
}

/// Writes a layout: with SGR styling when `color`, plain otherwise. Every piece of text goes
/// through the sanitizer on the way out, so the only escape sequences are ken's own SGR.
pub fn write(out: &mut dyn Write, layout: &Layout, color: bool) -> io::Result<()> {
    let mut buf = String::with_capacity(256);
    for line in &layout.lines {
        buf.clear();
        line_into(&mut buf, line, color);
        out.write_all(buf.as_bytes())?;
    }
    Ok(())
}

/// A layout rendered to a string (see [`write`]).
pub fn render(layout: &Layout, color: bool) -> String {
    let mut out = String::new();
    for line in &layout.lines {
        line_into(&mut out, line, color);
    }
    out
}

/// Appends one laid-out line and its newline to `out`, without trailing spaces.
fn line_into(out: &mut String, line: &super::layout::Line, color: bool) {
    let start = out.len();
    let mut current = String::new();
    // The SGR of the last span's look: spans of one look (parts of a link, runs of one
    // class) do not build it again.
    let mut last: Option<(Role, Flags)> = None;
    let mut col = 0;
    for s in &line.spans {
        let text = sanitize::line(&s.text, col);
        col += unicode_width::UnicodeWidthStr::width(text.as_ref());
        if color && last != Some((s.style.role, s.style.flags)) {
            last = Some((s.style.role, s.style.flags));
            let code = sgr(&s.style);
            if code != current {
                out.push_str("\x1b[0");
                if !code.is_empty() {
                    out.push(';');
                    out.push_str(&code);
                }
                out.push('m');
                current = code;
            }
        }
        out.push_str(&text);
    }
    if color && !current.is_empty() {
        out.push_str("\x1b[0m");
    }
    // Trailing spaces carry nothing.
    let kept = out[start..].trim_end_matches(' ').len();
    out.truncate(start + kept);
    out.push('\n');
}
