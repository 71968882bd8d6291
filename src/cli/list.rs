//! `ken list`: every document of every source, with its title.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::sync::ensure_synced;
use crate::base::Base;
use crate::history::{Histories, PageDates};
use crate::sanitize;
use crate::source::FileOrigin;

/// One document of `ken list --json`. The fields are in the order serde_json's map would
/// give them (alphabetical), the order this output has always had.
#[derive(Serialize)]
struct Item<'a> {
    #[serde(flatten)]
    dates: PageDates,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a FileOrigin>,
    path: &'a str,
    source: &'a str,
    title: &'a str,
}

pub fn run(base: &mut Base, offline: bool, json: bool) -> anyhow::Result<ExitCode> {
    ensure_synced(base, offline);
    let mut failed = false;
    let mut docs = Vec::new();
    for spec in base.config.sources.clone() {
        // From the catalogue when it is of the synced copy: no blob read.
        match base.listing(&spec) {
            Ok((listed, notes)) => {
                for n in &notes {
                    eprintln!(
                        "note: {}:{}: {}",
                        sanitize::line(&n.source, 0),
                        sanitize::line(&n.path, 0),
                        sanitize::line(&n.problem, 0)
                    );
                }
                docs.extend(listed);
            }
            Err(e) => {
                eprintln!("ken: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
            }
        }
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let histories = Histories::load(base);
        for line in histories.problems.iter().chain(&histories.gaps()) {
            eprintln!("note: {}", sanitize::line(line, 0));
        }
        let items: Vec<Item> = docs
            .iter()
            .map(|d| Item {
                dates: histories.page(&d.source, &d.path),
                link: d.link.as_deref(),
                origin: d.origin.as_ref(),
                path: &d.path,
                source: &d.source,
                title: &d.title,
            })
            .collect();
        serde_json::to_writer_pretty(&mut stdout, &items).map_err(std::io::Error::from)?;
        writeln!(stdout)?;
    } else {
        let w = docs
            .iter()
            .map(|d| d.path.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for d in &docs {
            let title = match &d.link {
                Some(t) => format!("link → {t}"),
                None => d.title.clone(),
            };
            writeln!(
                stdout,
                "{}  {:<w$}  {}",
                sanitize::line(&d.source, 0),
                sanitize::line(&d.path, 0),
                sanitize::line(&title, 0)
            )?;
        }
    }
    stdout.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
