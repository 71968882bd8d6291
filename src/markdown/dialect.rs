//! Docusaurus/MDX dialect, turned into plain CommonMark before pulldown-cmark sees it.
//!
//! Admonitions (`:::note Title` … `:::`), JSX tag lines (`<Tabs>`, `<TabItem label="…">`,
//! `<details>`, `<summary>`), MDX `import`/`export` lines and `{/* comments */}` are line
//! constructs that CommonMark does not know. Each one is replaced by a *marker*: an HTML
//! block line `<x-ken-NONCE-N>` surrounded by blank lines, where `N` indexes [`Op`]s kept
//! on the side. The model builder turns the markers back into containers, so the Markdown
//! between them is parsed normally. Fenced code is never touched.

/// What a marker stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `:::kind title`
    OpenAdmonition {
        kind: String,
        title: String,
    },
    CloseAdmonition,
    /// `<TabItem label="…">`, `<details>`: a labelled section.
    OpenSection {
        kind: SectionKind,
        label: String,
    },
    CloseSection(SectionKind),
    /// `<summary>…</summary>`: the label of the innermost open `<details>`.
    Summary(String),
    /// A dropped JSX/HTML tag (its inner Markdown is kept).
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Tab,
    Details,
}

/// The CommonMark text and the marker operations.
#[derive(Debug)]
pub struct Prepared {
    pub text: String,
    pub prefix: String,
    pub ops: Vec<Op>,
}

impl Prepared {
    /// The operation for an HTML block, when it is one of our markers.
    pub fn op(&self, html: &str) -> Option<&Op> {
        let rest = html.trim().strip_prefix('<')?.strip_prefix(&self.prefix)?;
        let n: usize = rest.strip_suffix('>')?.parse().ok()?;
        self.ops.get(n)
    }
}

const MAX_TAG_LINES: usize = 50;

/// Rewrites the dialect constructs of `body` into markers.
pub fn prepare(body: &str) -> Prepared {
    // A marker prefix that does not occur in the document, so a page cannot forge one.
    let mut prefix = String::from("x-ken-");
    while body.contains(&prefix) {
        prefix.push('k');
    }
    prefix.push('-');
    let mut p = Prepared {
        text: String::with_capacity(body.len() + 64),
        prefix,
        ops: Vec::new(),
    };
    let mut fence: Option<(char, usize)> = None;
    let mut lines = body.split_inclusive('\n').peekable();
    let mut in_export = 0i32; // open brackets of a multi-line `export`
    while let Some(line) = lines.next() {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let indent = &content[..content.len() - trimmed.len()];
        if let Some((ch, n)) = fence {
            let run = trimmed.chars().take_while(|&c| c == ch).count();
            if run >= n && trimmed[run * ch.len_utf8()..].trim().is_empty() {
                fence = None;
            }
            p.text.push_str(line);
            continue;
        }
        if in_export > 0 {
            in_export += bracket_balance(content);
            continue;
        }
        if let Some(f) = fence_start(trimmed) {
            fence = Some(f);
            p.text.push_str(line);
            continue;
        }
        if indent.is_empty() && is_mdx_statement(content) {
            if content.starts_with("export") {
                in_export = bracket_balance(content).max(0);
            }
            continue;
        }
        if trimmed.starts_with("{/*") && trimmed.ends_with("*/}") {
            continue;
        }
        if let Some(op) = admonition(trimmed) {
            p.marker(indent, op);
            continue;
        }
        if trimmed.starts_with('<') && !trimmed.starts_with("<!--") {
            // A JSX tag spread over several lines: gather until its `>`.
            let mut whole = trimmed.to_string();
            if is_unclosed_component(trimmed) {
                let mut n = 0;
                while let Some(next) = lines.peek() {
                    if n >= MAX_TAG_LINES || whole.contains('>') {
                        break;
                    }
                    whole.push(' ');
                    whole.push_str(next.trim());
                    lines.next();
                    n += 1;
                }
            }
            if let Some(ops) = tag_line(&whole) {
                for op in ops {
                    p.marker(indent, op);
                }
                continue;
            }
            if whole.len() != trimmed.len() {
                // Not a tag line after all: keep the text as it was.
                p.text.push_str(indent);
                p.text.push_str(&whole);
                p.text.push('\n');
                continue;
            }
        }
        p.text.push_str(line);
    }
    p
}

impl Prepared {
    fn marker(&mut self, indent: &str, op: Op) {
        let n = self.ops.len();
        self.ops.push(op);
        // Keep list-item indentation, but never enough for an indented code block on its own.
        let indent = if indent.len() >= 4 { indent } else { "" };
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.text.push('\n');
        self.text.push_str(indent);
        self.text.push('<');
        self.text.push_str(&self.prefix);
        self.text.push_str(&n.to_string());
        self.text.push_str(">\n\n");
    }
}

fn fence_start(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&c| c == ch).count();
    if n < 3 || (ch == '`' && trimmed[n..].contains('`')) {
        return None;
    }
    Some((ch, n))
}

fn bracket_balance(s: &str) -> i32 {
    s.chars()
        .map(|c| match c {
            '{' | '(' | '[' => 1,
            '}' | ')' | ']' => -1,
            _ => 0,
        })
        .sum()
}

/// MDX `import x from 'y'` / `export …` at the start of a line.
fn is_mdx_statement(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix("import ") {
        return rest.contains(" from ") || rest.starts_with('\'') || rest.starts_with('"');
    }
    if let Some(rest) = line.strip_prefix("export ") {
        return ["const ", "default ", "function ", "let ", "{"]
            .iter()
            .any(|k| rest.starts_with(k));
    }
    false
}

