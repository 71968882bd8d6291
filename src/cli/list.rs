//! `ken list`: every document of every source, with its title.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::sync::ensure_synced;
use crate::base::Base;
use crate::history::Histories;
use crate::sanitize;

pub fn run(base: &mut Base, offline: bool, json: bool) -> anyhow::Result<ExitCode> {
    ensure_synced(base, offline);
    let mut failed = false;
    let mut docs = Vec::new();
    for spec in base.config.sources.clone() {
        match base.catalog(&spec) {
            Ok(cat) => {
                for n in &cat.notes {
                    eprintln!(
                        "note: {}:{}: {}",
                        sanitize::line(&n.source, 0),
                        sanitize::line(&n.path, 0),
                        sanitize::line(&n.problem, 0)
                    );
                }
                docs.extend(cat.docs);
            }
            Err(e) => {
                eprintln!("ken: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let histories = Histories::load(base);
        for line in histories.problems.iter().chain(&histories.gaps()) {
            eprintln!("note: {}", sanitize::line(line, 0));
        }
        let v: Vec<_> = docs
            .iter()
            .map(|d| {
                let mut o = json!({"source": d.source, "path": d.path, "title": d.title});
                if let Some(l) = &d.link {
                    o["link"] = json!(l);
                }
                if let Some(origin) = &d.origin {
                    o["origin"] = json!(origin);
                }
                let dates = histories.page(&d.source, &d.path);
                o["changed"] = json!(dates.changed);
                o["created"] = json!(dates.created);
                o
            })
            .collect();
        writeln!(stdout, "{}", serde_json::to_string_pretty(&v)?)?;
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
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
