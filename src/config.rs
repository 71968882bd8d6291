//! Configuration: `config.toml`, the paths ken uses and where each value came from.
//!
//! Reads, never writes. Precedence for paths: flag, then environment (`KEN_CONFIG_DIR`,
//! `KEN_DATA_DIR`), then the config file, then the platform's directories. URL rewriting for
//! fleet mirrors (`[mirrors]`, `KEN_MIRROR`) is decided here too: [`Config::effective_url`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The default knowledge source when neither a config nor `--source` names one.
pub const DEFAULT_SOURCE_URL: &str = "https://github.com/SovereignCloudStack/docs";
pub const DEFAULT_SOURCE_NAME: &str = "scs";

/// Whether a source URL is the SCS documentation's repository (published on
/// docs.scs.community), however it is written (`git@github.com:SovereignCloudStack/docs`,
/// a fork's mirror of the same name).
pub fn is_scs_docs(url: &str) -> bool {
    url.to_ascii_lowercase()
        .contains("sovereigncloudstack/docs")
}
/// Files bigger than this are skipped without being read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}: {problem}")]
    Parse {
        file: String,
        line: usize,
        problem: String,
    },
    #[error("{file}: {problem}")]
    Invalid { file: String, problem: String },
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("cannot find a home directory; set KEN_CONFIG_DIR and KEN_DATA_DIR")]
    NoHome,
    #[error("--source {spec:?}: {problem}")]
    BadSpec { spec: String, problem: String },
    #[error("KEN_MIRROR={value:?}: {problem}")]
    BadMirrorEnv { value: String, problem: String },
}

/// Where a setting came from, for `ken status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Flag,
    Env,
    Config,
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::Flag => "flag",
            Origin::Env => "env",
            Origin::Config => "config",
            Origin::Default => "default",
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Located {
    pub path: PathBuf,
    pub origin: Origin,
}

/// One `[[source]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    /// https, ssh, git or file URL, scp-like `user@host:path`, or a local path.
    pub url: String,
    /// Branch to follow; the remote's default branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Globs (relative to `root`) of the files that are documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Globs (relative to `root`) of files never taken, even when included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// A folder inside the repository to take documents from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// The folder under which the documents appear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    /// Whether the repository is a site assembled from further repositories (see
    /// [`SiteSetting`]); absent: when its root has a `docs.package.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteSetting>,
}

impl SourceSpec {
    /// A source of `url` named `name`, with every other setting at its default (the remote's
    /// default branch, every Markdown file, at the root, a site when its root says so).
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            url: url.into(),
            branch: None,
            include: vec![],
            exclude: vec![],
            root: None,
            mount: None,
            site: None,
        }
    }
}

/// `site = "PATH"` (the manifest is at PATH in the repository), `site = true` (at
/// `docs.package.json`) or `site = false` (never a site, even with a manifest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteSetting {
    Off,
    Manifest(String),
}

impl SourceSpec {
    /// Where the site manifest of this source is looked for, and whether it must be there
    /// (`site = "PATH"` or `true`); `None` when the source is never a site (`site = false`,
    /// or a local directory).
    pub fn manifest(&self) -> Option<(&str, bool)> {
        match &self.site {
            Some(SiteSetting::Off) => None,
            Some(SiteSetting::Manifest(p)) => Some((p.as_str(), true)),
            None => Some((crate::site::MANIFEST, false)),
        }
    }
}

impl Serialize for SiteSetting {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SiteSetting::Off => s.serialize_bool(false),
            SiteSetting::Manifest(p) => s.serialize_str(p),
        }
    }
}

