//! Enforcement and exemptions through the `blastwall` binary: per-rule CI
//! enforcement, rule params, config exemptions (valid, expired, unused), inline
//! exemptions (honoured, refused), unknown rule ids in the config, and how suppressed
//! findings show in every format. "Today" is fixed with BLASTWALL_TODAY.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

const HEAD: &str = "apiVersion: blastwall.dev/v1alpha1\nkind: Config\n";
/// Ends every config: the test namespaces and registries belong to the platform, so
/// the tenancy rules have nothing to say about them.
const TAIL: &str =
    "sharedNamespaces: [monitoring, x]\nsharedRegistries: [registry.example.com, docker.io]\n";

/// A DaemonSet with a privileged container, a hostPath volume and hostPID, in
/// `monitoring`; `annotation` becomes its `blastwall.dev/exempt` annotation.
fn agent(annotation: Option<&str>) -> String {
    let annotations = match annotation {
        Some(text) => format!(
            "  annotations:\n    blastwall.dev/exempt: {}\n",
            serde_json::to_string(text).unwrap()
        ),
        None => String::new(),
    };
    format!(
        "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: monitoring
  labels: {{app: node-agent, tier: system}}
{annotations}spec:
  template:
    spec:
      hostPID: true
      securityContext: {{runAsNonRoot: true}}
      containers:
        - name: agent
          image: registry.example.com/agent:1.4.2
          securityContext: {{privileged: true, allowPrivilegeEscalation: false}}
          resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}
          volumeMounts: [{{name: proc, mountPath: /host/proc}}]
      volumes:
        - name: proc
          hostPath: {{path: /proc}}
"
    )
}

/// What one `blastwall lint` run printed and returned.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// Runs `blastwall lint <args> manifest.yaml` in a directory holding `config` as
/// `.blastwall.yaml` (when given) and `manifest` as `manifest.yaml`.
fn lint(config: Option<&str>, manifest: &str, today: &str, args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    if let Some(config) = config {
        let text = format!("{HEAD}{config}{TAIL}");
        std::fs::write(dir.path().join(".blastwall.yaml"), text).unwrap();
    }
    std::fs::write(dir.path().join("manifest.yaml"), manifest).unwrap();
    run_in(dir.path(), today, args)
}

