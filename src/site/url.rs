//! Where a manifest entry's repository comes from: `owner/name` resolved against the site's
//! own URL, or a full `https://` / `git@host:` URL used as written; everything else refused.
//!
//! Resolving against the site's URL (rather than always against github.com, as `getDocs.js`
//! does) is what lets an internal mirror of a whole organisation work with no configuration:
//! a site fetched from `git://mirror/SovereignCloudStack/docs` takes its release notes from
//! `git://mirror/SovereignCloudStack/release-notes`.

/// The URL to fetch for `repo` (a manifest's `repo` field), or why it is refused.
///
/// `owner/name` (an optional `.git` on the name) replaces the last two path components of
/// `site_url` (all of them when it has fewer), keeping the site's scheme, host, port and
/// user, and its trailing `.git` if it has one. The site URL may be `scheme://host/…`
/// (https, http, git, ssh) or scp-like `[user@]host:…`; a site that is a local path or a
/// `file://` URL has nothing to resolve against.
pub fn resolve(site_url: &str, repo: &str) -> Result<String, String> {
    if repo.is_empty() {
        return Err("`repo` is empty".into());
    }
    if repo.starts_with('-') {
        return Err("`repo` looks like a command-line option".into());
    }
    if repo.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("`repo` contains whitespace or control characters".into());
    }
    if repo.contains('\\') {
        return Err("`repo` contains a backslash".into());
    }
    if repo.split(['/', ':']).any(|c| c == "..") {
        return Err("`..` is not allowed in `repo`".into());
    }
    if let Some(rest) = repo.strip_prefix("https://") {
        return full_url(repo, rest, '/');
    }
    if let Some(rest) = repo.strip_prefix("git@") {
        let Some((host, path)) = rest.split_once(':') else {
            return Err("a git@ URL needs the form git@host:path".into());
        };
        if host.is_empty() || host.contains('/') || host.starts_with('-') {
            return Err(format!("`{host}` is not a host name"));
        }
        return full_url(repo, path, ':');
    }
    let lower = repo.to_ascii_lowercase();
    if lower.starts_with("file:") {
        return Err("file:// URLs (local repositories) are refused".into());
    }
    if lower.starts_with("http://") {
        return Err("plain http:// is refused: use https://".into());
    }
    if let Some((scheme, _)) = repo.split_once("::") {
        return Err(format!("the `{scheme}::` transport is refused"));
    }
    if let Some((scheme, _)) = repo.split_once("://") {
        return Err(format!(
            "the `{scheme}://` transport is refused: only owner/name, https:// and git@host: are used"
        ));
    }
    if repo.starts_with(['/', '.', '~']) || repo.as_bytes().get(1) == Some(&b':') {
        return Err("local paths are refused".into());
    }
    let Some((owner, name)) = repo.split_once('/') else {
        return Err("is neither owner/name nor an https:// or git@host: URL".into());
    };
    let name = name.strip_suffix(".git").unwrap_or(name);
    let plain = |s: &str| {
        !s.is_empty()
            && s != "."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    if !plain(owner) || !plain(name) {
        return Err(
            "is neither owner/name (letters, digits, `.`, `_`, `-`) nor an https:// or git@host: URL"
                .into(),
        );
    }
    against_site(site_url, owner, name)
}

/// A full URL is used as written, once it names a host and a path.
fn full_url(repo: &str, after_scheme: &str, sep: char) -> Result<String, String> {
    let path = if sep == '/' {
        let (host, path) = after_scheme.split_once('/').unwrap_or((after_scheme, ""));
        if host.is_empty() || host.starts_with('-') {
            return Err("the URL names no host".into());
        }
        path
    } else {
        if after_scheme.starts_with('-') {
            return Err("the URL's path looks like a command-line option".into());
        }
        after_scheme
    };
    if path.trim_matches('/').is_empty() {
        return Err("the URL names no repository".into());
    }
    Ok(repo.to_string())
}