impl<'de> Deserialize<'de> for SiteSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SiteSetting, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SiteSetting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the path of the site manifest in the repository, or true, or false")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SiteSetting, E> {
                Ok(if v {
                    SiteSetting::Manifest(crate::site::MANIFEST.to_string())
                } else {
                    SiteSetting::Off
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SiteSetting, E> {
                Ok(SiteSetting::Manifest(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    data_dir: Option<PathBuf>,
    sync_on_start: Option<bool>,
    keymap: Option<String>,
    theme: Option<String>,
    max_file_size: Option<u64>,
    dates: Option<DateKind>,
    #[serde(default, rename = "source")]
    sources: Vec<SourceSpec>,
    check: Option<RawCheck>,
    /// URL prefix → replacement, git's `url.<to>.insteadOf <from>`.
    #[serde(default)]
    mirrors: BTreeMap<String, String>,
}

/// One URL rewriting rule: a URL starting with `from` is fetched from `to` + the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mirror {
    pub from: String,
    pub to: String,
    /// `config` (`[mirrors]` in config.toml) or `env` (`KEN_MIRROR`).
    pub origin: Origin,
}

/// Why ken fetches a source from the URL it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "lowercase")]
pub enum UrlWhy {
    /// The URL as configured: no mirror rule matched.
    Configured,
    /// Rewritten by this rule (the longest matching prefix).
    Mirror(Mirror),
}

impl fmt::Display for UrlWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlWhy::Configured => f.write_str("as configured"),
            UrlWhy::Mirror(m) if m.origin == Origin::Env => {
                write!(f, "KEN_MIRROR={}={}", m.from, m.to)
            }
            UrlWhy::Mirror(m) => write!(f, "[mirrors] {:?} = {:?}", m.from, m.to),
        }
    }
}

/// `[check]`: for now only `[check.rules]`, `"rule-id" = "error" | "warning" | "note" | "off"`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(default)]
    rules: std::collections::BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
}

/// Everything ken needs to know before it touches a source.
#[derive(Debug, Clone)]
pub struct Config {
    pub config_dir: Located,
    pub config_file: Located,
    /// Whether `config_file` exists.
    pub config_file_exists: bool,
    pub data_dir: Located,
    pub sources: Vec<SourceSpec>,
    /// Where `sources` came from.
    pub sources_origin: Origin,
    pub sync_on_start: bool,
    pub keymap: String,
    pub theme: String,
    pub max_file_size: u64,
    /// `[check.rules]`: severities changed and rules turned off for `ken check`.
    pub check_rules: crate::check::RuleConfig,
    /// URL rewriting rules, longest `from` first (`KEN_MIRROR` replacing a config entry with
    /// the same prefix).
    pub mirrors: Vec<Mirror>,
    /// Which of a commit's two dates is a page's date (`dates = "author"`; `--author-date`).
    pub dates: DateKind,
}

/// Which date of a commit says when a page changed. The committer date (when the change
/// reached the branch) is the default, as Docusaurus uses; the author date (when it was
/// written) is what mkdocs' plugin shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateKind {
    #[default]
    Committer,
    Author,
}

/// The inputs that decide the configuration; `from_env` reads them from the process.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub config_file_flag: Option<PathBuf>,
    pub source_flags: Vec<String>,
    pub env_config_dir: Option<PathBuf>,
    pub env_data_dir: Option<PathBuf>,
    /// `KEN_MIRROR`: one `FROM=TO` rule.
    pub env_mirror: Option<String>,
}

impl Inputs {
    pub fn from_env(config_file_flag: Option<PathBuf>, source_flags: Vec<String>) -> Self {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Inputs {
            config_file_flag,
            source_flags,
            env_config_dir: var("KEN_CONFIG_DIR"),
            env_data_dir: var("KEN_DATA_DIR"),
            env_mirror: std::env::var("KEN_MIRROR").ok().filter(|v| !v.is_empty()),
        }
    }
}