fn run_in(dir: &Path, today: &str, args: &[&str]) -> Out {
    let out = Command::cargo_bin("blastwall")
        .unwrap()
        .current_dir(dir)
        .env("BLASTWALL_TODAY", today)
        .env("NO_COLOR", "1")
        .arg("lint")
        .args(args)
        .arg("manifest.yaml")
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `rule@file:line:col` of every finding that counts, and the same of suppressed
/// ones with their suppression kind.
fn summary(report: &Value) -> (Vec<String>, Vec<String>) {
    let mut active = Vec::new();
    let mut suppressed = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        let at = format!(
            "{}@{}:{}:{}",
            f["rule"].as_str().unwrap(),
            f["file"].as_str().unwrap_or("-"),
            f["line"],
            f["column"]
        );
        match f.get("suppression") {
            Some(s) => suppressed.push(format!("{at} {}", s["kind"].as_str().unwrap())),
            None => active.push(at),
        }
    }
    (active, suppressed)
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {report:#}"))
}

const EXEMPT_AGENT: &str = "exemptions:
  - rule: [privileged-container, host-path-volume, host-namespaces]
    namespace: monitoring
    kind: DaemonSet
    selector: {matchLabels: {app: node-agent}}
    reason: node agent reads /proc and needs the host PID namespace
    owner: sre
    expires: 2027-03-31
";

#[test]
fn a_config_exemption_suppresses_until_its_last_day_and_then_is_reported_expired() {
    let manifest = agent(None);
    let out = lint(None, &manifest, "2027-03-31", &["-f", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);

    let out = lint(Some(EXEMPT_AGENT), &manifest, "2027-03-31", &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    let (active, suppressed) = summary(&report);
    assert_eq!(active, Vec::<String>::new(), "{report:#}");
    assert_eq!(
        suppressed,
        [
            "host-namespaces@manifest.yaml:10:16 config",
            "privileged-container@manifest.yaml:15:41 config",
            "host-path-volume@manifest.yaml:20:11 config",
        ]
    );
    assert_eq!(
        finding(&report, "privileged-container")["suppression"],
        json!({"kind": "config", "reason": "node agent reads /proc and needs the host PID namespace",
               "owner": "sre", "expires": "2027-03-31"})
    );
    assert_eq!(report["summary"]["suppressed"], 3);

    // The day after, the findings count again and the exemption is itself reported,
    // at its place in the config file.
    let out = lint(Some(EXEMPT_AGENT), &manifest, "2027-04-01", &["-f", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = out.json();
    let (active, suppressed) = summary(&report);
    assert!(suppressed.is_empty(), "{suppressed:?}");
    assert_eq!(
        active,
        [
            "host-namespaces@manifest.yaml:10:16",
            "privileged-container@manifest.yaml:15:41",
            "host-path-volume@manifest.yaml:20:11",
            "exemption-expired@.blastwall.yaml:4:5",
        ]
    );
    let expired = finding(&report, "exemption-expired");
    assert_eq!(expired["severity"], "warning");
    assert_eq!(
        expired["message"],
        "exemption of privileged-container, host-path-volume, host-namespaces (namespace monitoring, kind DaemonSet, labels app=node-agent) expired on 2027-03-31 (owner: sre); 3 findings in this run are no longer exempted"
    );
}

#[test]
fn an_exemption_that_matches_nothing_is_reported_unused() {
    // The selector names another app: nothing matches, the findings count.
    let config = EXEMPT_AGENT.replace("app: node-agent", "app: node-exporter");
    let out = lint(Some(&config), &agent(None), "2026-01-01", &["-f", "json"]);
    assert_eq!(out.code, 1);
    let report = out.json();
    let unused = finding(&report, "exemption-unused");
    assert_eq!(unused["file"], ".blastwall.yaml");
    assert_eq!((&unused["line"], &unused["column"]), (&json!(4), &json!(5)));
    assert_eq!(unused["severity"], "warning");
    assert!(unused["message"]
        .as_str()
        .unwrap()
        .contains("matches no finding in this run (owner: sre)"));

    // A warning: it fails the run only at that threshold.
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: monitoring}\n";
    let out = lint(Some(&config), clean, "2026-01-01", &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("warning[exemption-unused]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("--> .blastwall.yaml:4:5"),
        "{}",
        out.stdout
    );
    let out = lint(
        Some(&config),
        clean,
        "2026-01-01",
        &["--severity-threshold", "warning"],
    );
    assert_eq!(out.code, 1);
}

#[test]
fn suppressed_findings_show_in_every_format() {
    let manifest = agent(Some("privileged-container: the agent loads eBPF probes"));
    let config = format!(
        "inlineExemptions: true\n{}",
        EXEMPT_AGENT.replace("privileged-container, ", "")
    );
    let today = "2026-06-01";
    let sarif = lint(Some(&config), &manifest, today, &["-f", "sarif"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressions = |rule: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .map(|r| r["suppressions"].clone())
            .unwrap()
    };
    assert_eq!(
        suppressions("privileged-container"),
        json!([{"kind": "inSource", "status": "accepted", "justification": "the agent loads eBPF probes"}])
    );
    assert_eq!(suppressions("host-path-volume")[0]["kind"], "external");
    assert_eq!(
        suppressions("host-path-volume")[0]["properties"],
        json!({"owner": "sre", "expires": "2027-03-31"})
    );

    let human = lint(Some(&config), &manifest, today, &[]);
    assert_eq!(human.code, 0, "{}", human.stdout);
    assert!(
        !human.stdout.contains("privileged-container"),
        "{}",
        human.stdout
    );
    assert_eq!(
        human.stdout.lines().last(),
        Some("0 errors, 0 warnings in 1 file (1 document); 3 suppressed")
    );

    let github = lint(Some(&config), &manifest, today, &["-f", "github"]);
    assert_eq!(github.stdout, "");

    let junit = lint(Some(&config), &manifest, today, &["-f", "junit"]);
    assert!(
        junit
            .stdout
            .contains(r#"<skipped message="suppressed: the agent loads eBPF probes"/>"#),
        "{}",
        junit.stdout
    );
}

#[test]
fn an_inline_exemption_is_honoured_for_an_exemptible_rule_when_the_config_allows() {
    let manifest = agent(Some(
        "privileged-container, host-namespaces: the agent loads eBPF probes\nhost-path-volume: reads /proc",
    ));
    let out = lint(
        Some("inlineExemptions: true\n"),
        &manifest,
        "2026-01-01",
        &["-f", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    let (active, suppressed) = summary(&report);
    assert!(active.is_empty(), "{active:?}");
    assert_eq!(suppressed.len(), 3);
    assert_eq!(
        finding(&report, "host-path-volume")["suppression"],
        json!({"kind": "inline", "reason": "reads /proc"})
    );
}

#[test]
fn inline_exemptions_are_refused_without_the_config_flag_or_a_reason() {
    let manifest = agent(Some(
        "privileged-container: the agent loads eBPF probes\nhost-path-volume\nhost-port: not used",
    ));
    // No config at all: not allowed.
    for config in [None, Some("inlineExemptions: false\n")] {
        let out = lint(config, &manifest, "2026-01-01", &["-f", "json"]);
        assert_eq!(out.code, 1);
        let report = out.json();
        let (active, suppressed) = summary(&report);
        assert!(suppressed.is_empty(), "{suppressed:?}");
        assert!(
            active.contains(&"privileged-container@manifest.yaml:17:41".to_string()),
            "{active:?}"
        );
        let messages: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "exemption-refused")
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(
            messages,
            [
                "inline exemption of `host-path-volume` is not honoured: it gives no reason: write `host-path-volume: <why the finding is acceptable>`",
                "inline exemption of `host-port` is not honoured: the config does not allow inline exemptions (`inlineExemptions: true`)",
                "inline exemption of `privileged-container` is not honoured: the config does not allow inline exemptions (`inlineExemptions: true`)",
            ]
        );
    }

    // Allowed: the reasoned one holds, the unreasoned one is refused, and the one for
    // a rule that reports nothing here is unused. Both point at the annotation.
    let out = lint(
        Some("inlineExemptions: true\n"),
        &manifest,
        "2026-01-01",
        &["-f", "json"],
    );
    assert_eq!(out.code, 1, "host-path-volume still counts");
    let report = out.json();
    let (active, suppressed) = summary(&report);
    assert_eq!(
        suppressed,
        ["privileged-container@manifest.yaml:17:41 inline"]
    );
    assert_eq!(
        active,
        [
            "exemption-refused@manifest.yaml:8:27",
            "exemption-unused@manifest.yaml:8:27",
            "host-namespaces@manifest.yaml:12:16",
            "host-path-volume@manifest.yaml:22:11",
        ]
    );
    assert_eq!(
        finding(&report, "exemption-refused")["path"],
        "metadata.annotations[\"blastwall.dev/exempt\"]"
    );
}

/// A team must not exempt itself from its boundary: a tenancy rule is never
/// exemptible inline, whatever the config says.
#[test]
fn an_inline_exemption_of_a_boundary_rule_is_refused() {
    let config = "inlineExemptions: true
products:
  payroll: {namespaces: [payroll], groups: [\"payroll:*\"]}
  billing: {namespaces: [billing], groups: [\"billing:*\"]}
";
    let binding = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: billing-debug
  namespace: payroll
  annotations:
    blastwall.dev/exempt: \"cross-product-binding: billing helps debug payroll\"
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: Group, name: \"billing:ops\"}
";
    let out = lint(Some(config), binding, "2026-01-01", &["-f", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let report = out.json();
    let (active, suppressed) = summary(&report);
    assert!(suppressed.is_empty());
    assert_eq!(
        active,
        [
            "exemption-refused@manifest.yaml:7:27",
            "cross-product-binding@manifest.yaml:10:25",
        ]
    );
    assert_eq!(
        finding(&report, "exemption-refused")["message"],
        "inline exemption of `cross-product-binding` is not honoured: rule `cross-product-binding` (tenancy) cannot be exempted inline; only the platform's config can grant an exemption from it"
    );

    // The platform's config may grant it.
    let granted = format!(
        "{config}exemptions:\n  - {{rule: cross-product-binding, namespace: payroll, name: billing-debug, reason: incident 4711, owner: sre, expires: 2026-01-07}}\n"
    );
    let out = lint(Some(&granted), binding, "2026-01-01", &["-f", "json"]);
    let (active, suppressed) = summary(&out.json());
    assert_eq!(
        suppressed,
        ["cross-product-binding@manifest.yaml:10:25 config"]
    );
    assert_eq!(active, ["exemption-refused@manifest.yaml:7:27"]);
    assert_eq!(out.code, 0);
}

#[test]
fn ci_enforcement_sets_the_severity_and_the_exit_code_follows() {
    let manifest = agent(None);
    let rules = |ci: &str| {
        format!(
            "rules:\n  privileged-container: {{enforcement: {{ci: {ci}}}}}\n  host-path-volume: {{enforcement: {{ci: {ci}, webhook: deny}}}}\n  host-namespaces: {{enforcement: {{ci: {ci}}}}}\n"
        )
    };
    let out = lint(
        Some(&rules("warning")),
        &manifest,
        "2026-01-01",
        &["-f", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let report = out.json();
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["warning", "warning", "warning"]);
    let out = lint(
        Some(&rules("warning")),
        &manifest,
        "2026-01-01",
        &["--severity-threshold", "warning"],
    );
    assert_eq!(out.code, 1);

    // Unquoted `off` is YAML 1.1 `false`: it means off too.
    for off in ["off", "\"off\""] {
        let out = lint(Some(&rules(off)), &manifest, "2026-01-01", &["-f", "json"]);
        assert_eq!(out.code, 0);
        assert_eq!(out.json()["findings"], json!([]), "{off}");
    }

    // Raising a warning to an error fails the run.
    let unpinned = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: c\n    image: nginx:latest\n    securityContext: {allowPrivilegeEscalation: false}\n    resources: {limits: {cpu: 1, memory: 1Gi}}\n";
    assert_eq!(lint(None, unpinned, "2026-01-01", &[]).code, 0);
    let out = lint(
        Some("rules:\n  latest-image-tag: {enforcement: {ci: error}}\n"),
        unpinned,
        "2026-01-01",
        &[],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("error[latest-image-tag]"),
        "{}",
        out.stdout
    );
}

#[test]
fn rule_params_from_the_config_change_what_rules_report() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: c\n    image: nginx:main\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [CHOWN, NET_RAW]}}\n    resources: {limits: {memory: 1Gi}}\n";
    let rules_of = |config: Option<&str>| -> Vec<String> {
        let report = lint(config, pod, "2026-01-01", &["-f", "json"]).json();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                )
            })
            .collect()
    };
    let defaults = rules_of(None);
    assert_eq!(defaults.len(), 2, "{defaults:?}");
    assert!(
        defaults[0].starts_with("dangerous-capabilities: container 'c' adds capability NET_RAW")
    );
    assert!(defaults[1].starts_with("missing-resource-limits: container 'c' has no CPU limit"));

    let config = "rules:
  dangerous-capabilities: {params: {capabilities: [CHOWN]}}
  latest-image-tag: {params: {mutableTags: [latest, main]}}
  missing-resource-limits: {params: {resources: [memory]}}
";
    assert_eq!(
        rules_of(Some(config)),
        [
            "latest-image-tag: container 'c' uses image 'nginx:main' with the mutable tag :main: each node pulls whatever it points to when the pod starts, so replicas drift and a push to the repository changes what runs",
            "dangerous-capabilities: container 'c' adds capability CHOWN, but runs as a non-root user (runAsNonRoot) with allowPrivilegeEscalation: false: no process in it can use it (no ambient capabilities, and no_new_privs blocks file capabilities); run as root, it could use a capability the blastwall config lists as dangerous",
        ]
    );
}

#[test]
fn unknown_rule_ids_and_params_in_the_config_exit_two_with_their_place() {
    let config = "rules:
  privileged-containers: {enforcement: {ci: off}}
  dangerous-capabilities: {params: {caps: [ALL]}}
exemptions:
  - {rule: host-path-volumes, namespace: x, reason: r, owner: o, expires: 2030-01-01}
";
    let out = lint(Some(config), &agent(None), "2026-01-01", &[]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    for expected in [
        "error: unknown rule `privileged-containers`",
        ".blastwall.yaml:4:3",
        "help: did you mean `privileged-container`?",
        "error: rule `dangerous-capabilities` has no parameter `caps`",
        ".blastwall.yaml:5:37",
        "error: unknown rule `host-path-volumes`",
        ".blastwall.yaml:7:12",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }

    // A bad BLASTWALL_TODAY is a usage error too.
    let out = lint(None, &agent(None), "tomorrow", &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("BLASTWALL_TODAY"), "{}", out.stderr);
}

/// `blastwall review` decides as the webhook does: config exemptions apply, inline
/// ones never do.
#[test]
fn review_applies_config_exemptions_and_ignores_inline_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{HEAD}inlineExemptions: true\n{EXEMPT_AGENT}{TAIL}");
    std::fs::write(dir.path().join("c.yaml"), config).unwrap();
    let review = |object: &str| {
        let object: manifest::Object = object.into();
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u-1", "kind": {"group": "apps", "version": "v1", "kind": "DaemonSet"},
            "resource": {"group": "apps", "version": "v1", "resource": "daemonsets"},
            "namespace": "monitoring", "name": object.name(), "operation": "CREATE",
            "userInfo": {"username": "alice", "groups": ["sre"]},
            "object": object.0, "oldObject": null, "dryRun": false}})
    };
    let decide = |body: &Value| -> Value {
        let out = Command::cargo_bin("blastwall")
            .unwrap()
            .env("BLASTWALL_TODAY", "2026-01-01")
            .args(["review", "--config"])
            .arg(dir.path().join("c.yaml"))
            .arg("-")
            .write_stdin(body.to_string())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let exempted = decide(&review(&agent(None)));
    assert_eq!(exempted["response"]["allowed"], true, "{exempted:#}");
    let audit = exempted["response"]["auditAnnotations"]["exempted"]
        .as_str()
        .unwrap();
    assert!(audit.contains("[privileged-container]"), "{audit}");
    assert!(
        audit.contains("(exempted until 2027-03-31, owner sre: node agent reads /proc"),
        "{audit}"
    );

    let other = agent(Some(
        "privileged-container, host-path-volume, host-namespaces: we need it",
    ))
    .replace("node-agent", "debug-agent");
    let denied = decide(&review(&other));
    assert_eq!(denied["response"]["allowed"], false, "{denied:#}");
    let message = denied["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("[privileged-container]"), "{message}");
}

/// Manifests as JSON values, for building AdmissionReviews, without a YAML library:
/// blastwall's own loader reads them.
mod manifest {
    pub struct Object(pub serde_json::Value);

    impl Object {
        pub fn name(&self) -> String {
            self.0["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    }

    impl From<&str> for Object {
        fn from(text: &str) -> Object {
            let loaded = blastwall::source::load::load_str(
                "m.yaml",
                text.to_string(),
                &blastwall::source::Limits::default(),
            );
            let value = &loaded.documents[0].value;
            Object(serde_json::from_str(&value.to_json_str().unwrap()).unwrap())
        }
    }
}

#[test]
fn rules_explains_params_and_whether_a_rule_is_exemptible_inline() {
    let dir = tempfile::tempdir().unwrap();
    let explain = |id: &str| {
        let out = Command::cargo_bin("blastwall")
            .unwrap()
            .current_dir(dir.path())
            .args(["rules", id])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = explain("missing-resource-limits");
    assert!(
        text.contains("Parameters (rules.missing-resource-limits.params):\n    resources: default [\"cpu\",\"memory\"]\n"),
        "{text}"
    );
    assert!(text.contains("Exemptible inline"), "{text}");
    let text = explain("cross-product-binding");
    assert!(text.contains("allowedClusterRoles: default []"), "{text}");
    assert!(!text.contains("Exemptible inline"), "{text}");
}
