//! Syntax highlighting with syntect and the syntaxes packaged by `two-face`.
//!
//! Highlighting yields [`Syntax`] classes, not colours: a built-in "class theme" maps
//! TextMate scopes to classes (scope precedence is syntect's), so any ken theme can colour
//! them. The syntax set is loaded lazily, once per process. Caps: a line over
//! [`MAX_LINE_BYTES`] or a block over [`BLOCK_BUDGET`] is shown plain from there on.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, ScopeSelectors, StyleModifier, Theme, ThemeItem};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use super::style::Syntax;
use crate::sanitize;

/// Lines longer than this are not highlighted.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Time allowed to highlight one block.
pub const BLOCK_BUDGET: Duration = Duration::from_millis(150);

/// Classes in the order of their index in the class theme (index 0 is "no class").
const CLASSES: [(Syntax, &str); 16] = [
    (Syntax::Comment, "comment, punctuation.definition.comment"),
    (Syntax::String, "string, string.quoted, meta.string"),
    (
        Syntax::Keyword,
        "keyword, storage.modifier, keyword.control, variable.language",
    ),
    (Syntax::Number, "constant.numeric"),
    (
        Syntax::Constant,
        "constant, constant.language, support.constant, constant.character.escape",
    ),
    (
        Syntax::Function,
        "entity.name.function, support.function, meta.function-call variable.function, variable.function",
    ),
    (
        Syntax::Type,
        "entity.name.type, storage.type, support.type, entity.name.class, support.class",
    ),
    (
        Syntax::Variable,
        "variable.other, variable.parameter, meta.mapping.key string, entity.name.key",
    ),
    (Syntax::Operator, "keyword.operator"),
    (
        Syntax::Punctuation,
        "punctuation.section, punctuation.separator",
    ),
    (Syntax::Tag, "entity.name.tag"),
    (Syntax::Attribute, "entity.other.attribute-name"),
    (Syntax::Inserted, "markup.inserted"),
    (Syntax::Deleted, "markup.deleted"),
    (
        Syntax::Changed,
        "markup.changed, meta.diff.range, meta.diff.header",
    ),
    (Syntax::Heading, "markup.heading, entity.name.section"),
];

struct Assets {
    syntaxes: SyntaxSet,
    theme: Theme,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut theme = Theme::default();
        for (i, (_, sel)) in CLASSES.iter().enumerate() {
            // The selectors are constants; one that failed to parse would only lose a class.
            if let Ok(scope) = ScopeSelectors::from_str(sel) {
                theme.scopes.push(ThemeItem {
                    scope,
                    style: StyleModifier {
                        foreground: Some(Color {
                            r: (i + 1) as u8,
                            g: 0,
                            b: 0,
                            a: 255,
                        }),
                        background: None,
                        font_style: None,
                    },
                });
            }
        }
        theme.settings.foreground = Some(Color {
            r: 0,
            g: 0,
            b: 0,
            a: 255,
        });
        Assets {
            syntaxes: two_face::syntax::extra_newlines(),
            theme,
        }
    })
}

/// Languages never highlighted (and that never make ken load the syntaxes).
const PLAIN: [&str; 10] = [
    "text",
    "txt",
    "plaintext",
    "plain",
    "tree",
    "mermaid",
    "ascii",
    "acsii",
    "none",
    "output",
];

/// The syntect name or token for a fence language as written in docs.
fn alias(lang: &str) -> &str {
    match lang {
        "console" | "shell" | "shell-session" | "terminal" | "commandline" | "sh" | "zsh"
        | "shellsession" => "bash",
        "yml" => "yaml",
        "json5" | "jsonc" => "json",
        "hcl" | "terraform" | "tf" => "tf",
        "dockerfile" | "docker" | "containerfile" => "Dockerfile",
        "conf" | "cfg" | "hosts" | "properties" => "ini",
        "py" | "python3" => "python",
        "golang" => "go",
        "rs" => "rust",
        "patch" => "diff",
        "js" | "jsx" | "mjs" => "js",
        "ts" | "tsx" => "ts",
        "md" | "mdx" => "markdown",
        "psql" | "postgresql" | "postgres" => "sql",
        other => other,
    }
}

