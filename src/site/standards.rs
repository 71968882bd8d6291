//! The standards overview pages the SCS site generates (`populateStds.js`): one page per
//! track (`standards/<track>/index.md`), one per standard with every version and supplement
//! (`standards/<track>/scs-NNNN.md`), the overview of all (`standards/standards/overview.mdx`)
//! and the sidebar of the standards (`sidebarsStandardsItems.js`), made from the standards'
//! front matter alone, so that "which version of scs-0100 is in force?" has an answer offline.
//!
//! The tables are the script's, cell for cell: a version is a draft until it has
//! `stabilized_at`, deprecated once `deprecated_at` is on or before the day the pages are made,
//! effective in between, marked `*` when it becomes effective later and `†` when it is
//! deprecated later. What differs: the React snippet that colours the cells and its anchor
//! `<div>` are left out (a terminal has neither), a missing value is `-` (the script writes
//! `undefined`), and every page says in its front matter that ken generated it and when.
//! Pure: the caller gives the standards (file name and front matter) and the day.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One standard's file, `scs-0100-v3-flavor-naming.md`, with its front matter.
#[derive(Debug, Clone)]
pub struct Standard {
    pub filename: String,
    pub front_matter: Value,
}

const INTRO: &str = "# Overview

Standards are the core deliverable of SCS. By standardizing the open source software components of a cloud computing stack, their versions, how they are to be configured, deployed and utilized, SCS guarantees the reproducibility of a certain behavior of this technology.

SCS standards are discussed, developed and maintained in the community by the corresponding teams (see Track in the table below), which naturally include existing users of SCS.";

const TRACK_INTROS: [(&str, &str); 6] = [
    (
        "Global",
        "This track encompasses the foundational standards that guide the overall structure, documentation, and general topics related to the Sovereign Cloud Stack. It serves as the core framework, ensuring consistency, clarity, and comprehensibility across all aspects of the cloud stack, fostering an environment where information is easily accessible and understood.",
    ),
    (
        "IaaS",
        "The IaaS Layer Standards track focuses on the protocols, guidelines, and specifications that govern the infrastructure as a service layer. This encompasses standards for virtual machines, storage, networking, and other foundational resources, ensuring seamless, efficient, and secure operation, interoperability, and management of the underlying cloud infrastructure.",
    ),
    (
        "KaaS",
        "Standards in this track are concerned with Kubernetes as a Service layer, outlining norms and best practices for deploying, managing, and operating Kubernetes clusters. These standards aim to ensure that the orchestration of containers is streamlined, secure, and compatible across various cloud environments and platforms.",
    ),
    (
        "IAM",
        "This track revolves around Identity and Access Management (IAM) standards, providing guidelines for ensuring secure and efficient user authentication, authorization, and administration. It addresses issues related to user identity, permissions, roles, and policies, aiming to safeguard and streamline access to cloud resources and services.",
    ),
    (
        "Ops",
        "Operational Tooling Standards cover the protocols and guidelines associated with tools and utilities used for monitoring, management, and maintenance of the cloud environment. This includes standards for status pages, alerts, logs, and other operational tools, aiming to optimize the reliability, performance, and security of cloud services and resources.",
    ),
    (
        "Scopes",
        "This track contains certificate scopes. A certificate scope is a standard that has to be fulfilled in order for a certificate to be awarded. It usually refers to other standards in regards to actual subject matter — what properties the subject has to satisfy —, and it contains regulations regarding the testing regime.",
    ),
];

const LEGEND: &str = "   
<p>*Legend to the column headings and entries:</p>\n
- Document states: Draft, Effective, Deprecated (and no longer effective)
- Entries in the effective column marked with an * are stable right now but turn to effective documents in the near future
- Entries in the effective column marked with a † will turn deprecated in the near future";

/// Whether a site path is one of the standards the pages are made from: `standards/scs-*.md`
/// directly in the folder, not a template (`scs-X…`).
pub fn is_standard(site_path: &str) -> bool {
    site_path.strip_prefix("standards/").is_some_and(|f| {
        !f.contains('/') && f.starts_with("scs-") && f.ends_with(".md") && !f.starts_with("scs-X")
    })
}

