//! Heading anchors by the rules of the SCS site (Docusaurus uses `github-slugger`).

use std::collections::HashMap;

/// The slug of one heading text, as `github-slugger` makes it: lower case, characters other
/// than letters, digits, marks, `-`, `_` and spaces removed, spaces turned into `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c == ' ' {
            out.push('-');
        } else if c == '-' || c == '_' || c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if is_mark(c) {
            out.push(c);
        }
    }
    out
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A heading's text and its explicit `{#id}`, if it ends with one: `Rotate keys {#rotate}`
/// → (`Rotate keys`, `rotate`).
pub fn split_id(heading: &str) -> (&str, Option<&str>) {
    let t = heading.trim();
    match t.rfind("{#") {
        Some(open) if t.ends_with('}') => (t[..open].trim_end(), Some(&t[open + 2..t.len() - 1])),
        _ => (t, None),
    }
}

/// Hands out unique anchors within one page: the second "Usage" becomes `usage-1`.
#[derive(Debug, Default)]
pub struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    pub fn new() -> Self {
        Self::default()
    }

    /// The unique anchor for a heading; `custom` is an explicit `{#id}` and is taken as is.
    pub fn anchor(&mut self, text: &str, custom: Option<&str>) -> String {
        let base = match custom {
            Some(id) => id.to_string(),
            None => slug(text),
        };
        let mut candidate = base.clone();
        while let Some(n) = self.seen.get_mut(&candidate) {
            *n += 1;
            candidate = format!("{base}-{}", *n - 1);
        }
        self.seen.insert(candidate.clone(), 1);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_slugger_rules() {
        assert_eq!(slug("Hello World!"), "hello-world");
        assert_eq!(
            slug("Rotate the Fernet keys (Keystone)"),
            "rotate-the-fernet-keys-keystone"
        );
        assert_eq!(slug("SCS-0100: Flavor naming"), "scs-0100-flavor-naming");
        assert_eq!(slug("  Größe  "), "größe");
        assert_eq!(slug("a.b c"), "ab-c");
    }

    #[test]
    fn duplicates_get_numbered() {
        let mut s = Slugger::new();
        assert_eq!(s.anchor("Usage", None), "usage");
        assert_eq!(s.anchor("Usage", None), "usage-1");
        assert_eq!(s.anchor("Usage", None), "usage-2");
        assert_eq!(s.anchor("x", Some("custom")), "custom");
        assert_eq!(
            split_id(" Rotate keys {#rotate} "),
            ("Rotate keys", Some("rotate"))
        );
        assert_eq!(split_id("Plain"), ("Plain", None));
    }
}
