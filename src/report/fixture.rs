//! A small run built by hand for the reporter tests: real YAML, findings on real
//! spans, a related location, a line with multi-byte characters before the span,
//! a finding with no source, and two inputs that could not be read.

use crate::finding::{Finding, ObjectRef, Related, RuleExample, RuleMeta, Severity};
use crate::source::{ByteRange, FileId, PathSeg, Problem, SourceFile};

use super::{Format, Report};

pub const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payroll
spec:
  template:
    spec:
      containers:
        - name: app
          image: "registry.example.com/api:1.2"
          securityContext:
            privileged: true
        - name: sidecar
          image: busybox
"#;

pub const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: payroll
data:
  mode: "a"
  mode: "b"
  "grüße": hunter2
"#;

pub const BROKEN: &str = "apiVersion: v1\nkind: [\n";

pub struct Fixture {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub rules: Vec<RuleMeta>,
    /// The Deployment in file 0 and the ConfigMap in file 1.
    pub kinds: Vec<(FileId, String)>,
}

impl Fixture {
    pub fn report(&self) -> Report<'_> {
        Report {
            files: &self.files,
            findings: &self.findings,
            problems: &self.problems,
            rules: &self.rules,
            documents: 2,
            kinds: &self.kinds,
            color: false,
            tolerated: &crate::report::none_tolerated,
        }
    }

    pub fn render(&self, format: Format) -> String {
        render(&self.report(), format)
    }
}

pub fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    super::write(report, format, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// The bytes of the `nth` (0-based) occurrence of `needle` in `text`.
pub fn span_of(text: &str, needle: &str, nth: usize) -> ByteRange {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the fixture"))
        .0;
    start..start + needle.len()
}

pub fn path(segs: &[&str]) -> Vec<PathSeg> {
    segs.iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Key((*s).into()),
        })
        .collect()
}

pub fn rule(id: &str, severity: Severity, category: &str) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: format!("{id} title"),
        severity,
        category: category.into(),
        description: format!("What {id} checks. Why it matters."),
        remediation: format!("How to fix {id}."),
        example: None,
        source: format!("builtin:rules/{category}/{}.rego", id.replace('-', "_")),
        exemptible: false,
        params: None,
        kinds: None,
        checks_pods: false,
    }
}

pub fn object(api_version: &str, kind: &str, namespace: &str, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
    }
}

pub fn fixture() -> Fixture {
    let files = vec![
        SourceFile::new(
            "deploy/api.yaml".into(),
            Some("deploy/api.yaml".into()),
            DEPLOYMENT.into(),
        ),
        SourceFile::new(
            "./deploy/settings.yaml".into(),
            Some("./deploy/settings.yaml".into()),
            CONFIGMAP.into(),
        ),
        SourceFile::new(
            "deploy/broken.yaml".into(),
            Some("deploy/broken.yaml".into()),
            BROKEN.into(),
        ),
    ];

    let mut privileged = rule("privileged-container", Severity::Error, "workload");
    privileged.title = "Container runs privileged".into();
    privileged.remediation =
        "Remove `privileged: true`; grant only the capabilities the container needs.".into();
    privileged.example = Some(RuleExample {
        bad: "privileged: true\n".into(),
        good: "privileged: false\n".into(),
    });
    privileged.kinds = Some(vec!["Pod".into(), "Deployment".into()]);
    let mut tag = rule("image-tag-unpinned", Severity::Warning, "supply-chain");
    tag.title = "Image is not pinned".into();
    let mut duplicate = rule("yaml-duplicate-key", Severity::Warning, "yaml");
    duplicate.title = "Duplicate mapping key".into();
    let mut secret = rule("secret-in-configmap", Severity::Info, "data");
    secret.title = "ConfigMap value looks like a secret".into();
    secret.kinds = Some(vec!["ConfigMap".into()]);
    let rules = vec![privileged, tag, duplicate, secret];

    let deployment = object("apps/v1", "Deployment", "payroll", "api");
    let configmap = object("v1", "ConfigMap", "payroll", "settings");
    let findings = vec![
        Finding {
            rule: "privileged-container".into(),
            severity: Severity::Error,
            message: "container \"app\" runs privileged".into(),
            object: deployment.clone(),
            path: path(&[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "securityContext",
                "privileged",
            ]),
            file: Some(FileId(0)),
            span: Some(span_of(DEPLOYMENT, "true", 0)),
            related: vec![],
            suppression: None,
            pre_existing: false,
        },
        Finding {
            rule: "image-tag-unpinned".into(),
            severity: Severity::Warning,
            message: "image \"busybox\" has no tag & no digest: use <name>@sha256:...".into(),
            object: deployment,
            path: path(&["spec", "template", "spec", "containers", "1", "image"]),
            file: Some(FileId(0)),
            span: Some(span_of(DEPLOYMENT, "busybox", 0)),
            related: vec![],
            suppression: None,
            pre_existing: false,
        },
        Finding {
            rule: "yaml-duplicate-key".into(),
            severity: Severity::Warning,
            message: "key \"mode\" is defined twice; Kubernetes keeps the last one".into(),
            object: configmap.clone(),
            path: path(&["data", "mode"]),
            file: Some(FileId(1)),
            span: Some(span_of(CONFIGMAP, "mode", 1)),
            related: vec![Related {
                path: path(&["data", "mode"]),
                span: Some(span_of(CONFIGMAP, "mode", 0)),
                message: "first defined here".into(),
            }],
            suppression: None,
            pre_existing: false,
        },
        Finding {
            rule: "secret-in-configmap".into(),
            severity: Severity::Info,
            message: "value of \"grüße\" looks like a password".into(),
            object: configmap,
            path: path(&["data", "grüße"]),
            file: Some(FileId(1)),
            span: Some(span_of(CONFIGMAP, "hunter2", 0)),
            related: vec![],
            suppression: None,
            pre_existing: false,
        },
        Finding {
            rule: "privileged-container".into(),
            severity: Severity::Error,
            message: "container \"debug\" runs privileged".into(),
            object: object("v1", "Pod", "payroll", "debug"),
            path: path(&["spec", "containers", "0", "securityContext", "privileged"]),
            file: None,
            span: None,
            related: vec![],
            suppression: None,
            pre_existing: false,
        },
    ];

    let problems = vec![
        Problem {
            file: Some(FileId(2)),
            span: Some(span_of(BROKEN, "[", 0)),
            message: "flow sequence is not closed".into(),
        },
        Problem {
            file: None,
            span: None,
            message: "deploy/missing.yaml: cannot read: No such file or directory".into(),
        },
    ];

    Fixture {
        files,
        findings,
        problems,
        rules,
        kinds: vec![
            (FileId(0), "Deployment".into()),
            (FileId(1), "ConfigMap".into()),
        ],
    }
}
