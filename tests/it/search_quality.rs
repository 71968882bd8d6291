//! Search quality on the real SCS documentation: operator questions, typed the way a person
//! types into a search box, each with the page(s) that answer it. Reports the share answered
//! in the top 3 and the mean reciprocal rank; requires at least 90% in the top 3.
//!
//! Needs the corpus: `KEN_SCS_CORPUS=../shared/corpus/scs cargo test --test search_quality
//! -- --ignored --nocapture` (`.ci/run` sets the variable). Without it the test fails.

use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::index::{self, SearchIndex, SearchOptions};

/// (question as typed, pages that answer it). A page ending in `*` is a prefix: any version
/// of a standard answers.
const QUESTIONS: &[(&str, &[&str])] = &[
    (
        "domain manager setup",
        &["docs/05-iam/domain-manager-setup-and-usage.md"],
    ),
    (
        "mandatory flavors",
        &["standards/scs-0103-v1-standard-flavors.md"],
    ),
    ("flavor naming", &["standards/scs-0100-v*"]),
    (
        "default rules security groups",
        &["standards/scs-0115-v1-default-rules-for-security-groups.md"],
    ),
    (
        "how to configure security groups",
        &["docs/02-iaas/guides/user-guide/security-groups/security-groups.md"],
    ),
    (
        "volume backup service",
        &["standards/scs-0117-v1-volume-backup-service.md"],
    ),
    (
        "backup user data",
        &["docs/02-iaas/guides/user-guide/user-data-backups.md"],
    ),
    (
        "harbor backup and restore",
        &["docs/03-container/components/container-registry/docs/backup_and_restore.md"],
    ),
    (
        "harbor high availability deployment",
        &["docs/03-container/components/container-registry/docs/ha-deployment.md"],
    ),
    (
        "harbor rate limit",
        &["docs/03-container/components/container-registry/docs/rate_limit.md"],
    ),
    (
        "install csctl",
        &[
            "docs/03-container/components/cluster-stacks/components/csctl/getting_started.md",
            "docs/03-container/components/cluster-stacks/components/csctl/quickstart.md",
        ],
    ),
    ("kubernetes version policy", &["standards/scs-0210-v*"]),
    ("kaas default storage class", &["standards/scs-0211-v*"]),
    (
        "entropy in virtual machines",
        &["standards/scs-0101-v1-entropy.md"],
    ),
    ("image metadata properties", &["standards/scs-0102-v*"]),
    ("standard images", &["standards/scs-0104-v*"]),
    (
        "availability zones",
        &["standards/scs-0121-v1-Availability-Zones-Standard.md"],
    ),
    (
        "key manager barbican",
        &["standards/scs-0116-v1-key-manager-standard.md"],
    ),
    (
        "ceilometer polling configuration",
        &["docs/04-operating-scs/07-metering/meter_configuration.md"],
    ),
    (
        "gnocchi metering database",
        &["standards/scs-0410-v1-gnocchi-as-metering-database.md"],
    ),
    (
        "status page on k3s",
        &["docs/04-operating-scs/components/status-page-deployment/docs/k3s.md"],
    ),
    (
        "alertmanager notifications matrix",
        &["docs/04-operating-scs/components/monitoring/docs/alertmanager.md"],
    ),
    (
        "keystone openid connect federation keycloak",
        &["contributor-docs/operations/iam/openstack-federation-via-oidc.md"],
    ),
    (
        "pre installation checklist",
        &["docs/01-getting-started/preinstall-checklist.md"],
    ),
    (
        "diskless flavors",
        &["user-docs/usage-hints/diskless-flavor/index.md"],
    ),
    (
        "find provider managed images",
        &["user-docs/usage-hints/find-image/index.md"],
    ),
    (
        "node to node encryption",
        &["standards/scs-0122-v1-node-to-node-encryption.md"],
    ),
    ("dns standard", &["standards/scs-0127-v1-dns.md"]),
    (
        "time synchronization ntp",
        &["standards/scs-0129-v1-time-sync-decisions.md"],
    ),
    (
        "cluster stack operator troubleshooting",
        &[
            "docs/03-container/components/cluster-stacks/components/cluster-stack-operator/topics/troubleshoot.md",
        ],
    ),
    (
        "cluster stack upgrade flow",
        &[
            "docs/03-container/components/cluster-stacks/components/cluster-stack-operator/topics/upgrade-flow.md",
        ],
    ),
    (
        "sonobuoy conformance tests",
        &["standards/scs-0200-v1-using-sonobuoy-for-kaas-conformance-tests.md"],
    ),
    (
        "pentesting reports",
        &["docs/04-operating-scs/components/automated-pentesting-iaas/reports.md"],
    ),
    ("mandatory iaas services", &["standards/scs-0123-v*"]),
    (
        "certificate scopes and versions",
        &[
            "standards/certification/scopes-versions.md",
            "standards/scs-0500-v1-scopes.md",
        ],
    ),
    (
        "compliance check pipeline",
        &["standards/certification/pipeline.md"],
    ),
    (
        "zuul users guide",
        &["contributor-docs/operations/operations/zuul-ci-cd-quickstart-user-guide.md"],
    ),
    (
        "provider network",
        &["standards/scs-0126-v1-provider-networks.md"],
    ),
    (
        "failsafe levels",
        &["standards/scs-0118-v1-taxonomy-of-failsafe-levels.md"],
    ),
    (
        "replace ceph-ansible with rook",
        &["standards/scs-0119-v1-rook-decision.md"],
    ),
    (
        "kubernetes cluster hardening",
        &["standards/scs-0217-v1-cluster-hardening.md"],
    ),
    ("iaas roles", &["docs/05-iam/iaas-roles.md"]),
    (
        "markdown linting",
        &["community/contribute/linting-guide.md"],
    ),
    (
        "developer certificate of origin sign off",
        &["community/tools/github/dco-and-licenses.md"],
    ),
    (
        "grafana oauth",
        &["docs/04-operating-scs/components/monitoring/docs/oauth.md"],
    ),
    (
        "which cinder volume types must exist encryption replication",
        &["standards/scs-0114-v1-volume-type-standard.md"],
    ),
    (
        "tls for internal api communication",
        &["standards/scs-0125-v1-secure-connections.md"],
    ),
    (
        "how do I upgrade harbor",
        &["docs/03-container/components/container-registry/docs/upgrade.md"],
    ),
    (
        "harbor persistent storage",
        &["docs/03-container/components/container-registry/docs/persistence.md"],
    ),
    (
        "privilege escalation ec2 credentials",
        &["blog/2026-04-08-cve-2026-33551.md"],
    ),
    (
        "nova scheduler hints vulnerability",
        &["blog/2026-06-16-cve-2026-46448.md"],
    ),
    (
        "kernel local root exploit",
        &["blog/2026-05-10-kernel-root-exploits.md"],
    ),
    (
        "import users into opendesk",
        &["user-docs/application-examples/opendesk-on-scs/user-import.md"],
    ),
    (
        "scs-0100",
        &["standards/scs-0100-*", "standards/iaas/scs-0100.md"],
    ),
    (
        "what happens when an availability zone fails",
        &[
            "standards/scs-0118-v1-taxonomy-of-failsafe-levels.md",
            "standards/scs-0118-w1-example-impacts-of-failure-scenarios.md",
            "standards/scs-0121-v1-Availability-Zones-Standard.md",
        ],
    ),
    (
        "spread control plane nodes across failure zones",
        &["standards/scs-0214-v*"],
    ),
    (
        "kaas network policies cni",
        &["standards/scs-0219-v1-kaas-networking.md"],
    ),
    (
        "status page admin login",
        &["docs/04-operating-scs/components/status-page-deployment/docs/admin-authentication.md"],
    ),
    (
        "how many vcpus has SCS-2V-4",
        &[
            "standards/scs-0103-v1-standard-flavors.md",
            "standards/scs-0100-v*",
        ],
    ),
    (
        "rotate application credentials",
        &[
            "blog/2026-04-08-cve-2026-33551.md",
            "blog/2026-01-23-cve-2026-22797.md",
        ],
    ),
];

