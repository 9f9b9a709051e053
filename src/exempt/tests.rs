use super::*;
use crate::engine::RuleHit;

fn config(exemptions: &str) -> Config {
    crate::config::parse(
        "c.yaml",
        format!("apiVersion: blastwall.dev/v1alpha1\nkind: Config\nexemptions:\n{exemptions}"),
    )
    .unwrap()
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn subject(namespace: &str, name: &str) -> Subject {
    Subject {
        namespace: namespace.into(),
        kind: "DaemonSet".into(),
        name: name.into(),
        labels: Default::default(),
    }
}

fn hit(rule: &str) -> RuleHit {
    RuleHit {
        rule: rule.into(),
        severity: Severity::Error,
        message: "m".into(),
        path: vec![],
        related: vec![],
        at_key: false,
    }
}

const TWO: &str = "  - {rule: host-path-volume, namespace: monitoring, reason: old, owner: sre, expires: 2024-03-31}\n  - {rule: [host-path-volume, host-namespaces], namespace: monitoring, name: node-exporter, reason: reads /proc, owner: sre, expires: 2027-03-31}\n";

#[test]
fn an_exemption_holds_through_its_last_day() {
    let ex = Exemptions::from_config(&config(TWO), Clock::System);
    let s = subject("monitoring", "node-exporter");
    assert!(matches!(
        ex.lookup("host-path-volume", &s, &date("2027-03-31")),
        Lookup::Live(1, _)
    ));
    assert!(matches!(
        ex.lookup("host-path-volume", &s, &date("2027-04-01")),
        Lookup::Expired(0, _)
    ));
    // The older entry still covers it on its own last day, and it comes first.
    assert!(matches!(
        ex.lookup("host-path-volume", &s, &date("2024-03-31")),
        Lookup::Live(0, _)
    ));
    assert!(matches!(
        ex.lookup("host-namespaces", &s, &date("2027-03-31")),
        Lookup::Live(1, _)
    ));
    assert!(matches!(
        ex.lookup("privileged-container", &s, &date("2025-01-01")),
        Lookup::None
    ));
    assert!(matches!(
        ex.lookup(
            "host-namespaces",
            &subject("payroll", "node-exporter"),
            &date("2025-01-01")
        ),
        Lookup::None
    ));
    assert_eq!(ex.expired(&date("2025-01-01")), [0]);
    assert_eq!(ex.expired(&date("2028-01-01")), [0, 1]);
}

#[test]
fn split_sorts_admission_hits_and_names_expired_exemptions() {
    let ex = Exemptions::from_config(&config(TWO), Clock::Fixed(date("2025-06-01")));
    let hits = vec![
        hit("host-path-volume"),
        hit("host-namespaces"),
        hit("privileged-container"),
    ];
    let split = ex.split(
        hits.clone(),
        |h| h.rule.as_str(),
        &subject("monitoring", "node-exporter"),
    );
    assert_eq!(
        split
            .suppressed
            .iter()
            .map(|(h, _)| h.rule.as_str())
            .collect::<Vec<_>>(),
        ["host-path-volume", "host-namespaces"]
    );
    assert_eq!(split.suppressed[0].1.reason, "reads /proc");
    assert_eq!(split.suppressed[0].1.expires.as_deref(), Some("2027-03-31"));
    assert_eq!(split.kept, [hit("privileged-container")]);
    assert!(split.expired.is_empty());

    // Another DaemonSet in monitoring: only the expired, namespace-wide entry covers it.
    let split = ex.split(
        hits,
        |h| h.rule.as_str(),
        &subject("monitoring", "fluent-bit"),
    );
    assert!(split.suppressed.is_empty());
    assert_eq!(split.kept.len(), 3);
    assert_eq!(split.expired, [0]);
    assert_eq!(
        ex.describe(0),
        "exemptions[0] (host-path-volume; namespace monitoring) expires 2024-03-31"
    );
}

#[test]
fn the_clock_reads_the_environment_variable_format() {
    assert_eq!(Clock::Fixed(date("2026-01-02")).today(), date("2026-01-02"));
    let today = Clock::System.today();
    assert!(today > date("2025-01-01"), "{today}");
}
