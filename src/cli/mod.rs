//! The command line: clap definitions and dispatch to one file per command. The commands
//! format what the library answers; they hold no logic a terminal UI would also need.

/// `println!` that returns an error instead of panicking when stdout is closed (`| head`).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

mod bundle;
mod check;
mod completions;
mod list;
mod man;
mod news;
mod progress;
mod report;
mod search;
mod show;
mod stale;
mod status;
mod sync;

pub use show::Paging;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::base::Base;
use crate::config::{Config, Inputs};
use crate::sanitize;
use clap::{Parser, Subcommand, ValueEnum};

/// ken — read your team's Markdown knowledge in the terminal, online or off.
///
/// ken keeps local mirrors of git repositories of Markdown (by default the Sovereign Cloud
/// Stack documentation), and lets you list, search and read them without a browser or a
/// network connection.
#[derive(Debug, Parser)]
#[command(
    name = "ken",
    version = env!("KEN_VERSION"),
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
  NO_COLOR         when set, no colour

Exit status: 0 success, 1 failure (one line on stderr says what and why), 2 usage error.
`ken man` is the manual page: exit status, --json formats, files.")]
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

    /// Date pages by their commits' author dates (when a change was written) rather than
    /// committer dates (when it reached the branch); also `dates = "author"` in config.toml.
    #[arg(long, global = true)]
    pub author_date: bool,

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
        /// Take the sources from a bundle file instead of the network (as `ken bundle import`).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
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
        /// The order of the pages: by relevance, or most recently changed first.
        #[arg(long, value_enum, default_value_t = search::SortBy::Relevance)]
        sort: search::SortBy,
    },
    /// Check the documents: links and anchors as the site resolves them, front matter, and
    /// the SCS standards rules of scs-0001 (see docs/guide/commands.md). Exit status: 0 no
    /// finding at or above --fail-on, 1 findings, 2 usage or internal error.
    Check {
        /// Check only these documents or folders (paths as `ken list` shows them).
        #[arg(value_name = "PATH")]
        paths: Vec<String>,
        /// How to print the findings.
        #[arg(long, value_enum, default_value_t = check::CheckFormat::Human)]
        format: check::CheckFormat,
        /// The least severity that makes the exit status 1.
        #[arg(long, value_enum, default_value_t = check::FailOn::Error)]
        fail_on: check::FailOn,
        /// Report only the findings in pages changed since WHEN and those the change caused
        /// anywhere (an anchor or page that went away). WHEN is `last-sync`, a duration back
        /// (`14d`), a date, or a commit (in a site: of each repository that has it).
        #[arg(long, value_name = "WHEN")]
        changed_since: Option<String>,
        /// Also ask every external http(s) link (HEAD, then GET), a few at a time; good
        /// answers are cached in the data dir for a day.
        #[arg(long)]
        online: bool,
        /// With --online: how many links are asked at the same time.
        #[arg(long, value_name = "N", default_value_t = crate::check::online::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// With --online: how long one link may take (`10s`, `1500ms`).
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
        timeout: std::time::Duration,
    },
    /// What changed since the last sync (or a date, or a commit): pages added, changed,
    /// deleted and renamed, the sections changed, the commits, and standards' status changes.
    News {
        /// `last-sync` (the commit before the most recent sync that brought changes), a
        /// duration back (`14d`), a date (`2024-05-01`), or a commit of the mirror.
        #[arg(long, value_name = "WHEN", default_value = "last-sync")]
        since: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pages unchanged for longer than DURATION, oldest first, by source (a page's
    /// `last_reviewed:` counts as a change; Deprecated and Rejected standards are never stale;
    /// a Draft idle for a year is). See docs/guide/commands.md.
    Stale {
        /// How long: `365d`, `18months`, `2y`, …
        #[arg(long, value_name = "DURATION", default_value = "1year", value_parser = stale::parse_age)]
        older_than: stale::Age,
        /// Print as JSON (the same as --format json).
        #[arg(long)]
        json: bool,
        /// How to print: human, json, or ken check's CI formats (github, sarif, junit, gitlab).
        #[arg(long, value_enum, default_value_t = check::CheckFormat::Human)]
        format: check::CheckFormat,
        /// The least severity that makes the exit status 1 (the stale rules are warnings).
        #[arg(long, value_enum, default_value_t = check::FailOn::Error)]
        fail_on: check::FailOn,
    },
    /// Render one document: DOC is a path, SOURCE:PATH, or a site URL.
    Show {
        doc: String,
        /// Lay out to N columns (default: the terminal's width, or 80).
        #[arg(long, value_name = "N")]
        width: Option<usize>,
        #[arg(long, value_enum, default_value_t = Paging::Auto)]
        paging: Paging,
    },
    /// Offline bundles: carry the synced sources to a node that cannot reach a git server.
    Bundle {
        #[command(subcommand)]
        command: bundle::BundleCommand,
    },
    /// A ready "report a problem" link for a page: a new issue in the repository the page
    /// really comes from, with the page's address, a permalink to the commit and lines, and
    /// the quoted lines (a section with PAGE#anchor). Open it in any browser.
    Report {
        /// A path, SOURCE:PATH, or a site URL; #anchor reports that section.
        page: String,
        /// The lines of the file to report, as A-B (front matter counted, as on the forge).
        #[arg(long, value_name = "A-B", value_parser = report::parse_lines)]
        lines: Option<(usize, usize)>,
        /// Print the link, title, body and origin as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "\
Install, for example:
  ken completions bash > ~/.local/share/bash-completion/completions/ken
  ken completions zsh > ~/.zfunc/_ken        (with fpath+=~/.zfunc in ~/.zshrc)
  ken completions fish > ~/.config/fish/completions/ken.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page ken(1) (roff), or write it and one page per command into DIR.
    #[command(after_help = "\
Read it with `ken man | man -l -`; install with `ken man --dir ~/.local/share/man/man1`.")]
    Man {
        /// Write ken.1 and ken-COMMAND.1 into this folder instead of printing ken.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
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
    // `ken check` promises 2 for a usage or internal error (1 means findings).
    let failure = if matches!(cli.command, Some(Command::Check { .. })) {
        ExitCode::from(crate::check::EXIT_USAGE)
    } else {
        ExitCode::FAILURE
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
            failure
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
    // Generated from the clap definitions alone: no config is read, so they work anywhere.
    match &cli.command {
        Some(Command::Completions { shell }) => return completions::run(*shell),
        Some(Command::Man { dir }) => return man::run(dir.as_deref()),
        _ => {}
    }
    let inputs = Inputs::from_env(cli.config.clone(), cli.sources.clone());
    let mut config = Config::load(&inputs)?;
    if cli.author_date {
        config.dates = crate::config::DateKind::Author;
    }
    crate::markdown::hlcache::enable(crate::markdown::hlcache::dir_in(&config.data_dir.path));
    let out = Out {
        color: use_color(cli.color, std::io::stdout().is_terminal()),
    };
    let config_for_ui = config.clone();
    let mut base = Base::open(config);
    if cli.command.is_some() {
        // A damaged state file set aside (and repaired) while opening: one line each.
        for n in crate::durable::take_notices() {
            progress::say(&n);
        }
    }
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
        Some(Command::Sync {
            json,
            from: Some(file),
        }) => bundle::sync_from(&mut base, &file, json, &out),
        Some(Command::Sync { json, from: None }) => sync::run(&mut base, cli.offline, json, &out),
        Some(Command::Bundle { command }) => bundle::run(&mut base, command, &out),
        Some(Command::Status { json }) => status::run(&base, &out, json),
        Some(Command::List { json }) => list::run(&mut base, cli.offline, json),
        Some(Command::Search {
            query,
            limit,
            json,
            sort,
        }) => {
            if !crate::index::indexed_all(&base) {
                sync::ensure_synced(&mut base, cli.offline);
            }
            search::run(&base, &query.join(" "), limit.into(), json, sort, out.color)
        }
        Some(Command::Check {
            paths,
            format,
            fail_on,
            changed_since,
            online,
            concurrency,
            timeout,
        }) => check::run(
            &mut base,
            &check::Args {
                paths,
                format,
                fail_on,
                changed_since,
                online,
                concurrency,
                timeout,
                offline: cli.offline,
                color: out.color,
            },
        ),
        Some(Command::News { since, json }) => {
            sync::ensure_synced(&mut base, cli.offline);
            news::run(&base, &since, json, &out)
        }
        Some(Command::Stale {
            older_than,
            json,
            format,
            fail_on,
        }) => stale::run(
            &mut base,
            &stale::Args {
                older_than,
                json,
                format,
                fail_on,
                offline: cli.offline,
                color: out.color,
            },
        ),
        Some(Command::Show { doc, width, paging }) => {
            show::run(&base, &doc, width, paging, out.color)
        }
        Some(Command::Report { page, lines, json }) => report::run(&base, &page, lines, json),
        Some(Command::Completions { .. } | Command::Man { .. }) => unreachable!("handled above"),
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}
