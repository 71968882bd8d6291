//! Running the rules over a source's copy: every document read as text (a file that cannot
//! be is a finding of its own), then the standards and link rules over all of them. What
//! `ken check` runs per source, and what the reader runs in the background for the pages of
//! the source it shows ([`source`]).

use super::*;
use crate::base::Base;
use crate::config::SourceSpec;
use crate::corpus::{Catalog, Filter};
use crate::markdown::Site;
use crate::source::{Content, Snapshot};

/// One document read for checking.
struct Text {
    /// The reader's path (the site's).
    path: String,
    /// The name findings give it (`SOURCE:path` when several sources are checked).
    file: String,
    text: String,
}

/// Runs every rule over one copy of a source (its documents `cat`, read from `snapshot`
/// through `filter`, resolved by `site`): the findings, the names of the files checked, and
/// the external links (which only `--online` asks, [`online`]).
pub fn check_copy(
    name: &dyn Fn(&str) -> String,
    snapshot: &Snapshot,
    filter: &Filter,
    cat: &Catalog,
    cap: u64,
    site: &Site,
) -> (Vec<Finding>, Vec<String>, Vec<online::External>) {
    let root = filter.root();
    let mut findings = Vec::new();
    // Every file, for the links to files that are not pages; a copy that cannot be listed
    // was listed a moment ago for its documents, so this is only a fallback.
    let all = match snapshot.entries(root) {
        Ok(entries) => links::Files::new(entries.into_iter().map(|e| filter.mounted(&e.path))),
        Err(_) => links::Files::new(cat.docs.iter().map(|d| d.path.clone())),
    };
    let mut files = Vec::new();
    for n in &cat.notes {
        if let Some(problem) = n.problem.strip_prefix("skipped: ") {
            files.push(name(&n.path));
            findings.push(Finding::new(
                FILE_UNREADABLE,
                &name(&n.path),
                Pos::START,
                format!("ken cannot read this file as text: {problem}"),
            ));
        }
    }
    let mut texts = Vec::new();
    // Pages ken generated (a site's standards overview) are nobody's to fix.
    let checked = cat
        .docs
        .iter()
        .filter(|d| d.link.is_none())
        .filter(|d| !snapshot.generated(root, &d.rel));
    for d in checked {
        let file = name(&d.path);
        files.push(file.clone());
        let text = match snapshot.read(root, &d.entry, cap) {
            Ok(Content::Bytes(b)) => match String::from_utf8(b) {
                Ok(s) => s,
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let bytes = e.into_bytes();
                    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                    findings.push(Finding::new(
                        FILE_UNREADABLE,
                        &file,
                        Pos::new(line, 1),
                        format!(
                            "not valid UTF-8 (byte {valid}): ken and the site show \u{FFFD} there; save the file as UTF-8"
                        ),
                    ));
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            },
            Ok(Content::TooLarge(size)) => {
                findings.push(Finding::new(
                    FILE_UNREADABLE,
                    &file,
                    Pos::START,
                    format!("{size} bytes, over the size cap of {cap}"),
                ));
                continue;
            }
            Err(e) => {
                findings.push(Finding::new(
                    FILE_UNREADABLE,
                    &file,
                    Pos::START,
                    format!("cannot be read: {e}"),
                ));
                continue;
            }
        };
        texts.push(Text {
            path: d.path.clone(),
            file,
            text,
        });
    }
    let inputs: Vec<standards::Input> = texts
        .iter()
        .map(|t| standards::Input {
            path: &t.file,
            text: &t.text,
        })
        .collect();
    findings.extend(standards::check(&inputs));
    let pages: Vec<links::Page> = texts
        .iter()
        .map(|t| links::Page {
            path: &t.path,
            file: &t.file,
            text: &t.text,
        })
        .collect();
    let (found, external) = links::check(&pages, site, &all);
    findings.extend(found);
    (findings, files, external)
}

/// Every configured finding of one source's last good copy (rules turned off dropped,
/// severities as configured, `ken stale`'s rules left out), named by the reader's paths:
/// what `ken check --source NAME` reports. The error says why the copy cannot be checked.
pub fn source(base: &Base, spec: &SourceSpec) -> Result<Vec<Finding>, String> {
    let copy = base.copy(spec).map_err(|e| e.to_string())?;
    let cat = copy.docs().map_err(|e| e.to_string())?;
    let site = base.site(&spec.name);
    let name = |p: &str| p.to_string();
    let cap = base.config.max_file_size;
    let (found, _, _) = check_copy(&name, &copy.snapshot, &copy.filter, &cat, cap, &site);
    let config = base.config.check_rules.restricted(|r| !is_stale_rule(r));
    Ok(config.apply(found))
}
