//! `ken bundle create|import|inspect` and `ken sync --from`: offline bundles for nodes that
//! never reach a git server. The work is in `crate::bundle`; this file parses and prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use indicatif::HumanBytes;
use serde_json::json;

use super::progress::say;
use super::sync::{repos_line, update_index};
use super::{Out, short};
use crate::base::{Base, SyncAction, SyncSummary};
use crate::bundle::{self, Manifest, SinceRecord};
use crate::corpus::ChangeStatus;
use crate::sanitize;

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write every synced git source into FILE: a tar holding a manifest and one git bundle
    /// per repository, for a node that cannot reach a git server.
    #[command(after_help = "\
Examples:
  ken bundle create week48.kenbundle                           everything
  ken bundle create week49.kenbundle --since week48.kenbundle  only what is new since then
  ken bundle create recent.kenbundle --since 2026-11-01        new since that date
Each part is a standard git bundle: `tar xf FILE` and `git clone parts/0.bundle` work.")]
    Create {
        file: PathBuf,
        /// Only what is new since a previous bundle (its tips become the prerequisites) or a
        /// date (2026-11-24, 2026-11-24T09:00:00Z) or an age (7d).
        #[arg(long, value_name = "PREVIOUS_BUNDLE|DATE")]
        since: Option<String>,
        /// Print what was written (the manifest) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify FILE in full, then bring its repositories into this node's mirrors, state and
    /// search index. Never uses the network; a refused bundle changes nothing.
    Import {
        file: PathBuf,
        /// Print what happened as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify FILE and print its manifest (what it holds, from which ken, built on what).
    Inspect {
        file: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(base: &mut Base, cmd: BundleCommand, out: &Out) -> anyhow::Result<ExitCode> {
    match cmd {
        BundleCommand::Create { file, since, json } => {
            create(base, &file, since.as_deref(), json, out)
        }
        BundleCommand::Import { file, json } => {
            import(base, &file, ImportOutput::Object(json), out)
        }
        BundleCommand::Inspect { file, json } => inspect(&file, json, out),
    }
}

fn s(x: &str) -> String {
    sanitize::line(x, 0).into_owned()
}

fn rfc3339(t: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
        .to_string()
}

fn create(
    base: &Base,
    file: &Path,
    since: Option<&str>,
    json: bool,
    out: &Out,
) -> anyhow::Result<ExitCode> {
    let since = match since {
        None => bundle::Since::Nothing,
        Some(arg) => bundle::Since::parse(arg, crate::state::now())?,
    };
    let created = bundle::create(base, file, &since)?;
    for line in &created.skipped {
        say(&format!("bundle: skipped {}", s(line)));
    }
    for line in &created.notes {
        say(&format!("bundle: {}", s(line)));
    }
    if json {
        let v = json!({
            "file": std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            "size": created.size,
            "manifest": created.manifest,
            "skipped": created.skipped,
            "notes": created.notes,
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let m = &created.manifest;
    let kind = if m.since.is_some() {
        "incremental"
    } else {
        "full"
    };
    outln!(
        "wrote {}: {} repositories, {} ({kind})",
        out.bold(&s(&file.display().to_string())),
        m.repositories.len(),
        HumanBytes(created.size)
    );
    for r in &m.repositories {
        outln!("  {}", repo_line(r));
    }
    Ok(ExitCode::SUCCESS)
}

/// One repository of a manifest, for people.
fn repo_line(r: &bundle::RepoEntry) -> String {
    let what = match &r.part {
        Some(p) => {
            let mut w = format!("{p}, {}, {} objects", HumanBytes(r.size), r.objects);
            if !r.prerequisites.is_empty() {
                let needs: Vec<&str> = r.prerequisites.iter().map(|p| short(p)).collect();
                w.push_str(&format!(", needs {}", needs.join(" ")));
            }
            w
        }
        None => format!("unchanged (needs {})", short(&r.tip)),
    };
    match &r.site {
        // A repository a site names: indented under its site, with the manifest's name.
        Some(_) => format!(
            "  {}  {}  {}  {}  {what}",
            s(r.repo.as_deref().unwrap_or(&r.name)),
            s(&r.url),
            s(&r.branch),
            short(&r.tip),
        ),
        None => {
            let site = match &r.site_manifest {
                Some(m) => format!("  site ({})", s(m)),
                None => String::new(),
            };
            format!(
                "{}  {}  {}  {}  {} docs{site}  {what}",
                s(&r.name),
                s(&r.url),
                s(&r.branch),
                short(&r.tip),
                r.docs
            )
        }
    }
}

/// How an import reports: `ken bundle import` (`--json`: one object) or `ken sync --from`
/// (`--json`: the array `ken sync --json` prints).
pub enum ImportOutput {
    Object(bool),
    SyncArray(bool),
}

pub fn import(
    base: &mut Base,
    file: &Path,
    output: ImportOutput,
    out: &Out,
) -> anyhow::Result<ExitCode> {
    // The search index is updated as after `ken sync`, under the same lock.
    let (imported, index) = bundle::import_then(base, file, &mut |n| say(n), update_index)?;
    for sk in &imported.skipped {
        say(&format!("bundle: skipped {}: {}", s(&sk.name), s(&sk.why)));
    }
    let failed = match index {
        Some(Err(problem)) => {
            say(&format!(
                "the mirrors were updated but the search index was not: {problem}; searches answer from its last update"
            ));
            true
        }
        _ => false,
    };
    let code = if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    let json = match output {
        ImportOutput::Object(true) => {
            let v = json!({
                "file": imported.file,
                "created_at": rfc3339(imported.manifest.created_at),
                "synced": imported.synced,
                "skipped": imported.skipped.iter().map(|k| json!({"name": k.name, "why": k.why})).collect::<Vec<_>>(),
            });
            Some(v)
        }
        ImportOutput::SyncArray(true) => Some(serde_json::to_value(&imported.synced)?),
        _ => None,
    };
    if let Some(v) = json {
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(code);
    }
    for r in &imported.synced {
        outln!("{}", summary_line(r, out));
        if !r.repos.is_empty() {
            outln!("  {}", repos_line(r));
        }
    }
    Ok(code)
}

fn summary_line(r: &SyncSummary, out: &Out) -> String {
    let name = out.bold(&s(&r.name));
    let at = r.new.as_deref().map(short).unwrap_or("");
    match r.action {
        SyncAction::Cloned => format!("{name}: imported at {at} from the bundle, {} docs", r.docs),
        SyncAction::Updated => {
            let count = |c: ChangeStatus| r.changes.iter().filter(|d| d.status == c).count();
            format!(
                "{name}: {} → {at} from the bundle: {} added, {} modified, {} deleted, {} renamed; {} docs",
                r.old.as_deref().map(short).unwrap_or(""),
                count(ChangeStatus::Added),
                count(ChangeStatus::Modified),
                count(ChangeStatus::Deleted),
                count(ChangeStatus::Renamed),
                r.docs
            )
        }
        _ => format!("{name}: up to date at {at}, {} docs", r.docs),
    }
}

fn inspect(file: &Path, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    let m: Manifest = bundle::verify(file)?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if json {
        let v = json!({
            "file": std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            "size": size,
            "verified": true,
            "manifest": m,
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{}", out.bold(&s(&file.display().to_string())));
    outln!(
        "  ken bundle version {}, written by ken {} at {}, {}",
        m.version,
        s(&m.ken_version),
        rfc3339(m.created_at),
        HumanBytes(size)
    );
    match &m.since {
        None => outln!("  full: every repository's whole history"),
        Some(SinceRecord::Bundle { file, created_at }) => outln!(
            "  incremental since bundle {} (written {})",
            s(file),
            rfc3339(*created_at)
        ),
        Some(SinceRecord::Date { date }) => {
            outln!("  incremental since {}", rfc3339(*date))
        }
    }
    for r in &m.repositories {
        outln!("  {}", repo_line(r));
    }
    outln!("  verified: the file, the manifest and every part match their checksums");
    Ok(ExitCode::SUCCESS)
}

/// `ken sync --from FILE`: an import that reports as `ken sync` does.
pub fn sync_from(base: &mut Base, file: &Path, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    import(base, file, ImportOutput::SyncArray(json), out)
}
