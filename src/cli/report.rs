//! `ken report PAGE [--lines A-B]`: a ready "report a problem" link for the repository the
//! page comes from (see `library::report`), printed to be opened on any machine.

use std::io::Write;
use std::process::ExitCode;

use crate::base::Base;
use crate::library::{self, SiteRouting};
use crate::sanitize;

/// `A-B` or `A` (one line), from 1.
pub fn parse_lines(s: &str) -> Result<(usize, usize), String> {
    let num = |t: &str| {
        t.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{t:?} is not a line number (from 1)"))
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return Err(format!("{a}-{b}: the first line comes after the last"));
            }
            Ok((a, b))
        }
        None => num(s).map(|a| (a, a)),
    }
}

pub fn run(
    base: &Base,
    page: &str,
    lines: Option<(usize, usize)>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut found = base.find(page)?;
    let parsed = base.read_found(&mut found)?;
    let address = page_address(base, &found.doc, found.anchor.as_deref());
    let report = library::report(
        &found.doc,
        &address,
        &parsed,
        lines,
        found.anchor.as_deref().filter(|_| lines.is_none()),
    )?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    // Every part is percent-encoded or from the forge's URL rules; sanitized all the same.
    let s = |x: &str| sanitize::line(x, 0).into_owned();
    outln!("{}", s(&report.url));
    outln!("  page:      {}", s(&address));
    outln!("  permalink: {}", s(&report.permalink));
    Ok(ExitCode::SUCCESS)
}

/// The page's site URL (at `anchor`) when its site is known, else `source:path`.
fn page_address(base: &Base, doc: &crate::corpus::Document, anchor: Option<&str>) -> String {
    let origin = base
        .site_routing(&doc.source)
        .origin
        .or_else(|| SiteRouting::fallback(base.spec(&doc.source)).origin);
    let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
    match (origin, base.site(&doc.source).route(&doc.path)) {
        (Some(o), Some(route)) => format!("{o}{route}{anchor}"),
        _ => format!("{}:{}{anchor}", doc.source, doc.path),
    }
}