impl Config {
    pub fn load(inputs: &Inputs) -> Result<Config, ConfigError> {
        let dirs = || directories::ProjectDirs::from("", "", "ken").ok_or(ConfigError::NoHome);
        let config_dir = match &inputs.env_config_dir {
            Some(p) => Located {
                path: p.clone(),
                origin: Origin::Env,
            },
            None => Located {
                path: dirs()?.config_dir().to_path_buf(),
                origin: Origin::Default,
            },
        };
        let config_file = match &inputs.config_file_flag {
            Some(p) => Located {
                path: p.clone(),
                origin: Origin::Flag,
            },
            None => Located {
                path: config_dir.path.join("config.toml"),
                origin: config_dir.origin,
            },
        };
        let (raw, rule_settings, exists) = match std::fs::read_to_string(&config_file.path) {
            Ok(text) => {
                let raw = parse(&text, &config_file.path)?;
                let settings = rule_settings(&raw, &text);
                (raw, settings, true)
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && inputs.config_file_flag.is_none() =>
            {
                (RawConfig::default(), Vec::new(), false)
            }
            Err(e) => {
                return Err(ConfigError::Read {
                    file: config_file.path.display().to_string(),
                    source: e,
                });
            }
        };
        let data_dir = match (&inputs.env_data_dir, &raw.data_dir) {
            (Some(p), _) => Located {
                path: p.clone(),
                origin: Origin::Env,
            },
            (None, Some(p)) => Located {
                path: expand_relative(p, &config_file.path),
                origin: Origin::Config,
            },
            (None, None) => Located {
                path: dirs()?.data_dir().to_path_buf(),
                origin: Origin::Default,
            },
        };
        let file_name = config_file.path.display().to_string();
        let (sources, sources_origin) = if !inputs.source_flags.is_empty() {
            let specs = inputs
                .source_flags
                .iter()
                .map(|s| parse_spec(s))
                .collect::<Result<Vec<_>, _>>()?;
            (specs, Origin::Flag)
        } else if !raw.sources.is_empty() {
            let mut specs = raw.sources.clone();
            for s in &mut specs {
                if is_local_path(&s.url) {
                    s.url = expand_relative(Path::new(&s.url), &config_file.path)
                        .display()
                        .to_string();
                }
            }
            (specs, Origin::Config)
        } else {
            (
                vec![SourceSpec::new(DEFAULT_SOURCE_NAME, DEFAULT_SOURCE_URL)],
                Origin::Default,
            )
        };
        validate_sources(&sources, &file_name)?;
        let mirrors = mirrors(&raw.mirrors, inputs.env_mirror.as_deref(), &file_name)?;
        let check_rules = crate::check::RuleConfig::from_settings(&rule_settings, &file_name)
            .map_err(|e| ConfigError::Parse {
                file: e.file,
                line: e.line,
                problem: e.problem,
            })?;
        Ok(Config {
            config_dir,
            config_file,
            config_file_exists: exists,
            data_dir,
            sources,
            sources_origin,
            sync_on_start: raw.sync_on_start.unwrap_or(true),
            keymap: raw.keymap.unwrap_or_else(|| "default".into()),
            theme: raw.theme.unwrap_or_else(|| "default".into()),
            max_file_size: raw.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            check_rules,
            mirrors,
            dates: raw.dates.unwrap_or_default(),
        })
    }

    /// The URL ken fetches for a configured one, and why: git's `insteadOf` convention, the
    /// longest matching prefix of `[mirrors]` and `KEN_MIRROR` replaced by its mirror. Every
    /// URL ken fetches (sources, and a site's repositories) goes through here; what is recorded
    /// (state, index, bundles) stays the configured URL, so a node keeps its copies when the
    /// fleet moves to another mirror.
    pub fn effective_url(&self, url: &str) -> (String, UrlWhy) {
        match self.mirrors.iter().find(|m| url.starts_with(&m.from)) {
            Some(m) => (
                format!("{}{}", m.to, &url[m.from.len()..]),
                UrlWhy::Mirror(m.clone()),
            ),
            None => (url.to_string(), UrlWhy::Configured),
        }
    }
}

/// The rules of `[mirrors]` and `KEN_MIRROR`, checked, longest prefix first.
fn mirrors(
    table: &BTreeMap<String, String>,
    env: Option<&str>,
    file: &str,
) -> Result<Vec<Mirror>, ConfigError> {
    let mut out: Vec<Mirror> = Vec::new();
    if let Some(value) = env {
        let bad = |problem: &str| ConfigError::BadMirrorEnv {
            value: value.to_string(),
            problem: problem.to_string(),
        };
        // The prefix ends at the first `=`: the URLs git fetches have none before it.
        let (from, to) = value.split_once('=').ok_or_else(|| {
            bad("expected FROM=TO, as in https://github.com/=https://git.example/github/")
        })?;
        if let Some(problem) = mirror_problem(from, to) {
            return Err(bad(&problem));
        }
        out.push(Mirror {
            from: from.to_string(),
            to: to.to_string(),
            origin: Origin::Env,
        });
    }
    for (from, to) in table {
        if let Some(problem) = mirror_problem(from, to) {
            return Err(ConfigError::Invalid {
                file: file.to_string(),
                problem: format!("[mirrors] {from:?}: {problem}"),
            });
        }
        // The environment's rule replaces the file's for the same prefix.
        if out.iter().any(|m| m.from == *from) {
            continue;
        }
        out.push(Mirror {
            from: from.clone(),
            to: to.clone(),
            origin: Origin::Config,
        });
    }
    // Longest prefix first (prefixes are unique by now, so the order is total).
    out.sort_by_key(|m| std::cmp::Reverse(m.from.len()));
    Ok(out)
}

fn mirror_problem(from: &str, to: &str) -> Option<String> {
    if from.is_empty() {
        return Some("the prefix is empty (it would rewrite every URL)".into());
    }
    if to.is_empty() {
        return Some("the mirror URL is empty".into());
    }
    if from
        .chars()
        .chain(to.chars())
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return Some("URLs contain no spaces or control characters".into());
    }
    None
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .unwrap_or(text)
        .matches('\n')
        .count()
        + 1
}