/// `owner/name` against the site's URL.
fn against_site(site_url: &str, owner: &str, name: &str) -> Result<String, String> {
    let local = || {
        Err(format!(
            "owner/name needs a site fetched from a server, and the site's URL `{site_url}` is a local path"
        ))
    };
    // Split the site URL into what is kept (scheme, user, host, port) and its path.
    let (head, path) = if let Some(i) = site_url.find("://") {
        let scheme = site_url[..i].to_ascii_lowercase();
        if !matches!(scheme.as_str(), "https" | "http" | "git" | "ssh") {
            return local();
        }
        let after = &site_url[i + 3..];
        match after.find('/') {
            Some(j) => site_url.split_at(i + 3 + j),
            None => (site_url, ""),
        }
    } else if let Some((user_host, _)) = site_url.split_once(':')
        && user_host.len() > 1
        && !user_host.contains(['/', '\\'])
    {
        site_url.split_at(user_host.len() + 1)
    } else {
        return local();
    };
    let trimmed = path.trim_end_matches('/');
    let dot_git = trimmed.ends_with(".git");
    let mut parts: Vec<&str> = trimmed.split('/').collect();
    // The leading empty part of `/org/docs` keeps the path absolute; scp-like paths
    // (`org/docs`) have none.
    let lead = usize::from(parts.first() == Some(&""));
    let keep = parts.len().saturating_sub(2).max(lead);
    parts.truncate(keep);
    let mut out = String::from(head);
    for p in &parts {
        out.push_str(p);
        out.push('/');
    }
    if parts.is_empty() && head.ends_with(':') {
        // scp-like with the path right after the colon: nothing to separate.
    } else if parts.is_empty() {
        out.push('/');
    }
    out.push_str(owner);
    out.push('/');
    out.push_str(name);
    if dot_git {
        out.push_str(".git");
    }
    Ok(out)
}

/// The key under which two URLs name the same repository: without a trailing `/` or
/// `.git`. A repository listed several times (or once with `.git` and once without) is
/// mirrored once.
pub fn repo_key(url: &str) -> String {
    let u = url.trim_end_matches('/');
    u.strip_suffix(".git").unwrap_or(u).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_name_replaces_the_sites_last_two_components() {
        let r = |site: &str| resolve(site, "SovereignCloudStack/release-notes").unwrap();
        assert_eq!(
            r("https://github.com/SovereignCloudStack/docs"),
            "https://github.com/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("https://github.com/SovereignCloudStack/docs/"),
            "https://github.com/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("git://127.0.0.1:9418/SovereignCloudStack/docs"),
            "git://127.0.0.1:9418/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("https://gitlab.example/group/sub/docs.git"),
            "https://gitlab.example/group/SovereignCloudStack/release-notes.git"
        );
        assert_eq!(
            r("git@github.com:SovereignCloudStack/docs.git"),
            "git@github.com:SovereignCloudStack/release-notes.git"
        );
        assert_eq!(
            r("ssh://git@host:2222/org/docs"),
            "ssh://git@host:2222/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("git://host/docs"),
            "git://host/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("git://host"),
            "git://host/SovereignCloudStack/release-notes"
        );
        assert_eq!(
            r("git@host:docs"),
            "git@host:SovereignCloudStack/release-notes"
        );
    }

    #[test]
    fn a_local_site_cannot_resolve_owner_name() {
        for site in ["/srv/docs", "file:///srv/docs", "./docs"] {
            let e = resolve(site, "a/b").unwrap_err();
            assert!(e.contains("local path"), "{site}: {e}");
        }
    }

    #[test]
    fn keys_ignore_git_suffix_and_slash() {
        assert_eq!(repo_key("https://h/o/n.git"), repo_key("https://h/o/n/"));
        assert_ne!(repo_key("https://h/o/n"), repo_key("https://h/o/m"));
    }
}
