//! Where a page can be changed upstream, on a known forge (GitHub, GitLab): the edit URL of
//! a file, the permalink of its lines at a commit, and a new issue with its text filled in,
//! made from a repository's git URL, branch or commit and the file's path there.

/// A forge ken knows the edit URL scheme of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

/// `https://host/owner/repo` and the forge, from a git remote URL in any of its forms:
/// `https://host/owner/repo(.git)`, `ssh://git@host/owner/repo.git`, `git@host:owner/repo.git`.
pub fn web_repo(url: &str) -> Option<(Forge, String)> {
    let url = url.trim();
    let (host, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        rest.split_once('/')?
    } else {
        // scp-like `user@host:path`
        let (userhost, path) = url.split_once(':')?;
        if userhost.contains('/') {
            return None;
        }
        (userhost.rsplit_once('@').map_or(userhost, |(_, h)| h), path)
    };
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let forge = if host == "github.com" {
        Forge::GitHub
    } else if host == "gitlab.com" || host.starts_with("gitlab.") {
        Forge::GitLab
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let parts: Vec<&str> = path.split('/').collect();
    let enough = match forge {
        Forge::GitHub => parts.len() == 2,
        Forge::GitLab => parts.len() >= 2,
    };
    if !enough || !parts.iter().all(|p| ok(p)) {
        return None;
    }
    Some((forge, format!("https://{host}/{}", parts.join("/"))))
}

/// Percent-encodes a path for a URL, keeping `/` and the characters that need no escape.
fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The edit URL of `repo_path` on `branch` of the repository at `git_url`, when that is on a
/// known forge: GitHub `…/edit/<branch>/<path>`, GitLab `…/-/edit/<branch>/<path>`.
pub fn edit_url(git_url: &str, branch: &str, repo_path: &str) -> Option<String> {
    let (forge, repo) = web_repo(git_url)?;
    let branch = encode_path(branch);
    let path = encode_path(repo_path.trim_start_matches('/'));
    Some(match forge {
        Forge::GitHub => format!("{repo}/edit/{branch}/{path}"),
        Forge::GitLab => format!("{repo}/-/edit/{branch}/{path}"),
    })
}

/// The address of lines `a`–`b` of `repo_path` as it is at `commit` (a permalink: it shows
/// the same text after the file changes): GitHub `…/blob/<commit>/<path>#L10-L20`, GitLab
/// `…/-/blob/<commit>/<path>#L10-20`; the whole file without `lines`.
pub fn permalink(
    git_url: &str,
    commit: &str,
    repo_path: &str,
    lines: Option<(usize, usize)>,
) -> Option<String> {
    let (forge, repo) = web_repo(git_url)?;
    let path = encode_path(repo_path.trim_start_matches('/'));
    let commit = encode_path(commit);
    let anchor = match (forge, lines) {
        (_, None) => String::new(),
        (_, Some((a, b))) if a == b => format!("#L{a}"),
        (Forge::GitHub, Some((a, b))) => format!("#L{a}-L{b}"),
        (Forge::GitLab, Some((a, b))) => format!("#L{a}-{b}"),
    };
    Some(match forge {
        Forge::GitHub => format!("{repo}/blob/{commit}/{path}{anchor}"),
        Forge::GitLab => format!("{repo}/-/blob/{commit}/{path}{anchor}"),
    })
}

/// The address of a new issue in the repository at `git_url` with `title` and `body` filled
/// in: GitHub `…/issues/new?title=…&body=…`, GitLab `…/-/issues/new?issue[title]=…&issue[description]=…`.
/// Everything but letters and digits is percent-encoded, so nothing in the text can end the
/// query or reach the terminal raw.
pub fn issue_url(git_url: &str, title: &str, body: &str) -> Option<String> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let (forge, repo) = web_repo(git_url)?;
    let t = utf8_percent_encode(title, NON_ALPHANUMERIC);
    let b = utf8_percent_encode(body, NON_ALPHANUMERIC);
    Some(match forge {
        Forge::GitHub => format!("{repo}/issues/new?title={t}&body={b}"),
        Forge::GitLab => {
            format!("{repo}/-/issues/new?issue%5Btitle%5D={t}&issue%5Bdescription%5D={b}")
        }
    })
}

