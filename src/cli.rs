//! The command line: clap definitions and dispatch. No logic of its own beyond formatting.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

use crate::base::{Base, SourceFailure};
use crate::config::{Config, Inputs};
use crate::sanitize;
use crate::source::{self, Location};
use crate::state;

/// ken — read your team's Markdown knowledge in the terminal, online or off.
///
/// ken keeps local mirrors of git repositories of Markdown (by default the Sovereign Cloud
/// Stack documentation), and lets you list, search and read them without a browser or a
/// network connection.
#[derive(Debug, Parser)]
#[command(
    name = "ken",
    version,
    about,
    long_about,
    subcommand_precedence_over_arg = true
)]
#[command(after_help = "\
Examples:
  ken                               browse, search and read (syncs in the background)
  ken docs/glossary.md              open one page in the reader
  ken sync                          fetch the configured sources now
  ken --source ./runbooks list      list the documents of a local folder
  ken status --json                 what is synced, and where ken keeps it

Environment:
  KEN_CONFIG_DIR   folder of config.toml (default: the platform's config dir)
  KEN_DATA_DIR     folder for mirrors, index and state (default: the platform's data dir)
  NO_COLOR         when set, no colour")]
pub struct Cli {
    /// A knowledge source for this run: a git URL or a local path, as [NAME=]URL[#BRANCH].
    /// Repeatable; replaces the configured sources.
    #[arg(long = "source", value_name = "SPEC", global = true)]
    pub sources: Vec<String>,

    /// Read the configuration from FILE instead of $KEN_CONFIG_DIR/config.toml.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Never touch the network; use the last synced copies.
    #[arg(long, global = true)]
    pub offline: bool,

    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The keymap: `default`, `emacs` (your keymap.toml in the config dir is merged over it).
    #[arg(long, value_name = "NAME", global = true)]
    pub keymap: Option<String>,

    /// The theme: `default` (16 ANSI colours), `dark`, `light`, `high-contrast`, or
    /// themes/NAME.toml in the config dir.
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,

    /// A page to open in the reader at once, as PATH or SOURCE:PATH (extension optional).
    #[arg(value_name = "DOC")]
    pub doc: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clone or update every source now.
    Sync {
        /// Print what happened (including the changed documents) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show each source (url, branch, commit, last sync, documents) and the paths ken uses.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List every document: source, path and title.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Search every source: words (all must match), "phrases", prefix*, -excluded,
    /// title:/path:/source: and front-matter filters (status:stable). See docs/guide/search.md.
    Search {
        /// The query; several arguments are joined with spaces. Quote a query that starts
        /// with `-` ("-draft keys"), or put `--` before it.
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
        /// Most pages shown (each with up to 3 sections).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
        limit: u16,
        /// Print the hits as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Render one document: DOC is a path, SOURCE:PATH, or a site URL.
    Show {
        doc: String,
        /// Lay out to N columns (default: the terminal's width, or 80).
        #[arg(long, value_name = "N")]
        width: Option<usize>,
        #[arg(long, value_enum, default_value_t = crate::show::Paging::Auto)]
        paging: crate::show::Paging,
    },
}

/// `println!` that returns an error instead of panicking when stdout is closed (`| head`).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

/// Runs ken and returns its exit code: 0 success, 1 failure, 2 usage error.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(code.clamp(0, 255) as u8);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`ken list | head`) is the reader's choice, not a failure.
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("ken: {}", sanitize::line(&e.to_string(), 0));
            ExitCode::FAILURE
        }
    }
}

struct Out {
    color: bool,
}

impl Out {
    fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Whether to colour a stream: `--color`, then NO_COLOR, then whether it is a terminal.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let inputs = Inputs::from_env(cli.config.clone(), cli.sources.clone());
    let config = Config::load(&inputs)?;
    crate::markdown::hlcache::enable(crate::markdown::hlcache::dir_in(&config.data_dir.path));
    let out = Out {
        color: use_color(cli.color, std::io::stdout().is_terminal()),
    };
    let config_for_ui = config.clone();
    let mut base = Base::open(config);
    match cli.command {
        None => {
            let opts = crate::ui::Options {
                doc: cli.doc.clone(),
                offline: cli.offline,
                keymap: cli.keymap.clone(),
                theme: cli.theme.clone(),
                no_color: cli.color == ColorChoice::Never,
            };
            // Keys are read from the terminal itself (/dev/tty when stdin is not one).
            if !std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "the terminal UI needs a terminal; try `ken list`, `ken status` or `ken --help`"
                );
            }
            drop(base);
            crate::ui::run(config_for_ui, opts)
        }
        Some(Command::Sync { json }) => sync(&mut base, cli.offline, json, &out),
        Some(Command::Status { json }) => status(&base, &out, json),
        Some(Command::List { json }) => list(&mut base, cli.offline, json),
        Some(Command::Search { query, limit, json }) => {
            if !crate::index::command::indexed_all(&base) {
                ensure_synced(&mut base, cli.offline);
            }
            crate::index::command::search(&base, &query.join(" "), limit.into(), json, out.color)
        }
        Some(Command::Show { doc, width, paging }) => {
            crate::show::run(&base, &doc, width, paging, out.color)
        }
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

/// A progress bar per source on stderr when it is a terminal; nothing otherwise.
fn progress_reporter() -> impl FnMut(&str, source::Transfer) {
    let enabled = std::io::stderr().is_terminal();
    let mut bar: Option<(String, indicatif::ProgressBar)> = None;
    move |name: &str, t: source::Transfer| {
        if !enabled {
            return;
        }
        if bar.as_ref().is_none_or(|(n, _)| n != name) {
            if let Some((_, b)) = bar.take() {
                b.finish_and_clear();
            }
            let b = indicatif::ProgressBar::with_draw_target(
                Some(t.total_objects as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:.bold} [{bar:30}] {pos}/{len} objects  {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.set_prefix(sanitize::line(name, 0).into_owned());
            bar = Some((name.to_string(), b));
        }
        if let Some((_, b)) = &bar {
            b.set_length(t.total_objects as u64);
            b.set_position(t.received_objects as u64);
            let secs = b.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!(
                "{}  {}/s",
                crate::corpus::human_bytes(t.received_bytes as u64),
                crate::corpus::human_bytes((t.received_bytes as f64 / secs) as u64)
            ));
            if t.total_objects > 0 && t.indexed_objects == t.total_objects {
                b.finish_and_clear();
            }
        }
    }
}

fn report_failures<T>(results: &[Result<T, SourceFailure>]) -> bool {
    let mut failed = false;
    for r in results {
        if let Err(e) = r {
            eprintln!("ken: sync {}", sanitize::line(&e.to_string(), 0));
            failed = true;
        }
    }
    failed
}

fn sync(base: &mut Base, offline: bool, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    let results = base.sync(offline, &mut progress_reporter());
    let failed = report_failures(&results);
    crate::index::command::after_sync(base);
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    if json {
        outln!("{}", serde_json::to_string_pretty(&ok)?);
    } else {
        for s in ok {
            let name = out.bold(&sanitize::line(&s.name, 0));
            let at = s.new.as_deref().map(short).unwrap_or("");
            let line = match s.action {
                "cloned" => format!("{name}: cloned at {at}, {} docs", s.docs),
                "unchanged" => format!("{name}: up to date at {at}, {} docs", s.docs),
                "offline" => format!("{name}: offline, keeping {at}, {} docs", s.docs),
                "read" => format!("{name}: local directory, {} docs", s.docs),
                _ => {
                    let count = |c: char| s.changes.iter().filter(|d| d.status == c).count();
                    format!(
                        "{name}: {} → {at}: {} added, {} modified, {} deleted, {} renamed; {} docs",
                        s.old.as_deref().map(short).unwrap_or(""),
                        count('A'),
                        count('M'),
                        count('D'),
                        count('R'),
                        s.docs
                    )
                }
            };
            outln!("{line}");
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn status(base: &Base, out: &Out, json: bool) -> anyhow::Result<ExitCode> {
    let cfg = &base.config;
    let now = state::now();
    let data = &cfg.data_dir.path;
    if json {
        let sources: Vec<_> = cfg
            .sources
            .iter()
            .map(|s| {
                let st = base.state.sources.get(&s.name).filter(|st| st.url == s.url);
                let kind = match source::location(s) {
                    Location::Git(_) => "git",
                    Location::Dir(_) => "directory",
                };
                json!({
                    "name": s.name,
                    "url": s.url,
                    "kind": kind,
                    "branch": st.and_then(|st| st.branch.clone()).or(s.branch.clone()),
                    "commit": st.and_then(|st| st.commit.clone()),
                    "previous": st.and_then(|st| st.previous.clone()),
                    "synced_at": st.and_then(|st| st.synced_at).map(rfc3339),
                    "docs": st.map(|st| st.docs),
                    "last_error": st.and_then(|st| st.last_error.clone()),
                })
            })
            .collect();
        let v = json!({
            "sources": sources,
            "sources_from": cfg.sources_origin,
            "paths": {
                "config_file": {"path": cfg.config_file.path, "from": cfg.config_file.origin, "exists": cfg.config_file_exists},
                "config_dir": {"path": cfg.config_dir.path, "from": cfg.config_dir.origin},
                "data_dir": {"path": data, "from": cfg.data_dir.origin},
                "mirrors": {"path": data.join("mirrors"), "from": cfg.data_dir.origin},
                "state": {"path": state::State::path(data), "from": cfg.data_dir.origin},
            },
            "index": crate::index::command::status_json(base),
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = |x: &str| sanitize::line(x, 0).into_owned();
    outln!(
        "{} {}",
        out.bold("Sources"),
        out.dim(&format!("(from {})", cfg.sources_origin))
    );
    for spec in &cfg.sources {
        outln!("  {}  {}", out.bold(&s(&spec.name)), s(&spec.url));
        let st = base
            .state
            .sources
            .get(&spec.name)
            .filter(|st| st.url == spec.url);
        match st {
            Some(st) if st.synced_at.is_some() => {
                let mut facts = Vec::new();
                if let Some(b) = &st.branch {
                    facts.push(format!("branch {}", s(b)));
                }
                if let Some(c) = &st.commit {
                    facts.push(format!("commit {}", short(c)));
                }
                if let Some(t) = st.synced_at {
                    facts.push(format!("synced {}", state::ago(t, now)));
                }
                facts.push(format!("{} docs", st.docs));
                outln!("      {}", facts.join(" · "));
            }
            _ => outln!("      {}", out.dim("never synced (run `ken sync`)")),
        }
        if let Some(err) = st.and_then(|st| st.last_error.as_deref()) {
            outln!("      last sync failed: {}", s(err));
        }
    }
    outln!("{}", out.bold("Paths"));
    let exists = if cfg.config_file_exists {
        ""
    } else {
        ", not present"
    };
    let rows = [
        (
            "config file",
            &cfg.config_file.path,
            format!("({}{exists})", cfg.config_file.origin),
        ),
        (
            "config dir",
            &cfg.config_dir.path,
            format!("({})", cfg.config_dir.origin),
        ),
        ("data dir", data, format!("({})", cfg.data_dir.origin)),
    ];
    for (label, p, origin) in rows {
        outln!(
            "  {label:<12} {} {}",
            s(&p.display().to_string()),
            out.dim(&origin)
        );
    }
    outln!("{}", out.bold("Index"));
    outln!("  {}", crate::index::command::status_line(base));
    Ok(ExitCode::SUCCESS)
}

fn rfc3339(t: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
        .to_string()
}

/// Syncs the sources that have never been synced, unless offline. Returns whether all went well.
fn ensure_synced(base: &mut Base, offline: bool) -> bool {
    let missing = base.config.sources.iter().any(|s| !base.has_copy(s));
    if !missing || offline {
        return true;
    }
    let results = base.sync(false, &mut progress_reporter());
    !report_failures(&results)
}

fn list(base: &mut Base, offline: bool, json: bool) -> anyhow::Result<ExitCode> {
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
        let v: Vec<_> = docs
            .iter()
            .map(|d| {
                let mut o = json!({"source": d.source, "path": d.path, "title": d.title});
                if let Some(l) = &d.link {
                    o["link"] = json!(l);
                }
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