/// The syntax for a fence language, or `None` to show it plain.
pub fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    if lang.is_empty() || PLAIN.contains(&lang.as_str()) {
        return None;
    }
    let ss = &assets().syntaxes;
    let token = alias(&lang);
    ss.find_syntax_by_token(token)
        .or_else(|| ss.find_syntax_by_name(token))
}

/// Expands tabs and sanitizes one run of code starting at display column `col`.
fn clean_run(
    s: &str,
    col: &mut usize,
    out: &mut Vec<(Option<Syntax>, String)>,
    class: Option<Syntax>,
) {
    let s = s.trim_end_matches(['\n', '\r']);
    if s.is_empty() {
        return;
    }
    let clean = sanitize::line(s, *col).into_owned();
    *col += unicode_width::UnicodeWidthStr::width(clean.as_str());
    match out.last_mut() {
        Some((c, text)) if *c == class => text.push_str(&clean),
        _ => out.push((class, clean)),
    }
}

type Lines = Vec<Vec<(Option<Syntax>, String)>>;

fn plain_line(line: &str) -> Vec<(Option<Syntax>, String)> {
    let mut out = Vec::new();
    let mut col = 0;
    clean_run(line, &mut col, &mut out, None);
    out
}

/// The lines of a code block, highlighted when possible, and a note when a cap was hit.
pub fn code_lines(text: &str, lang: Option<&str>, enabled: bool) -> (Lines, Option<String>) {
    let raw: Vec<&str> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect();
    let syntax = if enabled {
        lang.and_then(syntax_for)
    } else {
        None
    };
    let Some(syntax) = syntax else {
        return (raw.iter().map(|l| plain_line(l)).collect(), None);
    };
    let a = assets();
    let mut h = HighlightLines::new(syntax, &a.theme);
    let started = Instant::now();
    let mut lines = Vec::with_capacity(raw.len());
    let mut note = None;
    for (i, line) in raw.iter().enumerate() {
        if note.is_none() {
            if line.len() > MAX_LINE_BYTES {
                note = Some(format!(
                    "highlighting stopped at line {}: a line over {} KiB",
                    i + 1,
                    MAX_LINE_BYTES / 1024
                ));
            } else if started.elapsed() > BLOCK_BUDGET {
                note = Some(format!(
                    "highlighting stopped at line {}: over the time budget of {} ms",
                    i + 1,
                    BLOCK_BUDGET.as_millis()
                ));
            }
        }
        if note.is_some() {
            lines.push(plain_line(line));
            continue;
        }
        let with_nl = format!("{line}\n");
        match h.highlight_line(&with_nl, &a.syntaxes) {
            Ok(regions) => {
                let mut out = Vec::new();
                let mut col = 0;
                for (style, piece) in regions {
                    let idx = style.foreground.r as usize;
                    let class = idx.checked_sub(1).and_then(|i| CLASSES.get(i)).map(|c| c.0);
                    clean_run(piece, &mut col, &mut out, class);
                }
                lines.push(out);
            }
            Err(e) => {
                note = Some(format!("highlighting stopped at line {}: {e}", i + 1));
                lines.push(plain_line(line));
            }
        }
    }
    (lines, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_languages_have_syntaxes() {
        for lang in [
            "bash",
            "shell",
            "console",
            "sh",
            "yaml",
            "yml",
            "json",
            "json5",
            "toml",
            "ini",
            "python",
            "go",
            "rust",
            "hcl",
            "terraform",
            "dockerfile",
            "sql",
            "diff",
        ] {
            assert!(syntax_for(lang).is_some(), "no syntax for {lang}");
        }
        assert!(syntax_for("mermaid").is_none());
        assert!(syntax_for("no-such-language").is_none());
    }

    #[test]
    fn classes_come_out() {
        let (lines, note) = code_lines("# hi\necho \"x\"\n", Some("bash"), true);
        assert_eq!(note, None);
        assert_eq!(lines[0][0].0, Some(Syntax::Comment));
        assert!(lines[1].iter().any(|(c, _)| *c == Some(Syntax::String)));
    }

    #[test]
    fn long_line_is_plain_with_note() {
        let text = format!("a = 1\nb = \"{}\"\n", "x".repeat(MAX_LINE_BYTES + 1));
        let (lines, note) = code_lines(&text, Some("python"), true);
        assert!(note.unwrap().contains("line 2"));
        assert_eq!(lines[1].len(), 1);
    }
}
