//! A page split into sections: the text under each heading, Markdown syntax stripped, code
//! kept apart. Anchors come from [`crate::slug::Slugger`], so they match the reader's.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::slug::Slugger;

/// One section of a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The heading's text; empty for the text before the first heading.
    pub heading: String,
    /// The headings above this one and this one, joined by " › ".
    pub heading_path: String,
    /// The heading's anchor; empty for the text before the first heading.
    pub anchor: String,
    /// 1–6; 0 for the text before the first heading.
    pub level: u8,
    /// Prose: paragraphs, lists, tables, link texts, inline code.
    pub body: String,
    /// The content of code blocks.
    pub code: String,
    /// Where the section's heading starts in the Markdown split (a byte offset; 0 for the
    /// text before the first heading), so a section can be found in its file.
    pub start: usize,
}

/// The Markdown features the index understands; the same ones the reader enables.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Splits a Markdown body (front matter already removed) into sections. The text before the
/// first heading is a section only when it has text; a page always yields at least one
/// section.
pub fn split(markdown: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut slugger = Slugger::new();
    let mut cur = Section::default();
    // Open headings above the current one: (level, text).
    let mut trail: Vec<(u8, String)> = Vec::new();
    let mut in_heading: Option<(u8, Option<String>)> = None;
    let mut heading_text = String::new();
    let mut in_code = false;
    let mut heading_start = 0;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                finish(&mut out, std::mem::take(&mut cur));
                in_heading = Some((level as u8, id.map(|s| s.to_string())));
                heading_text.clear();
                heading_start = range.start;
            }
            Event::End(TagEnd::Heading(_)) => {
                let (level, id) = in_heading.take().unwrap_or((1, None));
                // The anchor comes from the text as written (the site slugs `a  b` to `a--b`
                // and drops a no-break space); only the shown heading is tidied.
                let anchor = slugger.anchor(heading_text.trim(), id.as_deref());
                let text = collapse(&heading_text);
                trail.retain(|(l, _)| *l < level);
                trail.push((level, text.clone()));
                cur = Section {
                    heading_path: trail
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(" › "),
                    heading: text,
                    anchor,
                    level,
                    body: String::new(),
                    code: String::new(),
                    start: heading_start,
                };
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                cur.code.push('\n');
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if in_heading.is_some() {
                    heading_text.push_str(&t);
                } else if in_code {
                    cur.code.push_str(&t);
                } else {
                    push_text(&mut cur.body, &t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_heading.is_some() {
                    heading_text.push(' ');
                } else {
                    cur.body.push(' ');
                }
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListDefinition
                | TagEnd::DefinitionListTitle,
            ) if !cur.body.ends_with(['\n', ' ']) && !cur.body.is_empty() => {
                cur.body.push('\n');
            }
            // HTML and JSX (MDX) are markup, not text.
            _ => {}
        }
    }
    finish(&mut out, cur);
    if out.is_empty() {
        out.push(Section::default());
    }
    out
}

/// Paragraph text, minus MDX admonition fences (`:::note`), which are markup.
fn push_text(body: &mut String, text: &str) {
    let t = text.trim();
    if t.starts_with(":::") && !t.contains(' ') {
        return;
    }
    if let Some(rest) = t.strip_prefix(":::") {
        // `:::note Title` keeps its title.
        body.push_str(rest.split_once(' ').map_or("", |(_, title)| title));
        return;
    }
    body.push_str(text);
}

fn finish(out: &mut Vec<Section>, mut s: Section) {
    s.body = s.body.trim().to_string();
    s.code = s.code.trim_end().to_string();
    if s.level == 0 && s.body.is_empty() && s.code.is_empty() {
        return;
    }
    out.push(s);
}

/// Whitespace runs become one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_headings_with_unique_anchors() {
        let md = "Intro text with [a link](http://x) and `code`.\n\n# Title\n\nBody *one*.\n\n\
                  ## Usage\n\n```sh\nopenstack token issue\n```\n\nMore.\n\n## Usage\n\n\
                  ### Deep {#custom}\n\n| a | b |\n|---|---|\n| c | d |\n";
        let s = split(md);
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].anchor, "");
        assert_eq!(s[0].body, "Intro text with a link and code.");
        assert_eq!(s[1].heading, "Title");
        assert_eq!(s[1].body, "Body one.");
        assert_eq!(s[2].anchor, "usage");
        assert_eq!(s[2].code, "openstack token issue");
        assert_eq!(s[2].body, "More.");
        assert_eq!(s[3].anchor, "usage-1");
        assert_eq!(s[4].anchor, "custom");
        assert_eq!(s[4].heading_path, "Title › Usage › Deep");
        assert!(md[s[4].start..].starts_with("### Deep"));
        assert_eq!(s[0].start, 0);
        assert!(s[4].body.contains('c') && s[4].body.contains('d'));
    }

    #[test]
    fn an_empty_page_is_one_empty_section() {
        assert_eq!(split("").len(), 1);
        assert_eq!(split("# Only\n").len(), 1);
        assert_eq!(split("# Only\n")[0].anchor, "only");
    }

    #[test]
    fn admonition_fences_are_markup() {
        let s = split(":::note\n\nKeep keys safe.\n\n:::\n");
        assert_eq!(s[0].body, "Keep keys safe.");
    }
}
