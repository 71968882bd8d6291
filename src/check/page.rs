//! The findings of one page, judged against its whole copy: what the terminal UI asks for the
//! page it shows. The copy's catalogue, site and file list are read once ([`PageCheck::new`]);
//! each page then costs only the reading of what its findings depend on (the page, the other
//! standards of its folder, the pages its links lead into for their anchors), through the same
//! [`run::check_docs`] a whole check runs, so a page gets exactly the findings `ken check` of
//! its source gives it.

use std::collections::HashSet;
use std::sync::Arc;

use super::run::{self, Copy};
use super::*;
use crate::base::Base;
use crate::config::SourceSpec;
use crate::corpus::{Catalog, Document, Note};
use crate::library::{SourceCopy, site_docs};
use crate::markdown::Site;

/// One source's copy made ready for checking its pages one at a time.
pub struct PageCheck {
    copy: SourceCopy,
    cat: Catalog,
    site: Arc<Site>,
    files: links::Files,
    config: RuleConfig,
    cap: u64,
}

/// The configured findings of one page, and how many files were checked to find them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFindings {
    pub findings: Vec<Finding>,
    /// The files checked as pages: the page, the other standards of its folder that its rules
    /// read when it is a standard (`standards::needed`), and the files of the copy ken cannot
    /// read (each a finding of its own). Pages read only for their anchors are not counted.
    pub checked: usize,
}

impl PageCheck {
    /// Reads the last good copy of `spec` as [`run::source`] does: its catalogue, its site
    /// (with the source's own routing) and the list of its files. The error says why the copy
    /// cannot be checked.
    pub fn new(base: &Base, spec: &SourceSpec) -> Result<PageCheck, String> {
        let copy = base.copy(spec).map_err(|e| e.to_string())?;
        let cat = copy.docs().map_err(|e| e.to_string())?;
        // The site `Base::site` makes, from the catalogue read just now rather than a second
        // time.
        let routing = base.site_routing(&spec.name).routing;
        let site = Arc::new(Site::new(site_docs(&cat.docs, &spec.name), routing));
        let files = run::files_of(
            &copy.snapshot,
            &copy.filter,
            &cat.docs.iter().collect::<Vec<_>>(),
        );
        Ok(PageCheck {
            copy,
            cat,
            site,
            files,
            config: base.config.check_rules.restricted(|r| !is_stale_rule(r)),
            cap: base.config.max_file_size,
        })
    }

    /// The findings of the page at `path` (a reader's path), configured as `ken check`'s
    /// (rules turned off dropped, severities as configured, `ken stale`'s rules left out).
    pub fn page(&self, path: &str) -> PageFindings {
        let root = self.copy.filter.root();
        let snapshot = &self.copy.snapshot;
        let read = |d: &Document| snapshot.read(root, &d.entry, self.cap);
        let generated = |d: &Document| snapshot.generated(root, &d.rel);
        let docs: Vec<&Document> = self.cat.docs.iter().collect();
        let notes: Vec<&Note> = self.cat.notes.iter().collect();
        let copy = Copy {
            docs: &docs,
            notes: &notes,
            site: &self.site,
            files: &self.files,
            read: &read,
            generated: &generated,
            cap: self.cap,
        };
        let only = HashSet::from([path.to_string()]);
        let name = |p: &str| p.to_string();
        let (found, files, _) = run::check_docs(&name, &copy, Some(&only));
        // A run over some pages also reports the other standards of their folders.
        let mine = found.into_iter().filter(|f| f.file == path).collect();
        PageFindings {
            findings: self.config.apply(mine),
            checked: files.len(),
        }
    }
}