struct Version {
    id: String,
    version: String,
    title: String,
    kind: String,
    status: String,
    stabilized: Option<String>,
    deprecated: Option<String>,
    description: Option<String>,
    draft: bool,
    deprecated_now: bool,
    effective: bool,
    future_effective: bool,
    future_deprecated: bool,
}

#[derive(Default)]
struct Adr {
    versions: Vec<Version>,
    /// By slug, in the order met: (title, versions).
    supplements: Vec<(String, String, Vec<Version>)>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The generated pages, by site path, for the standards given (in any order) as of `today`
/// (`YYYY-MM-DD`).
pub fn pages(standards: &[Standard], today: &str) -> BTreeMap<String, String> {
    let mut sorted: Vec<&Standard> = standards
        .iter()
        .filter(|s| is_standard(&format!("standards/{}", s.filename)))
        .collect();
    // The script reads the folder in byte order (libuv sorts its listing).
    sorted.sort_by(|a, b| a.filename.cmp(&b.filename));
    // Tracks, and standards in each, in the order first met.
    let mut tracks: Vec<(String, Vec<(String, Adr)>)> = Vec::new();
    for s in sorted {
        let f = &s.filename;
        let Some(stem) = f.strip_suffix(".md") else {
            continue;
        };
        let parts: Vec<&str> = f.split('-').collect();
        let (Some(adr_id), Some(version)) = (parts.get(1), parts.get(2)) else {
            continue;
        };
        let fm = &s.front_matter;
        let Some(track) = text(fm.get("track")) else {
            continue;
        };
        let stabilized = text(fm.get("stabilized_at"));
        let deprecated = text(fm.get("deprecated_at"));
        let draft = stabilized.is_none();
        let deprecated_now = deprecated.as_deref().is_some_and(|d| d <= today);
        let effective = !deprecated_now && !draft;
        let v = Version {
            id: stem.to_string(),
            version: version.to_string(),
            title: text(fm.get("title")).unwrap_or_else(|| "-".into()),
            kind: text(fm.get("type")).unwrap_or_else(|| "-".into()),
            status: text(fm.get("status")).unwrap_or_else(|| "-".into()),
            future_effective: effective && stabilized.as_deref().is_some_and(|d| d > today),
            future_deprecated: effective && deprecated.as_deref().is_some_and(|d| d > today),
            description: text(fm.get("description")),
            stabilized,
            deprecated,
            draft,
            deprecated_now,
            effective,
        };
        let t = match tracks.iter().position(|(n, _)| *n == track) {
            Some(i) => i,
            None => {
                tracks.push((track.clone(), Vec::new()));
                tracks.len() - 1
            }
        };
        let adrs = &mut tracks[t].1;
        let a = match adrs.iter().position(|(id, _)| id == adr_id) {
            Some(i) => i,
            None => {
                adrs.push((adr_id.to_string(), Adr::default()));
                adrs.len() - 1
            }
        };
        let adr = &mut adrs[a].1;
        if v.kind == "Supplement" {
            // `scs-xxxx-vN-` is 12 characters: what follows is the supplement's slug.
            let slug = stem.get(12..).unwrap_or_default().to_string();
            match adr.supplements.iter().position(|(s, _, _)| *s == slug) {
                Some(i) => adr.supplements[i].2.push(v),
                None => adr.supplements.push((slug, v.title.clone(), vec![v])),
            }
        } else {
            adr.versions.push(v);
        }
    }

    let mut out = BTreeMap::new();
    let marker = format!(
        "---\ngenerated: \"{today}, by ken from the standards' front matter (as the site's populateStds.js does)\"\n---\n"
    );
    let mut lines = vec![format!("{INTRO}\n\n{LEGEND}\n")];
    lines.push("| Standard  | Track  | Description  | Draft | Effective | Deprecated* |".into());
    lines.push("| --------- | ------ | ------------ | ----- | --------- | ----------- |".into());
    let mut sidebar = Vec::new();
    for (track, adrs) in &tracks {
        let lower = track.to_lowercase();
        let intro = TRACK_INTROS
            .iter()
            .find(|(n, _)| n == track)
            .map_or("-", |(_, t)| t);
        let mut tlines = vec![format!("# {track} Standards\n\n{intro}\n\n{LEGEND}\n")];
        tlines.push("| Standard  | Description  | Draft | Effective | Deprecated* |".into());
        tlines.push("| --------- | ------------ | ----- | --------- | ----------- |".into());
        let mut track_items = Vec::new();
        for (adr_id, adr) in adrs {
            let Some(last) = adr
                .versions
                .last()
                .or_else(|| adr.supplements.first().and_then(|(_, _, v)| v.last()))
            else {
                continue;
            };
            let reference = adr
                .versions
                .iter()
                .rev()
                .find(|v| v.effective)
                .unwrap_or(last);
            let mut items = Vec::new();
            let mut slines = vec![format!("# scs-{adr_id}: {}\n", reference.title)];
            if let Some(d) = &reference.description {
                slines.push(d.clone());
            }
            slines.push("| Version  | Type  | State   | stabilized | deprecated |".into());
            slines.push("| -------- | ----- | ------- | ---------- | ---------- |".into());
            let link = format!("[scs-{adr_id}](/standards/{lower}/scs-{adr_id})");
            let cells = columns(&adr.versions);
            lines.push(format!(
                "| {link}  | {track}  | {}  | {cells}  |",
                reference.title
            ));
            tlines.push(format!("| {link}  | {}  | {cells}  |", reference.title));
            for v in &adr.versions {
                items.push(json!({"type": "doc", "label": v.version.to_uppercase(), "id": v.id}));
                slines.push(format!(
                    "| [scs-{adr_id}-{}](/standards/{})  | {}  | {}  | {}  | {}  |",
                    v.version,
                    v.id,
                    v.kind,
                    v.status,
                    v.stabilized.as_deref().unwrap_or("-"),
                    v.deprecated.as_deref().unwrap_or("-")
                ));
            }
            for (_, title, versions) in &adr.supplements {
                let mut title = title.as_str();
                if let Some(rest) = title.strip_prefix(reference.title.as_str()) {
                    title = rest.strip_prefix(':').unwrap_or(rest).trim_start();
                }
                let cells = columns(versions);
                lines.push(format!("|   |   | Supplement: {title}  | {cells} |"));
                tlines.push(format!("|   | Supplement: {title}  | {cells} |"));
                slines.push(format!("\n## Supplement: {title}\n"));
                slines.push("| Version  | State   | stabilized | deprecated |".into());
                slines.push("| -------- | ------- | ---------- | ---------- |".into());
                for v in versions {
                    items.push(
                        json!({"type": "doc", "label": v.version.to_uppercase(), "id": v.id}),
                    );
                    slines.push(format!(
                        "| [{}](/standards/{})  | {}  | {}  | {}  |",
                        v.version,
                        v.id,
                        v.status,
                        v.stabilized.as_deref().unwrap_or("-"),
                        v.deprecated.as_deref().unwrap_or("-")
                    ));
                }
            }
            slines.push(String::new());
            out.insert(
                format!("standards/{lower}/scs-{adr_id}.md"),
                format!("{marker}{}", slines.join("\n")),
            );
            track_items.push(json!({
                "type": "category",
                "label": format!("scs-{adr_id}"),
                "link": {"type": "doc", "id": format!("{lower}/scs-{adr_id}")},
                "items": items,
            }));
        }
        tlines.push(String::new());
        out.insert(
            format!("standards/{lower}/index.md"),
            format!("{marker}{}", tlines.join("\n")),
        );
        sidebar.push(json!({
            "type": "category",
            "label": track,
            "link": {"type": "doc", "id": format!("{lower}/index")},
            "items": track_items,
        }));
    }
    lines.push(String::new());
    out.insert(
        "standards/standards/overview.mdx".into(),
        format!("{marker}{}", lines.join("\n")),
    );
    let sidebar = serde_json::to_string_pretty(&Value::Array(sidebar)).unwrap_or_default();
    out.insert(
        "sidebarsStandardsItems.js".into(),
        format!("module.exports = {sidebar}"),
    );
    out
}

/// The Draft, Effective and Deprecated cells: links to the versions in each state, `-` for
/// none.
fn columns(versions: &[Version]) -> String {
    let cell = |pick: &dyn Fn(&Version) -> bool| {
        let links: Vec<String> = versions
            .iter()
            .filter(|v| pick(v))
            .map(|v| {
                let mark = if v.future_effective {
                    "*"
                } else if v.future_deprecated {
                    "&#8224;"
                } else {
                    ""
                };
                format!("[{}](/standards/{}){mark}", v.version, v.id)
            })
            .collect();
        if links.is_empty() {
            "-".to_string()
        } else {
            links.join(", ")
        }
    };
    [
        cell(&|v| v.draft),
        cell(&|v| v.effective),
        cell(&|v| v.deprecated_now),
    ]
    .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(f: &str, fm: Value) -> Standard {
        Standard {
            filename: f.into(),
            front_matter: fm,
        }
    }

    #[test]
    fn states_follow_the_dates_and_the_day() {
        let s = [
            std(
                "scs-0100-v1-flavor-naming.md",
                json!({"title": "Flavors", "type": "Standard", "status": "Deprecated", "track": "IaaS",
                       "stabilized_at": "2022-09-08", "deprecated_at": "2023-10-31"}),
            ),
            std(
                "scs-0100-v2-flavor-naming.md",
                json!({"title": "Flavors", "type": "Standard", "status": "Stable", "track": "IaaS",
                       "stabilized_at": "2023-02-21", "deprecated_at": "2026-12-31"}),
            ),
            std(
                "scs-0100-v3-flavor-naming.md",
                json!({"title": "Flavors", "type": "Standard", "status": "Stable", "track": "IaaS",
                       "stabilized_at": "2026-12-01"}),
            ),
            std(
                "scs-0100-v4-flavor-naming.md",
                json!({"title": "Flavors", "type": "Standard", "status": "Draft", "track": "IaaS"}),
            ),
            std(
                "scs-0100-w1-flavor-naming-testing.md",
                json!({"title": "Flavors: testing notes", "type": "Supplement", "track": "IaaS"}),
            ),
            std("scs-XXXX-v1-template.md", json!({"track": "IaaS"})),
        ];
        let p = pages(&s, "2026-11-27");
        let page = &p["standards/iaas/scs-0100.md"];
        assert!(
            page.starts_with("---\ngenerated: \"2026-11-27, by ken"),
            "{page}"
        );
        // v2 is the newest version in force: the page is titled by it.
        assert!(page.contains("\n# scs-0100: Flavors\n"), "{page}");
        assert!(page.contains(
            "| [scs-0100-v1](/standards/scs-0100-v1-flavor-naming)  | Standard  | Deprecated  | 2022-09-08  | 2023-10-31  |"
        ));
        assert!(page.contains("\n## Supplement: testing notes\n"), "{page}");
        assert!(
            page.contains("| [w1](/standards/scs-0100-w1-flavor-naming-testing)  | -  | -  | -  |")
        );
        let index = &p["standards/iaas/index.md"];
        assert!(index.contains(
            "| [scs-0100](/standards/iaas/scs-0100)  | Flavors  | [v4](/standards/scs-0100-v4-flavor-naming) | \
             [v2](/standards/scs-0100-v2-flavor-naming)&#8224;, [v3](/standards/scs-0100-v3-flavor-naming)* | \
             [v1](/standards/scs-0100-v1-flavor-naming)  |"
        ), "{index}");
        assert!(index.contains("|   | Supplement: testing notes  | [w1](/standards/scs-0100-w1-flavor-naming-testing) | - | - |"));
        assert!(
            p["standards/standards/overview.mdx"]
                .contains("| [scs-0100](/standards/iaas/scs-0100)  | IaaS  | Flavors  |")
        );
        let sidebar: Value = serde_json::from_str(
            p["sidebarsStandardsItems.js"]
                .strip_prefix("module.exports = ")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(sidebar[0]["label"], "IaaS");
        assert_eq!(sidebar[0]["link"]["id"], "iaas/index");
        assert_eq!(sidebar[0]["items"][0]["label"], "scs-0100");
        assert_eq!(
            sidebar[0]["items"][0]["items"][4]["id"],
            "scs-0100-w1-flavor-naming-testing"
        );
        assert!(!p.keys().any(|k| k.contains("XXXX")));
        assert!(is_standard("standards/scs-0100-v1-flavor-naming.md"));
        assert!(!is_standard("standards/iaas/scs-0100.md"));
        assert!(!is_standard("standards/scs-XXXX-v1-template.md"));
    }
}
