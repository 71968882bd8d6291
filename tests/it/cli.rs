//! The command line: help, exit codes, configuration errors, paths and where they came from.

use crate::common;

use common::{Ken, run};
use serde_json::Value;

#[test]
fn help_explains_the_commands() {
    let r = run(Ken::new().cmd(&["--help"]));
    assert_eq!(r.code, 0);
    for word in [
        "sync",
        "status",
        "list",
        "--source",
        "--offline",
        "KEN_DATA_DIR",
    ] {
        assert!(r.stdout.contains(word), "--help lacks {word}: {}", r.stdout);
    }
}

#[test]
fn usage_errors_exit_2() {
    let ken = Ken::new();
    assert_eq!(run(ken.cmd(&["--no-such-flag"])).code, 2);
    assert_eq!(run(ken.cmd(&["sync", "extra"])).code, 2);
    assert_eq!(run(ken.cmd(&["list", "--limit", "3"])).code, 2);
    assert_eq!(run(ken.cmd(&["--color", "purple", "status"])).code, 2);
}

#[test]
fn config_error_names_file_line_and_problem() {
    let ken = Ken::new();
    ken.config("[[source]]\nname = \"a\"\nurl = \"/srv/a\"\nbrnach = \"main\"\n");
    let r = run(ken.cmd(&["status"]));
    assert_eq!(r.code, 1);
    let file = ken.config_dir().join("config.toml");
    let expected = format!("ken: {}:4: unknown field `brnach`", file.display());
    assert!(r.stderr.starts_with(&expected), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    ken.config(
        "[[source]]\nname = \"a\"\nurl = \"/srv/a\"\n[[source]]\nname = \"a\"\nurl = \"/srv/b\"\n",
    );
    let r = run(ken.cmd(&["status"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("\"a\" is used twice"), "{}", r.stderr);

    let r = run(ken.cmd(&["--config", "/nonexistent/ken.toml", "status"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("/nonexistent/ken.toml: cannot read"),
        "{}",
        r.stderr
    );
}

#[test]
fn status_reports_paths_and_origins_without_network() {
    let ken = Ken::new();
    let r = run(ken.cmd(&["status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: Value = serde_json::from_str(&r.stdout).unwrap();
    // With no config and no --source: the SCS documentation, never synced.
    assert_eq!(s["sources_from"], "default");
    assert_eq!(
        s["sources"][0]["url"],
        "https://github.com/SovereignCloudStack/docs"
    );
    assert!(s["sources"][0]["commit"].is_null());
    assert_eq!(s["paths"]["data_dir"]["from"], "env");
    assert_eq!(
        s["paths"]["data_dir"]["path"],
        ken.data_dir().display().to_string()
    );
    assert_eq!(s["paths"]["config_file"]["exists"], false);

    // A config file named by flag, whose data_dir is relative to it.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("ken.toml");
    std::fs::write(
        &cfg,
        "data_dir = \"kdata\"\n[[source]]\nname = \"rb\"\nurl = \"./runbooks\"\n",
    )
    .unwrap();
    let mut c = ken.cmd(&["--config", cfg.to_str().unwrap(), "status", "--json"]);
    c.env_remove("KEN_DATA_DIR");
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(s["paths"]["config_file"]["from"], "flag");
    assert_eq!(s["paths"]["data_dir"]["from"], "config");
    assert_eq!(
        s["paths"]["data_dir"]["path"],
        dir.path().join("kdata").display().to_string()
    );
    assert_eq!(s["sources"][0]["kind"], "directory");
    assert_eq!(
        s["sources"][0]["url"],
        dir.path().join("runbooks").display().to_string()
    );
}

#[test]
fn colour_follows_flag_and_no_color() {
    let ken = Ken::new();
    let always = run(ken.cmd(&["--color", "always", "status"]));
    assert!(always.stdout.contains("\x1b[1m"), "{}", always.stdout);
    // Piped output in auto mode has no escape sequences; NO_COLOR is set by the harness too.
    let auto = run(ken.cmd(&["status"]));
    assert!(!auto.stdout.contains('\x1b'), "{}", auto.stdout);
    let never = run(ken.cmd(&["--color", "never", "status"]));
    assert!(!never.stdout.contains('\x1b'));
}

#[test]
fn hostile_names_never_reach_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("docs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("evil\x1b]0;pwned\x07.md"),
        "# Title \x1b[2J with \u{202e}override\n",
    )
    .unwrap();
    let ken = Ken::new();
    let r = run(ken.cmd(&["--source", dir.to_str().unwrap(), "list"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\x1b') && !r.stdout.contains('\x07'));
    assert!(!r.stdout.contains('\u{202e}'));
    assert!(r.stdout.contains("evil␛]0;pwned␇.md"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Title ␛[2J with <U+202E>override"),
        "{}",
        r.stdout
    );
}