fn answers(path: &str, expected: &[&str]) -> bool {
    expected.iter().any(|e| match e.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => path == *e,
    })
}

#[test]
#[ignore = "needs the SCS corpus: set KEN_SCS_CORPUS (run by .ci/run)"]
fn operator_questions_are_answered_in_the_top_three() {
    let corpus = std::env::var("KEN_SCS_CORPUS")
        .expect("KEN_SCS_CORPUS must name the SCS corpus folder (../shared/corpus/scs)");
    assert!(
        std::path::Path::new(&corpus).is_dir(),
        "KEN_SCS_CORPUS={corpus} is not a folder"
    );
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let inputs = Inputs {
        source_flags: vec![format!("scs={corpus}")],
        env_data_dir: Some(data.clone()),
        env_config_dir: Some(tmp.path().join("config")),
        ..Default::default()
    };
    let base = Base::open(Config::load(&inputs).unwrap());
    let report = index::update(&base, &mut |_| {}, &mut |_| {}).unwrap();
    assert!(report.indexed > 300, "{report:?}");
    let ix = SearchIndex::open(&data).unwrap();
    assert!(QUESTIONS.len() >= 30);

    let mut top3 = 0;
    let mut rr = 0.0;
    let opts = SearchOptions {
        limit: 10,
        ..SearchOptions::default()
    };
    for (q, expected) in QUESTIONS {
        let r = ix.search(q, &opts).unwrap();
        let rank = r
            .pages
            .iter()
            .position(|p| answers(&p.path, expected))
            .map(|i| i + 1);
        if let Some(k) = rank {
            rr += 1.0 / k as f64;
            if k <= 3 {
                top3 += 1;
            }
        }
        let shown = rank.map_or("-".to_string(), |k| k.to_string());
        println!("{shown:>3}  {q}");
        if rank.is_none_or(|k| k > 3) {
            for p in r.pages.iter().take(3) {
                println!("       got {}", p.path);
            }
        }
    }
    let n = QUESTIONS.len() as f64;
    let share = top3 as f64 / n;
    println!(
        "questions: {}  top 3: {top3} ({:.1}%)  MRR: {:.3}",
        QUESTIONS.len(),
        share * 100.0,
        rr / n
    );
    assert!(share >= 0.9, "top-3 share {share:.3} is under 0.9");
}
