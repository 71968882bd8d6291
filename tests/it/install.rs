//! Installing ken like a command-line tool: shell completions and manual pages generated from
//! the clap definitions, and a `--version` that names the commit.

use std::path::Path;
use std::process::Command;

use crate::common;

use common::{Ken, run};

const COMMANDS: [&str; 8] = [
    "sync",
    "status",
    "list",
    "search",
    "show",
    "bundle",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_command() {
    let ken = Ken::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(ken.cmd(&["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        for c in COMMANDS.iter().chain(&["offline", "source"]) {
            assert!(r.stdout.contains(c), "{shell} completion lacks {c}");
        }
    }
    assert_eq!(run(ken.cmd(&["completions", "tcsh"])).code, 2);
}

#[test]
fn bash_accepts_the_bash_completion_and_completes_commands() {
    let ken = Ken::new();
    let r = run(ken.cmd(&["completions", "bash"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = ken.home.path().join("ken.bash");
    std::fs::write(&file, &r.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Loaded into bash, the function offers the commands after `ken ` and the shells after
    // `ken completions `.
    let script = format!(
        "source {f}; COMP_WORDS=(ken ''); COMP_CWORD=1; _ken ken '' ken; echo \"${{COMPREPLY[*]}}\"; \
         COMP_WORDS=(ken completions ''); COMP_CWORD=2; _ken ken '' completions; echo \"${{COMPREPLY[*]}}\"",
        f = file.display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &script])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    for c in COMMANDS {
        assert!(
            first.split(' ').any(|w| w == c),
            "`ken <tab>` lacks {c}: {first}"
        );
    }
    let second = lines.next().unwrap_or_default();
    assert!(
        second.contains("bash") && second.contains("zsh") && second.contains("fish"),
        "`ken completions <tab>`: {second}"
    );
}

/// The page as `man -l` shows it, plus what groff warns about it.
fn render(page: &Path) -> (String, String) {
    let out = Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("man is installed (.ci/run installs man-db)");
    assert!(
        out.status.success(),
        "man -l {}: {}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
        .expect("groff is installed (.ci/run installs groff-base)");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&groff.stderr).into_owned(),
    )
}

#[test]
fn man_page_renders_with_exit_codes_and_json() {
    let ken = Ken::new();
    let r = run(ken.cmd(&["man"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\n.TH ken 1 "), "{}", r.stdout);
    assert!(r.stdout.is_ascii(), "roff with raw UTF-8");
    let page = ken.home.path().join("ken.1");
    std::fs::write(&page, &r.stdout).unwrap();
    let (text, warnings) = render(&page);
    assert_eq!(warnings, "", "groff warns");
    for want in [
        "NAME",
        "ken - read your team's Markdown knowledge",
        "SYNOPSIS",
        "EXIT STATUS",
        "Usage error",
        "JSON OUTPUT",
        "ken status --json",
        "KEN_DATA_DIR",
        "ken-sync(1)",
        "ken completions bash",
    ] {
        assert!(text.contains(want), "man page lacks {want:?}:\n{text}");
    }
    assert!(text.contains('—'), "the escaped dash renders as a dash");
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let ken = Ken::new();
    let dir = ken.home.path().join("man1");
    let r = run(ken.cmd(&["man", "--dir", dir.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    for c in COMMANDS
        .iter()
        .map(|c| format!("ken-{c}.1"))
        .chain(["ken.1".into()])
    {
        let page = dir.join(&c);
        assert!(page.is_file(), "{c} not written");
        let (text, warnings) = render(&page);
        assert_eq!(warnings, "", "groff warns on {c}");
        assert!(text.contains("SYNOPSIS"), "{c}: {text}");
    }
    let (sync, _) = render(&dir.join("ken-sync.1"));
    assert!(sync.contains("--json"), "{sync}");
    let (create, _) = render(&dir.join("ken-bundle-create.1"));
    assert!(create.contains("--since"), "{create}");
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let r = run(Ken::new().cmd(&["--version"]));
    assert_eq!(r.code, 0);
    let version = env!("CARGO_PKG_VERSION");
    let manifest = env!("CARGO_MANIFEST_DIR");
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(manifest)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        // Built from a git work tree (the build script runs again when HEAD moves).
        Some(h) => assert_eq!(r.stdout.trim(), format!("ken {version} ({h})")),
        // A source tree without git: the version alone.
        None => assert_eq!(r.stdout.trim(), format!("ken {version}")),
    }
}
