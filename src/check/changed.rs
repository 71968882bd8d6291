//! `--changed-since`: which findings a change is responsible for.
//!
//! The rules run over the copy as it is now and over the copy as it was at the start of the
//! range (the caller lays both out). A finding in a page the range added, changed or renamed
//! is reported whatever its age: the writer touching the page owns it. A finding in a page
//! the range did not touch is reported only when the old copy did not have it: that is an
//! inbound breakage, a heading renamed or a page deleted elsewhere that broke this page's
//! link. A finding the untouched page had before is nobody's news, and is left out.

use std::collections::HashSet;

use super::Finding;

/// The findings of `now` that the change made: every one in a file of `changed` (findings'
/// file names), and in the other files those `before` did not have.
pub fn caused(now: Vec<Finding>, before: &[Finding], changed: &HashSet<String>) -> Vec<Finding> {
    // A finding is the same one when everything but its severity is: an untouched file has
    // the same lines and columns, and the message names what the link leads to.
    let key = |f: &Finding| {
        (
            f.rule,
            f.file.clone(),
            f.line,
            f.column,
            f.message.clone(),
            f.target.clone(),
        )
    };
    let old: HashSet<_> = before.iter().map(key).collect();
    now.into_iter()
        .filter(|f| changed.contains(&f.file) || !old.contains(&key(f)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{LINK_MISSING_ANCHOR, LINK_MISSING_PAGE, Pos};
    use super::*;

    #[test]
    fn old_findings_of_untouched_files_are_dropped_and_changed_files_keep_all() {
        let f = |rule, file: &str, line| Finding::new(rule, file, Pos::new(line, 1), "m");
        let before = vec![
            f(LINK_MISSING_PAGE, "b.md", 3),
            f(LINK_MISSING_PAGE, "a.md", 1),
        ];
        let now = vec![
            f(LINK_MISSING_PAGE, "b.md", 3),
            f(LINK_MISSING_ANCHOR, "b.md", 5),
            f(LINK_MISSING_PAGE, "a.md", 1),
        ];
        let changed: HashSet<String> = ["a.md".to_string()].into();
        let got = caused(now, &before, &changed);
        let got: Vec<(&str, u32)> = got.iter().map(|f| (f.file.as_str(), f.line)).collect();
        assert_eq!(got, [("b.md", 5), ("a.md", 1)]);
    }
}