/// The `[check.rules]` entries with the lines they are on, for `check::RuleConfig`.
fn rule_settings(raw: &RawConfig, text: &str) -> Vec<crate::check::RuleSetting> {
    let Some(check) = &raw.check else {
        return Vec::new();
    };
    check
        .rules
        .iter()
        .map(|(k, v)| crate::check::RuleSetting {
            rule: k.get_ref().clone(),
            rule_line: line_at(text, k.span().start),
            level: v.get_ref().clone(),
            level_line: line_at(text, v.span().start),
        })
        .collect()
}

fn parse(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str::<RawConfig>(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start)).unwrap_or(1);
        ConfigError::Parse {
            file: path.display().to_string(),
            line,
            problem: e.message().trim().replace('\n', " "),
        }
    })
}

fn validate_sources(sources: &[SourceSpec], file: &str) -> Result<(), ConfigError> {
    let invalid = |problem: String| ConfigError::Invalid {
        file: file.to_string(),
        problem,
    };
    let mut names = std::collections::HashSet::new();
    for s in sources {
        if s.name.is_empty()
            || s.name.starts_with('.')
            || !s
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(invalid(format!(
                "source name {:?}: use letters, digits, '-', '_' and '.'",
                s.name
            )));
        }
        if !names.insert(s.name.as_str()) {
            return Err(invalid(format!("source name {:?} is used twice", s.name)));
        }
        if s.url.trim().is_empty() {
            return Err(invalid(format!("source {:?} has an empty url", s.name)));
        }
        for g in s.include.iter().chain(&s.exclude) {
            globset::Glob::new(g)
                .map_err(|e| invalid(format!("source {:?}: glob {g:?}: {e}", s.name)))?;
        }
        let manifest = match &s.site {
            Some(SiteSetting::Manifest(p)) => Some(p),
            _ => None,
        };
        for (what, v) in [
            ("root", &s.root),
            ("mount", &s.mount),
            ("site", &manifest.cloned()),
        ] {
            if let Some(v) = v
                && (v.split('/').any(|c| c == "..") || v.starts_with('/'))
            {
                return Err(invalid(format!(
                    "source {:?}: {what} {v:?} must be a relative path without '..'",
                    s.name
                )));
            }
        }
    }
    Ok(())
}

