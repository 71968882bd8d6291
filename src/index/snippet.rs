//! Snippets: the best window of a section's text, with every word whose stem matched the
//! query highlighted — including words found by prefix or typo tolerance, which tantivy's own
//! snippet generator leaves plain.

use std::collections::HashSet;
use std::ops::Range;

use serde::Serialize;
use std::cell::RefCell;

use tantivy::tokenizer::TextAnalyzer;

use super::schema;

use crate::sanitize;

/// Snippet length, in characters of the source text.
pub const SNIPPET_CHARS: usize = 180;
/// At most this many matches are considered when choosing the window.
const MAX_MATCHES: usize = 400;

/// A one-line excerpt, safe for the terminal, and where its matched words are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Whitespace collapsed, passed through [`sanitize::line`], so it can be printed as is.
    pub text: String,
    /// Character (not byte) ranges of `text` to highlight, in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

/// Makes the snippet of `text` for the stemmed terms in `terms`.
pub fn make(text: &str, terms: &HashSet<String>, max_chars: usize) -> Snippet {
    let mut matches = find(terms, text, MAX_MATCHES);
    let max_bytes = byte_len_of_chars(text, max_chars);
    let (start, end) = window(text, &matches, max_bytes);
    matches.retain(|(r, _)| r.start >= start && r.end <= end);
    let ranges: Vec<Range<usize>> = matches.into_iter().map(|(r, _)| r).collect();
    render(text, start, end, &ranges)
}