/// The path of a document in its repository: the source's `root` folder, then the path
/// inside it.
pub fn repo_path(root: Option<&str>, rel: &str) -> String {
    match root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty()) {
        Some(r) => format!("{r}/{rel}"),
        None => rel.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_in_every_url_form() {
        let want = "https://github.com/SovereignCloudStack/docs/edit/main/docs/index.md";
        for url in [
            "https://github.com/SovereignCloudStack/docs",
            "https://github.com/SovereignCloudStack/docs.git",
            "https://github.com/SovereignCloudStack/docs/",
            "git@github.com:SovereignCloudStack/docs.git",
            "ssh://git@github.com/SovereignCloudStack/docs.git",
        ] {
            assert_eq!(
                edit_url(url, "main", "docs/index.md").as_deref(),
                Some(want),
                "{url}"
            );
        }
    }

    #[test]
    fn gitlab_with_groups_and_self_hosted() {
        assert_eq!(
            edit_url("https://gitlab.com/group/sub/repo.git", "stable", "a b.md").as_deref(),
            Some("https://gitlab.com/group/sub/repo/-/edit/stable/a%20b.md")
        );
        // Self-hosted GitLab by its usual host name.
        assert_eq!(
            edit_url("git@gitlab.opencode.de:ops/runbooks.git", "main", "x.md").as_deref(),
            Some("https://gitlab.opencode.de/ops/runbooks/-/edit/main/x.md")
        );
        assert_eq!(
            edit_url("https://git.example.org/ops/runbooks", "main", "x.md"),
            None
        );
    }

    #[test]
    fn unknown_or_odd_urls_have_no_edit_url() {
        assert_eq!(edit_url("/srv/docs", "main", "x.md"), None);
        assert_eq!(edit_url("git://127.0.0.1:9418/docs", "main", "x.md"), None);
        assert_eq!(edit_url("https://github.com/a", "main", "x.md"), None);
        assert_eq!(
            edit_url("https://github.com/a/b\u{1b}]52", "main", "x.md"),
            None
        );
        // Hostile branch and path characters are escaped.
        assert_eq!(
            edit_url("https://github.com/a/b", "m\u{7}", "d/\u{1b}x.md").as_deref(),
            Some("https://github.com/a/b/edit/m%07/d/%1Bx.md")
        );
    }

    #[test]
    fn permalinks_and_new_issues_on_both_forges() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            permalink("git@github.com:a/b.git", c, "docs/x y.md", Some((10, 20))).as_deref(),
            Some(format!("https://github.com/a/b/blob/{c}/docs/x%20y.md#L10-L20").as_str())
        );
        assert_eq!(
            permalink("https://gitlab.com/g/s/r", c, "x.md", Some((3, 3))).as_deref(),
            Some(format!("https://gitlab.com/g/s/r/-/blob/{c}/x.md#L3").as_str())
        );
        assert_eq!(
            permalink("https://gitlab.com/g/r", c, "x.md", Some((3, 9))).as_deref(),
            Some(format!("https://gitlab.com/g/r/-/blob/{c}/x.md#L3-9").as_str())
        );
        assert_eq!(permalink("git://127.0.0.1/a/b", c, "x.md", None), None);
        assert_eq!(
            issue_url("https://github.com/a/b", "Typo & more", "> line\n#x").as_deref(),
            Some(
                "https://github.com/a/b/issues/new?title=Typo%20%26%20more&body=%3E%20line%0A%23x"
            )
        );
        assert_eq!(
            issue_url("https://gitlab.com/a/b", "t", "\u{1b}]52").as_deref(),
            Some(
                "https://gitlab.com/a/b/-/issues/new?issue%5Btitle%5D=t&issue%5Bdescription%5D=%1B%5D52"
            )
        );
    }

    #[test]
    fn repo_path_joins_the_root() {
        assert_eq!(repo_path(Some("docs/"), "a.md"), "docs/a.md");
        assert_eq!(repo_path(None, "a.md"), "a.md");
    }
}