/// A local path rather than a URL: no scheme and not scp-like `host:path`.
pub fn is_local_path(url: &str) -> bool {
    if url.contains("://") {
        return false;
    }
    // scp-like syntax: `user@host:path` or `host:path`, with no slash before the colon.
    match url.find(':') {
        Some(i) => url[..i].contains('/') || (i == 1 && cfg!(windows)),
        None => true,
    }
}

fn expand_relative(p: &Path, config_file: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    if p.is_absolute() {
        return p.to_path_buf();
    }
    config_file
        .parent()
        .map(|d| d.join(p).components().collect())
        .unwrap_or_else(|| p.to_path_buf())
}

/// `--source SPEC`: `[NAME=]URL[#BRANCH]`.
pub fn parse_spec(spec: &str) -> Result<SourceSpec, ConfigError> {
    let bad = |problem: &str| ConfigError::BadSpec {
        spec: spec.to_string(),
        problem: problem.to_string(),
    };
    let (name, rest) = match spec.split_once('=') {
        Some((n, r)) if !n.contains('/') && !n.contains(':') => (Some(n.to_string()), r),
        _ => (None, spec),
    };
    let (url, branch) = match rest.rsplit_once('#') {
        Some((u, b)) if !b.is_empty() => (u, Some(b.to_string())),
        _ => (rest, None),
    };
    if url.is_empty() {
        return Err(bad("no URL or path given"));
    }
    let mut url = url.to_string();
    if is_local_path(&url) {
        let p = Path::new(&url);
        if p.is_relative()
            && let Ok(cwd) = std::env::current_dir()
        {
            url = cwd
                .join(p)
                .components()
                .collect::<PathBuf>()
                .display()
                .to_string();
        }
    }
    let name = match name {
        Some(n) => n,
        None => name_from_url(&url).ok_or_else(|| bad("cannot derive a name; use NAME=URL"))?,
    };
    Ok(SourceSpec {
        branch,
        ..SourceSpec::new(name, url)
    })
}

