//! `blastwall new-rule`: the files of a new rule — its module with full metadata,
//! a Rego unit test, and a fixture suite with a bad and a good manifest — that pass
//! `blastwall test` as written and are meant to be edited from there.

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScaffoldError {
    #[error("`{0}` is not a valid rule id: use kebab-case, starting with a letter (lowercase letters, digits and single `-`), e.g. `require-team-label`")]
    InvalidId(String),
    #[error("`{0}` is not a valid category: use kebab-case, e.g. `team` or `workload`")]
    InvalidCategory(String),
    #[error("`{0}` is not a severity: use error, warning or info")]
    InvalidSeverity(String),
    #[error("rule id `{id}` is already taken by {source_name}")]
    Taken { id: String, source_name: String },
    #[error("{} already exists; nothing was written", .0.display())]
    Exists(PathBuf),
}

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: String,
    pub dir: PathBuf,
    pub category: String,
    pub severity: String,
}

fn kebab(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks the request against `taken` (the ids of the rules it must not clash with,
/// and where each is defined) and returns the files to write, none of which exists.
pub fn plan(
    req: &Request,
    taken: &[(String, String)],
) -> Result<Vec<(PathBuf, String)>, ScaffoldError> {
    if !kebab(&req.id) {
        return Err(ScaffoldError::InvalidId(req.id.clone()));
    }
    if !kebab(&req.category) {
        return Err(ScaffoldError::InvalidCategory(req.category.clone()));
    }
    if !["error", "warning", "info"].contains(&req.severity.as_str()) {
        return Err(ScaffoldError::InvalidSeverity(req.severity.clone()));
    }
    if let Some((_, source)) = taken.iter().find(|(id, _)| *id == req.id) {
        return Err(ScaffoldError::Taken {
            id: req.id.clone(),
            source_name: source.clone(),
        });
    }
    let package = req.id.replace('-', "_");
    let dir = req.dir.join(&req.category);
    let files = vec![
        (dir.join(format!("{package}.rego")), rule(req, &package)),
        (dir.join(format!("{package}_test.rego")), test(&package)),
        (dir.join(format!("{package}.cases.yaml")), suite(req)),
        (
            dir.join("cases").join(format!("{}-bad.yaml", req.id)),
            BAD.to_string(),
        ),
        (
            dir.join("cases").join(format!("{}-good.yaml", req.id)),
            GOOD.to_string(),
        ),
    ];
    if let Some((path, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(ScaffoldError::Exists(path.clone()));
    }
    Ok(files)
}

/// Writes `files`, never replacing one (a file created meanwhile is an error).
pub fn write(files: &[(PathBuf, String)]) -> std::io::Result<()> {
    use std::io::Write;
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        file.write_all(text.as_bytes())?;
    }
    Ok(())
}

const BAD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: api
          image: registry.example.com/shop/api:1.4.2
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 500m, memory: 256Mi}
";

const GOOD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app: api
    team: checkout
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: api
          image: registry.example.com/shop/api:1.4.2
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 500m, memory: 256Mi}
";

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn rule(req: &Request, package: &str) -> String {
    format!(
        r#"# {id}: as scaffolded by `blastwall new-rule`, it flags a Deployment without a
# `team` label. Change the metadata and the `deny` rule to check what you need, then
# the unit tests ({package}_test.rego) and the fixture cases ({package}.cases.yaml),
# and run `blastwall test <rule dir>`.
package blastwall.rules.{package}

metadata := {{
	"id": "{id}",
	"title": "Deployment without a team label",
	"severity": "{severity}",
	"category": "{category}",
	# Where the rule applies, decided before any Rego runs (README, "Writing rules").
	"match": {{"kinds": [{{"apiGroups": ["apps"], "kinds": ["Deployment"]}}], "operations": ["CREATE", "UPDATE"]}},
	"description": "Flags a Deployment whose metadata has no `team` label. Without it, nobody is on record to call when the workload misbehaves.",
	"remediation": "Add a `team` label to the Deployment's metadata, naming the team that owns it.",
	"example": {{
		"bad": `{bad}`,
		"good": `{good}`,
	}},
}}

# Each finding: a message, and the path of the field it is about (blastwall turns it
# into the file's line and column).
deny contains {{"msg": msg, "path": ["metadata"]}} if {{
	object := input.review.object
	object.kind == "Deployment"
	not object.metadata.labels.team
	msg := sprintf("Deployment %s has no `team` label: nobody is on record as its owner", [object.metadata.name])
}}

# Rules about pods read the facts blastwall computes before rules run (docs/facts.md):
# every container of any workload, with its path, a label for messages, its effective
# securityContext, its resource limits and its image in parts. For example:
#
# deny contains {{"msg": msg, "path": c.path}} if {{
# 	some c in input.facts.workload.containers
# 	c.image.registry == ""
# 	msg := sprintf("%s pulls %s from Docker Hub", [c.label, c.image.reference])
# }}
"#,
        id = req.id,
        severity = req.severity,
        category = req.category,
        bad = indent(BAD),
        good = indent(GOOD),
    )
}

