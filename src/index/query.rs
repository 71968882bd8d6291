//! The query language, the same for `ken search` and the terminal UI.
//!
//! ```text
//! keystone fernet        every word must match (else: the best partial matches, with a notice)
//! "fernet keys"          an exact phrase
//! rota*                  a prefix
//! -draft                 excludes
//! title:flavor path:iaas source:scs status:stable track:iaas   filters
//! changed:<30d changed:>1y   by the page's last change (with dates: `search_with`)
//! sort:changed           most recently changed first
//! ```
//!
//! Parsing never fails: an unbalanced quote runs to the end, an unknown field is searched as
//! words, an over-long query is cut. Each of these leaves a notice.

/// Longest query taken, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most terms taken from one query.
pub const MAX_TERMS: usize = 32;

/// One element of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub negated: bool,
    /// `None` for the default fields; else the field name before `:` (lower case).
    pub field: Option<String>,
    pub text: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// `word*`, or the last word while typing.
    Prefix,
    Phrase,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub clauses: Vec<Clause>,
    /// What was taken leniently, for the user.
    pub notices: Vec<String>,
}

/// Parses a query. With `as_you_type`, a last word not yet followed by a space is a prefix.
pub fn parse(query: &str, as_you_type: bool) -> Parsed {
    let mut p = Parsed::default();
    let query: String = if query.chars().count() > MAX_QUERY_CHARS {
        p.notices.push(format!(
            "the query is long; only its first {MAX_QUERY_CHARS} characters were searched"
        ));
        query.chars().take(MAX_QUERY_CHARS).collect()
    } else {
        query.to_string()
    };
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    let mut typing_last = false;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        // A field name: letters, digits, `_` or `-`, then `:` and something.
        let mut field = None;
        let mut j = i;
        while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '-')
        {
            j += 1;
        }
        if j > i && j + 1 < chars.len() && chars[j] == ':' && !chars[j + 1].is_whitespace() {
            field = Some(chars[i..j].iter().collect::<String>().to_lowercase());
            i = j + 1;
        }
        let (text, kind) = if chars[i] == '"' {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && chars[end] != '"' {
                end += 1;
            }
            if end >= chars.len() {
                p.notices
                    .push("a quote was not closed; the phrase runs to the end".to_string());
            }
            let text: String = chars[start..end.min(chars.len())].iter().collect();
            i = end + 1;
            (text, Kind::Phrase)
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            let raw: String = chars[start..i].iter().collect();
            typing_last = i >= chars.len();
            match raw.strip_suffix('*') {
                Some(stem) => (stem.trim_end_matches('*').to_string(), Kind::Prefix),
                None => (raw, Kind::Word),
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        if p.clauses.len() >= MAX_TERMS {
            p.notices.push(format!(
                "only the first {MAX_TERMS} terms of the query were searched"
            ));
            break;
        }
        p.clauses.push(Clause {
            negated,
            field,
            text,
            kind,
        });
    }
    if as_you_type
        && typing_last
        && let Some(last) = p.clauses.last_mut()
        && last.kind == Kind::Word
        && !last.negated
    {
        last.kind = Kind::Prefix;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(negated: bool, field: Option<&str>, text: &str, kind: Kind) -> Clause {
        Clause {
            negated,
            field: field.map(str::to_string),
            text: text.to_string(),
            kind,
        }
    }

    #[test]
    fn every_form() {
        let p = parse(
            r#"rotate "fernet keys" keyst* -draft title:flavor status:"Stable" -path:old"#,
            false,
        );
        assert_eq!(
            p.clauses,
            vec![
                c(false, None, "rotate", Kind::Word),
                c(false, None, "fernet keys", Kind::Phrase),
                c(false, None, "keyst", Kind::Prefix),
                c(true, None, "draft", Kind::Word),
                c(false, Some("title"), "flavor", Kind::Word),
                c(false, Some("status"), "Stable", Kind::Phrase),
                c(true, Some("path"), "old", Kind::Word),
            ]
        );
        assert!(p.notices.is_empty());
    }

    #[test]
    fn as_you_type_makes_the_last_word_a_prefix() {
        let p = parse("fernet ro", true);
        assert_eq!(p.clauses[1], c(false, None, "ro", Kind::Prefix));
        let p = parse("fernet ro ", true);
        assert_eq!(p.clauses[1], c(false, None, "ro", Kind::Word));
        let p = parse("fernet ro", false);
        assert_eq!(p.clauses[1], c(false, None, "ro", Kind::Word));
    }

    #[test]
    fn malformed_queries_are_taken_leniently() {
        let p = parse(r#"keys "unclosed phrase"#, false);
        assert_eq!(
            p.clauses[1],
            c(false, None, "unclosed phrase", Kind::Phrase)
        );
        assert_eq!(p.notices.len(), 1);
        for q in [
            "", "-", "\"", ":", "a:", ":b", "-\"\"", "***", "title:", "\"\"\"", "- -",
        ] {
            let _ = parse(q, true);
        }
        let long = "word ".repeat(3000);
        let p = parse(&long, false);
        assert_eq!(p.clauses.len(), MAX_TERMS);
        assert_eq!(p.notices.len(), 2);
        assert_eq!(
            parse("a:", false).clauses,
            vec![c(false, None, "a:", Kind::Word)]
        );
    }
}