/// `https://github.com/SovereignCloudStack/docs.git` → `docs`.
pub fn name_from_url(url: &str) -> Option<String> {
    let last = url
        .trim_end_matches('/')
        .rsplit(['/', ':', '\\'])
        .next()?
        .trim_end_matches(".git");
    let name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_start_matches('.').to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_forms() {
        let s = parse_spec("runbooks=git://127.0.0.1:9418/rb.git#stable").unwrap();
        assert_eq!(s.name, "runbooks");
        assert_eq!(s.url, "git://127.0.0.1:9418/rb.git");
        assert_eq!(s.branch.as_deref(), Some("stable"));
        let s = parse_spec("https://github.com/SovereignCloudStack/docs").unwrap();
        assert_eq!(s.name, "docs");
        assert!(s.branch.is_none());
        let s = parse_spec("git@github.com:org/runbooks.git").unwrap();
        assert_eq!(s.name, "runbooks");
    }

    #[test]
    fn local_paths_and_urls() {
        assert!(is_local_path("/srv/docs"));
        assert!(is_local_path("./docs"));
        assert!(!is_local_path("docs:old/x/y"));
        assert!(!is_local_path("git@github.com:org/repo"));
        assert!(!is_local_path("file:///srv/repo"));
        assert!(is_local_path("/srv/a:b"));
    }

    fn rules(table: &[(&str, &str)], env: Option<&str>) -> Config {
        let table = table
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let mut c = Config::load(&Inputs {
            env_config_dir: Some("/nonexistent-ken-test".into()),
            env_data_dir: Some("/nonexistent-ken-test".into()),
            ..Default::default()
        })
        .unwrap();
        c.mirrors = mirrors(&table, env, "config.toml").unwrap();
        c
    }

    #[test]
    fn mirrors_rewrite_by_the_longest_prefix() {
        let c = rules(
            &[
                ("https://github.com/", "https://git.internal/github/"),
                (
                    "https://github.com/SovereignCloudStack/",
                    "git://scs-mirror/",
                ),
            ],
            None,
        );
        let (url, why) = c.effective_url("https://github.com/SovereignCloudStack/docs");
        assert_eq!(url, "git://scs-mirror/docs");
        assert!(
            matches!(&why, UrlWhy::Mirror(m) if m.from == "https://github.com/SovereignCloudStack/")
        );
        assert_eq!(
            why.to_string(),
            r#"[mirrors] "https://github.com/SovereignCloudStack/" = "git://scs-mirror/""#
        );
        let (url, _) = c.effective_url("https://github.com/other/repo.git");
        assert_eq!(url, "https://git.internal/github/other/repo.git");
        let (url, why) = c.effective_url("https://gitlab.com/x/y");
        assert_eq!(
            (url.as_str(), why),
            ("https://gitlab.com/x/y", UrlWhy::Configured)
        );
    }

    #[test]
    fn ken_mirror_adds_a_rule_and_wins_for_its_prefix() {
        let c = rules(
            &[("https://github.com/", "https://git.internal/github/")],
            Some("https://github.com/=file:///srv/mirror/"),
        );
        let (url, why) = c.effective_url("https://github.com/a/b");
        assert_eq!(url, "file:///srv/mirror/a/b");
        assert_eq!(
            why.to_string(),
            "KEN_MIRROR=https://github.com/=file:///srv/mirror/"
        );
        assert_eq!(c.mirrors.len(), 1);
        let err = mirrors(&BTreeMap::new(), Some("https://github.com/"), "f").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("KEN_MIRROR=\"https://github.com/\": expected FROM=TO"),
            "{err}"
        );
        let err = mirrors(&BTreeMap::new(), Some("=x"), "f").unwrap_err();
        assert!(err.to_string().contains("prefix is empty"), "{err}");
    }

    #[test]
    fn site_is_a_path_true_or_false() {
        let parse_site = |v: &str| {
            let text = format!("[[source]]\nname = \"a\"\nurl = \"/x\"\nsite = {v}\n");
            parse(&text, Path::new("c.toml")).map(|r| r.sources[0].site.clone())
        };
        assert_eq!(parse_site("false").unwrap(), Some(SiteSetting::Off));
        assert_eq!(
            parse_site("true").unwrap(),
            Some(SiteSetting::Manifest("docs.package.json".into()))
        );
        assert_eq!(
            parse_site("\"site/manifest.json\"").unwrap(),
            Some(SiteSetting::Manifest("site/manifest.json".into()))
        );
        let err = parse_site("3").unwrap_err().to_string();
        assert!(err.starts_with("c.toml:4: "), "{err}");
        let bad = SourceSpec {
            site: Some(SiteSetting::Manifest("../m.json".into())),
            ..parse_spec("a=/x").unwrap()
        };
        let err = validate_sources(&[bad], "c.toml").unwrap_err().to_string();
        assert!(err.contains("site \"../m.json\""), "{err}");
    }

    #[test]
    fn config_error_names_file_and_line() {
        let text = "[[source]]\nname = \"a\"\nurl = \"/x\"\nbranchh = \"main\"\n";
        let err = parse(text, Path::new("/etc/ken/config.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("/etc/ken/config.toml:4: "), "{msg}");
        assert!(msg.contains("branchh"), "{msg}");
    }
}