fn test(package: &str) -> String {
    format!(
        r#"# Rego unit tests of {package}.rego: every `test_*` rule must be true.
package blastwall.rules.{package}_test

import data.blastwall.rules.{package} as rule

review(labels) := {{"review": {{
	"operation": "CREATE",
	"object": {{
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {{"name": "api", "namespace": "shop", "labels": labels}},
	}},
}}}}

test_a_deployment_without_a_team_label_is_reported if {{
	findings := rule.deny with input as review({{"app": "api"}})
	count(findings) == 1
	some finding in findings
	finding.path == ["metadata"]
}}

test_a_deployment_with_a_team_label_is_fine if {{
	count(rule.deny) == 0 with input as review({{"app": "api", "team": "checkout"}})
}}

test_silent_on_delete if {{
	count(rule.deny) == 0 with input as {{"review": {{"operation": "DELETE", "object": null}}}}
}}
"#
    )
}

fn suite(req: &Request) -> String {
    let id = &req.id;
    format!(
        r#"# Fixture cases of {id}: inputs and the findings they must (expect) and must not
# (absent) yield. Paths are relative to this file; `blastwall test` runs them.
examples: true   # also a case for the bad and the good example of its metadata

cases:
  - name: a Deployment without a team label is reported
    file: cases/{id}-bad.yaml
    expect:
      - {{rule: {id}, line: 3, message: "has no `team` label"}}

  - name: a Deployment with a team label is not
    file: cases/{id}-good.yaml
    absent: [{id}]
"#
    )
}

/// Where the scaffold of `req` puts its rule module (for messages).
pub fn rule_path(req: &Request) -> PathBuf {
    Path::new(&req.dir)
        .join(&req.category)
        .join(format!("{}.rego", req.id.replace('-', "_")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(id: &str) -> Request {
        Request {
            id: id.into(),
            dir: PathBuf::from("/nonexistent-blastwall-dir"),
            category: "team".into(),
            severity: "error".into(),
        }
    }

    #[test]
    fn ids_must_be_kebab_case_and_start_with_a_letter() {
        for bad in [
            "Foo", "foo_bar", "-foo", "foo-", "1foo", "foo--bar", "", "foo bar",
        ] {
            assert_eq!(
                plan(&req(bad), &[]).unwrap_err(),
                ScaffoldError::InvalidId(bad.into())
            );
        }
        assert_eq!(plan(&req("require-team-label2"), &[]).unwrap().len(), 5);
    }

    #[test]
    fn an_id_taken_by_another_rule_is_refused() {
        let taken = [(
            "host-port".to_string(),
            "builtin:rules/workload/host_port.rego".to_string(),
        )];
        assert!(matches!(
            plan(&req("host-port"), &taken),
            Err(ScaffoldError::Taken { .. })
        ));
    }
}