/// `:::note Title`, `::::tip`, `:::` (a close).
fn admonition(trimmed: &str) -> Option<Op> {
    let colons = trimmed.chars().take_while(|&c| c == ':').count();
    if colons < 3 {
        return None;
    }
    let rest = trimmed[colons..].trim();
    if rest.is_empty() {
        return Some(Op::CloseAdmonition);
    }
    let (kind, title) = match rest.find(|c: char| c.is_whitespace() || c == '[' || c == '{') {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    // `:::note[Title]` is the newer syntax for a title.
    let title = title
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(title);
    Some(Op::OpenAdmonition {
        kind: kind.to_ascii_lowercase(),
        title: title.to_string(),
    })
}

fn is_unclosed_component(trimmed: &str) -> bool {
    let mut c = trimmed.chars().skip(1);
    c.next().is_some_and(|c| c.is_ascii_alphabetic()) && !trimmed.contains('>')
}

/// One tag as found on a tag line.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
}

/// A line made only of tags (and summary text): the ops it stands for. `None` when the line
/// holds anything else, so it is left to CommonMark.
fn tag_line(s: &str) -> Option<Vec<Op>> {
    let mut ops = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let (tag, after) = parse_tag(rest)?;
        rest = after.trim_start();
        let lower = tag.name.to_ascii_lowercase();
        if lower == "summary" && !tag.closing {
            let end = rest.to_ascii_lowercase().find("</summary>")?;
            ops.push(Op::Summary(strip_tags(&rest[..end]).trim().to_string()));
            rest = rest[end + "</summary>".len()..].trim_start();
            continue;
        }
        let op = match (lower.as_str(), tag.closing) {
            ("tabitem", false) if !tag.self_closing => Op::OpenSection {
                kind: SectionKind::Tab,
                label: attr(tag.attrs, "label")
                    .or_else(|| attr(tag.attrs, "value"))
                    .unwrap_or_default(),
            },
            ("tabitem", true) => Op::CloseSection(SectionKind::Tab),
            ("details", false) if !tag.self_closing => Op::OpenSection {
                kind: SectionKind::Details,
                label: String::new(),
            },
            ("details", true) => Op::CloseSection(SectionKind::Details),
            // Only block-level or component tags make a tag line; inline ones such as
            // `<a>` or `<img>` alone on a line are left to CommonMark.
            (n, _) if is_block_tag(n) || tag.name.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Op::Drop
            }
            _ => return None,
        };
        ops.push(op);
    }
    if ops.is_empty() { None } else { Some(ops) }
}

fn is_block_tag(lower: &str) -> bool {
    matches!(
        lower,
        "div" | "p" | "center" | "section" | "article" | "span" | "figure" | "figcaption"
    )
}

fn parse_tag(s: &str) -> Option<(Tag<'_>, &str)> {
    let s = s.strip_prefix('<')?;
    let (closing, s) = match s.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let name_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
        .unwrap_or(s.len());
    let name = &s[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after_name = &s[name_len..];
    let end = find_tag_end(after_name)?;
    let inner = after_name[..end].trim();
    let self_closing = inner.ends_with('/');
    let attrs = inner.trim_end_matches('/');
    Some((
        Tag {
            name,
            closing,
            self_closing,
            attrs,
        },
        &after_name[end + 1..],
    ))
}

/// The `>` that ends a tag, skipping quoted attribute values and `{…}` expressions.
fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                '>' if depth == 0 => return Some(i),
                _ => {}
            },
        }
    }
    None
}

/// The value of `name="…"` (or `'…'`, or `{"…"}`) in a tag's attributes.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest[..i].ends_with(char::is_whitespace);
        let after = rest[i + name.len()..].trim_start();
        if before_ok && let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            let v = v.strip_prefix('{').unwrap_or(v);
            let q = v.chars().next()?;
            if q == '"' || q == '\'' {
                let body = &v[1..];
                let end = body.find(q)?;
                return Some(body[..end].to_string());
            }
            let end = v
                .find(|c: char| c.is_whitespace() || c == '}' || c == '/')
                .unwrap_or(v.len());
            return Some(v[..end].to_string());
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// Text with `<…>` tags removed.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admonitions_become_markers_and_code_is_untouched() {
        let p = prepare(":::tip My title\nhello\n:::\n```\n:::note\n```\n");
        assert_eq!(
            p.ops,
            vec![
                Op::OpenAdmonition {
                    kind: "tip".into(),
                    title: "My title".into()
                },
                Op::CloseAdmonition
            ]
        );
        assert!(p.text.contains("```\n:::note\n```\n"));
        assert!(p.text.contains("hello"));
    }

    #[test]
    fn jsx_lines() {
        let p = prepare(
            "import Tabs from '@theme/Tabs';\n<Tabs groupId=\"os\">\n  <TabItem value=\"mac\" label=\"macOS\">\n\ntext\n\n</TabItem>\n</Tabs>\n<details><summary>More <b>info</b></summary>\n\nx\n</details>\n",
        );
        assert_eq!(
            p.ops,
            vec![
                Op::Drop,
                Op::OpenSection {
                    kind: SectionKind::Tab,
                    label: "macOS".into()
                },
                Op::CloseSection(SectionKind::Tab),
                Op::Drop,
                Op::OpenSection {
                    kind: SectionKind::Details,
                    label: String::new()
                },
                Op::Summary("More info".into()),
                Op::CloseSection(SectionKind::Details),
            ]
        );
        assert!(!p.text.contains("import"));
    }

    #[test]
    fn forged_markers_do_not_match() {
        let p = prepare("<x-ken-0>\n:::note\n");
        assert_eq!(p.op("<x-ken-0>"), None);
        assert!(p.prefix.starts_with("x-ken-k"));
    }
}