/// Byte ranges of the words of `text` whose stem is one of `terms` (from
/// [`super::Results::terms`]): for highlighting the matched words in an opened page.
pub fn highlight_ranges(terms: &HashSet<String>, text: &str) -> Vec<Range<usize>> {
    find(terms, text, usize::MAX)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

/// The words of `text` whose stem is in `terms`, with their stems, at most `max`.
///
/// Stemming is the costly part, so only words whose first letter is the first letter of a
/// term are stemmed (the English stemmer never changes a word's first letter).
fn find(terms: &HashSet<String>, text: &str, max: usize) -> Vec<(Range<usize>, String)> {
    thread_local! {
        static ANALYZERS: RefCell<(TextAnalyzer, TextAnalyzer)> =
            RefCell::new((schema::plain(), schema::stemmed()));
    }
    let mut out = Vec::new();
    if terms.is_empty() {
        return out;
    }
    let firsts: HashSet<char> = terms.iter().filter_map(|t| t.chars().next()).collect();
    ANALYZERS.with(|a| {
        let (plain, stem) = &mut *a.borrow_mut();
        let mut stream = plain.token_stream(text);
        while let Some(t) = stream.next() {
            if !t.text.chars().next().is_some_and(|c| firsts.contains(&c)) {
                continue;
            }
            let stemmed = match stem.token_stream(&t.text).next() {
                Some(s) => s.text.clone(),
                None => continue,
            };
            if terms.contains(&stemmed) {
                out.push((t.offset_from..t.offset_to, stemmed));
                if out.len() >= max {
                    break;
                }
            }
        }
    });
    out
}

/// Bytes taken by the first `n` characters of `text` (all of it when shorter).
fn byte_len_of_chars(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// The byte range of the window with the most distinct matched terms (then the most
/// matches), widened a little to the left for context and snapped to char boundaries.
fn window(text: &str, matches: &[(Range<usize>, String)], max_bytes: usize) -> (usize, usize) {
    if matches.is_empty() {
        return (0, floor_char(text, max_bytes.min(text.len())));
    }
    let mut best = (0usize, 0usize, 0usize); // (distinct, count, index)
    for i in 0..matches.len() {
        let limit = matches[i].0.start + max_bytes;
        let mut distinct: Vec<&str> = Vec::new();
        let mut count = 0;
        for (r, t) in &matches[i..] {
            if r.end > limit {
                break;
            }
            count += 1;
            if !distinct.contains(&t.as_str()) {
                distinct.push(t);
            }
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, i);
        }
    }
    let first = matches[best.2].0.start;
    // Some words of context before the first match, from a word boundary.
    // Near the end of the text, more context before the match fills the window.
    let room = (first + max_bytes).saturating_sub(text.len());
    let lead = (max_bytes / 5).max(room).min(first);
    let mut start = floor_char(text, first - lead);
    if start > 0 {
        if let Some(sp) = text[start..first].find(char::is_whitespace) {
            start += sp + 1;
        } else {
            start = first;
        }
    }
    let end = floor_char(text, (start + max_bytes).min(text.len()));
    // Never cut a highlighted word in half.
    let end = matches
        .iter()
        .find(|(r, _)| r.start < end && r.end > end)
        .map_or(end, |(r, _)| r.start);
    (start, end)
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Builds the one-line snippet: whitespace collapsed, each piece sanitized, ranges in chars.
fn render(text: &str, start: usize, end: usize, ranges: &[Range<usize>]) -> Snippet {
    let mut out = Snippet::default();
    let mut chars = 0usize;
    let mut last_space = true;
    if start > 0 {
        out.text.push_str("… ");
        chars += 2;
    }
    let push = |piece: &str, out: &mut Snippet, chars: &mut usize, last_space: &mut bool| {
        let mut clean = String::with_capacity(piece.len());
        for c in piece.chars() {
            if c.is_whitespace() {
                if !*last_space {
                    clean.push(' ');
                    *last_space = true;
                }
            } else {
                clean.push(c);
                *last_space = false;
            }
        }
        let safe = sanitize::line(&clean, 0);
        *chars += safe.chars().count();
        out.text.push_str(&safe);
    };
    let mut at = start;
    for r in ranges {
        push(&text[at..r.start], &mut out, &mut chars, &mut last_space);
        let from = chars;
        push(&text[r.start..r.end], &mut out, &mut chars, &mut last_space);
        if chars > from {
            out.highlights.push(from..chars);
        }
        at = r.end;
    }
    push(&text[at..end], &mut out, &mut chars, &mut last_space);
    let trimmed = out.text.trim_end().len();
    out.text.truncate(trimmed);
    if end < text.len() {
        out.text.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(text: &str, terms: &[&str], n: usize) -> Snippet {
        let set = terms.iter().map(|s| s.to_string()).collect();
        make(text, &set, n)
    }

    fn marked(s: &Snippet) -> String {
        let chars: Vec<char> = s.text.chars().collect();
        let mut out = String::new();
        for (i, c) in chars.iter().enumerate() {
            if s.highlights.iter().any(|r| r.start == i) {
                out.push('[');
            }
            out.push(*c);
            if s.highlights.iter().any(|r| r.end == i + 1) {
                out.push(']');
            }
        }
        out
    }

    #[test]
    fn highlights_every_inflection_of_a_stem() {
        let s = snip(
            "Rotate the keys.\nRotating\tkeys rotates them.",
            &["rotat"],
            100,
        );
        assert_eq!(
            marked(&s),
            "[Rotate] the keys. [Rotating] keys [rotates] them."
        );
    }

    #[test]
    fn the_window_goes_where_the_matches_are() {
        let text = format!(
            "{} fernet keys are rotated here. {}",
            "filler ".repeat(50),
            "tail ".repeat(50)
        );
        let s = snip(&text, &["fernet", "rotat"], 60);
        assert!(s.text.starts_with("… "), "{}", s.text);
        assert!(s.text.ends_with(" …"), "{}", s.text);
        assert!(
            marked(&s).contains("[fernet] keys are [rotated]"),
            "{}",
            marked(&s)
        );
    }

    #[test]
    fn ranges_count_characters_and_text_is_sanitized() {
        let s = snip("Größe \u{1b}[31m größe", &["gross"], 100);
        assert_eq!(s.text, "Größe ␛[31m größe");
        assert_eq!(marked(&s), "[Größe] ␛[31m [größe]");
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = snip("alpha beta gamma", &["zeta"], 10);
        assert_eq!(s.text, "alpha beta …");
        assert!(s.highlights.is_empty());
    }
}
