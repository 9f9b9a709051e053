//! `-f policyreport`: the findings as `wgpolicyk8s.io/v1alpha2` PolicyReports, one
//! per audited namespace, and a ClusterPolicyReport for cluster-scoped objects, in
//! the shape Kyverno, Trivy Operator and Policy Reporter use; one `v1` `List`,
//! ready for `kubectl apply -f`.
//!
//! - Every audited namespace gets its report, empty when nothing was found, so that
//!   applying a new audit clears what has been fixed.
//! - Each finding is one result: `policy` and `rule` are the rule id, `result` is
//!   `fail` (error), `warn` (warning, info) or `skip` (accepted by an exemption),
//!   `severity` `high`, `medium` or `info`; `properties` hold the JSON path into the
//!   object, its cluster location and, for a skip, the exemption.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use crate::finding::{Finding, RuleMeta, Severity};
use crate::source::display_path;

use super::Outcome;

/// The name of every report blastwall writes.
pub const REPORT_NAME: &str = "blastwall";
/// The label that marks them.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "blastwall");

/// The reports of `outcome`, as one `List`. `seconds`: the audit's time (Unix).
pub fn reports(outcome: &Outcome, rules: &[RuleMeta], seconds: i64) -> Value {
    let mut by_namespace: BTreeMap<String, Vec<Value>> = outcome
        .namespaces
        .iter()
        .map(|ns| (ns.clone(), Vec::new()))
        .collect();
    let mut cluster = Vec::new();
    for f in &outcome.findings {
        let result = result(outcome, rules, f, seconds);
        if f.object.namespace.is_empty() {
            // A finding with no object of the cluster (about the config itself) has
            // no report to go in.
            if f.object.kind.is_empty() {
                continue;
            }
            cluster.push(result);
        } else {
            by_namespace
                .entry(f.object.namespace.clone())
                .or_default()
                .push(result);
        }
    }
    let mut items: Vec<Value> = by_namespace
        .into_iter()
        .map(|(ns, results)| report("PolicyReport", Some(&ns), results))
        .collect();
    if outcome.cluster_scoped {
        items.push(report("ClusterPolicyReport", None, cluster));
    }
    json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items})
}

/// Writes [`reports`] as JSON.
pub fn write(
    outcome: &Outcome,
    rules: &[RuleMeta],
    seconds: i64,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &reports(outcome, rules, seconds))?;
    writeln!(out)
}

fn report(kind: &str, namespace: Option<&str>, results: Vec<Value>) -> Value {
    let mut summary: BTreeMap<&str, usize> = ["pass", "fail", "warn", "error", "skip"]
        .map(|k| (k, 0))
        .into();
    for r in &results {
        if let Some(n) = r["result"].as_str().and_then(|k| summary.get_mut(k)) {
            *n += 1;
        }
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), REPORT_NAME.into());
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), ns.into());
    }
    metadata.insert("labels".into(), json!({MANAGED_BY.0: MANAGED_BY.1}));
    json!({
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": kind,
        "metadata": metadata,
        "summary": summary,
        "results": results,
    })
}

fn result(outcome: &Outcome, rules: &[RuleMeta], f: &Finding, seconds: i64) -> Value {
    let meta = rules.iter().find(|r| r.id == f.rule);
    let (result, severity) = match (&f.suppression, f.severity) {
        (Some(_), _) => ("skip", severity(f.severity)),
        (None, Severity::Error) => ("fail", severity(f.severity)),
        (None, s) => ("warn", severity(s)),
    };
    let file = f.file.map(|id| id.0);
    let mut properties = Map::new();
    properties.insert("path".into(), display_path(&f.path).into());
    if let Some(name) = file.and_then(|i| outcome.files.get(i)).map(|s| &s.name) {
        properties.insert("location".into(), name.clone().into());
    }
    if let Some(s) = &f.suppression {
        let text = serde_json::to_value(s)
            .ok()
            .and_then(|v| v["reason"].as_str().map(String::from))
            .unwrap_or_default();
        properties.insert("exemption".into(), text.into());
    }
    let mut resource = Map::new();
    resource.insert("apiVersion".into(), f.object.api_version.clone().into());
    resource.insert("kind".into(), f.object.kind.clone().into());
    resource.insert("name".into(), f.object.name.clone().into());
    if !f.object.namespace.is_empty() {
        resource.insert("namespace".into(), f.object.namespace.clone().into());
    }
    if let Some(uid) = file
        .and_then(|i| outcome.uids.get(i))
        .filter(|u| !u.is_empty())
    {
        resource.insert("uid".into(), uid.clone().into());
    }
    json!({
        "policy": f.rule,
        "rule": f.rule,
        "category": meta.map(|m| m.category.as_str()).unwrap_or_default(),
        "message": f.message,
        "result": result,
        "severity": severity,
        "scored": true,
        "source": "blastwall",
        "timestamp": {"seconds": seconds, "nanos": 0},
        "resources": [resource],
        "properties": properties,
    })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "high",
        Severity::Warning => "medium",
        Severity::Info => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::ObjectRef;
    use crate::source::{FileId, PathSeg, SourceFile};

    fn finding(ns: &str, rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: format!("{rule} here"),
            object: ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: ns.into(),
                name: "api".into(),
            },
            path: vec![PathSeg::Key("spec".into())],
            file: Some(FileId(0)),
            span: None,
            related: vec![],
            suppression: None,
            pre_existing: false,
        }
    }

    #[test]
    fn one_report_per_namespace_empty_ones_included() {
        let outcome = Outcome {
            context: "prod".into(),
            files: vec![SourceFile::new(
                "prod/payroll/Deployment/api".into(),
                None,
                "{}".into(),
            )],
            uids: vec!["u-1".into()],
            findings: vec![
                finding("payroll", "privileged-container", Severity::Error),
                finding("payroll", "latest-image-tag", Severity::Warning),
            ],
            namespaces: vec!["billing".into(), "payroll".into()],
            cluster_scoped: true,
            ..Outcome::default()
        };
        let list = reports(&outcome, &[], 1_800_000_000);
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["metadata"]["namespace"], "billing");
        assert_eq!(items[0]["results"], json!([]));
        assert_eq!(items[1]["kind"], "PolicyReport");
        assert_eq!(items[1]["summary"]["fail"], 1);
        assert_eq!(items[1]["summary"]["warn"], 1);
        let r = &items[1]["results"][0];
        assert_eq!(r["policy"], "privileged-container");
        assert_eq!(r["severity"], "high");
        assert_eq!(r["resources"][0]["uid"], "u-1");
        assert_eq!(r["properties"]["path"], "spec");
        assert_eq!(r["properties"]["location"], "prod/payroll/Deployment/api");
        assert_eq!(items[2]["kind"], "ClusterPolicyReport");
        assert_eq!(items[2]["metadata"].get("namespace"), None);
    }
}
