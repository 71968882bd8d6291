//! `ken check --source` over the SCS corpus (`KEN_SCS_CORPUS`, the assembled site as a local
//! folder, see its SOURCES.md): the number of findings of each rule is pinned, and each
//! rule's findings were checked by hand against the files (2026-12-01):
//!
//! - `std/missing-section` (76, warning, in 47 standards): 27 Standards without a
//!   "Conformance Tests" heading, 19 Decision Records without "Abstract" and 19 without
//!   "Context", 8 Standards without "Motivation", 3 without "Introduction". Real: e.g.
//!   scs-0101-v1-entropy.md has Introduction and Motivation but its tests live under
//!   "Entropy in SCS clouds"; scs-0008-v1-oss-health.md (a Decision Record) starts at "Four
//!   Opens"; scs-0102-v1-image-metadata.md starts at "Motivation"; the scs-0501 versions
//!   have "Introduction" and "Subject Matter" but no "Motivation". Many are legitimate
//!   (tests in a `-w` supplement), which is why the rule is a warning.
//! - `link/missing-file` (22): 15 images and 7 links to `clouds.yaml.sample` and the
//!   `find_img.{py,sh,tf}` scripts. All are files the corpus was built without (SOURCES.md:
//!   images and helper scripts were dropped), so they dangle here and exist on the site; e.g.
//!   `./images/jaeger.png` in docs/04-operating-scs/components/monitoring/docs/tracing.md.
//!   `standards/index.md` and `standards/certification/scopes-versions.md` link `image.png`
//!   next to them, dropped too.
//! - `link/missing-page` (17): the 15 broken links of tests/it/corpus_links.rs KNOWN_BROKEN,
//!   each checked by hand there (a wrong `operations/` folder, scs-health-monitor pages not
//!   pulled into the site, `certification/overview` that populateClouds.js would generate,
//!   `community/community/`, …); two of them are written twice (docs/08-faq/index.mdx lines
//!   60 and 70, scs-0004-w1 lines 75 and 105).
//! - `std/list-value` (12): `replaces`/`replaced_by` given as a string in scs-0002-v1/v2,
//!   0005-v2, 0100-v2/v3, 0102-v1/v2, 0104-v2, 0123-v2, 0210-v2, 0211-v2, 0214-v2 — the list
//!   of ../shared/knowledge-rules.md (a), plus scs-0102-v1's `replaces: Image-Metadata-Spec.md`.
//! - `std/unknown-key` (9): `version`, `authors`, `state`, `enhances` in scs-0002-v2,
//!   0100-v1, 0109-v1, 0110-v1, 0400-v1, as knowledge-rules.md (a) lists them.
//! - `std/slug` (5): upper case or `_` in the slug of scs-0121-v1/w1
//!   (`Availability-Zones-Standard`), scs-0123-v1/w1 (`…-IaaS-services…`) and scs-0411-v1
//!   (`publishing_method_for_metering_data`).
//! - `link/missing-anchor` (2): docs/06-releases/Release1.md lines 196 and 199 link
//!   `#Known-Issue-with-OIDC-Logout` and `#non-TLS-restrictions-testbed`; the headings make
//!   `known-issue-with-oidc-logout` and `non-tls-restrictions-testbed` (github-slugger lowers
//!   the case, and a fragment is matched exactly), so both open the page at the top.
//! - `frontmatter/bom` (2): scs-0007-v1 and -v2 start with U+FEFF before `---`.
//! - `std/target-missing` (1): scs-0102-v1 `replaces: Image-Metadata-Spec.md`, a document
//!   that is not in the standards folder (nor anywhere in the corpus).
//!
//! No finding was a ken bug. Every other rule has no finding here.
//!
//! ```sh
//! KEN_SCS_CORPUS=../shared/corpus/scs cargo test --test it corpus_check -- --ignored
//! ```

use crate::common;

use std::collections::BTreeMap;

use common::{Ken, run, scs_corpus};
use serde_json::Value;

const PER_RULE: &[(&str, usize)] = &[
    ("frontmatter/bom", 2),
    ("link/missing-anchor", 2),
    ("link/missing-file", 22),
    ("link/missing-page", 17),
    ("std/list-value", 12),
    ("std/missing-section", 76),
    ("std/slug", 5),
    ("std/target-missing", 1),
    ("std/unknown-key", 9),
];

#[test]
#[ignore = "needs ../shared/corpus; run by .ci/run"]
fn findings_per_rule_on_the_scs_corpus_are_the_ones_checked_by_hand() {
    let root = scs_corpus();
    let ken = Ken::new();
    let src = root.display().to_string();
    let r = run(ken.cmd(&["--source", &src, "check", "--format", "json"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for f in v.as_array().unwrap() {
        *got.entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let want: BTreeMap<String, usize> = PER_RULE.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    assert_eq!(got, want);
    // The human summary agrees: the errors are the link findings, the slugs and the target.
    let r = run(ken.cmd(&["--source", &src, "check"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("ken check: 47 errors, 99 warnings, 0 notes"),
        "{}",
        r.stdout.lines().last().unwrap_or("")
    );
}
