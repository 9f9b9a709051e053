//! `blastwall access` end to end on fixtures/access, a two-product cluster (payroll,
//! billing) whose reach is known: each answer through the real binary, each chain
//! with the file:line of every step.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CONFIG: &str = "fixtures/access/blastwall.yaml";
const INPUTS: &str = "fixtures/access";

fn blastwall(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("blastwall").unwrap();
    cmd.current_dir(cwd).env_remove("NO_COLOR");
    cmd
}

/// `blastwall access <args>` in the repository: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = blastwall(&root())
        .arg("access")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `access -f json` on the fixtures with their config, plus `args`.
fn json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["-f", "json", INPUTS, "--config", CONFIG];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    let v = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, v)
}

/// A chain as `step text @ file:line` lines (file relative to fixtures/access).
fn chain(entry: &Value) -> Vec<String> {
    entry["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let place = match (s["file"].as_str(), s["line"].as_u64()) {
                (Some(f), Some(l)) => {
                    let f = f.rsplit("fixtures/access/").next().unwrap();
                    format!(" @ {f}:{l}")
                }
                _ => String::new(),
            };
            format!(
                "{} {}{place}",
                s["step"].as_str().unwrap(),
                s["text"].as_str().unwrap()
            )
        })
        .collect()
}

fn cell<'a>(answer: &'a Value, from: &str, to: &str) -> Option<&'a Value> {
    answer["matrix"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == from && c["to"] == to)
}

fn entry<'a>(entries: &'a Value, principal: &str) -> &'a Value {
    entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["principal"] == principal)
        .unwrap_or_else(|| panic!("no entry for {principal} in {entries:#}"))
}

fn principals(entries: &Value) -> Vec<String> {
    let mut out: Vec<String> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["principal"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

const PAYROLL_CI: &str = "arn:aws:iam::210987654321:role/payroll-ci";
const DEPLOYER: &str = "arn:aws:iam::210987654321:role/payroll-deployer";

#[test]
fn the_matrix_has_a_row_and_column_per_product_and_the_platform() {
    let (code, a) = json(&[]);
    assert_eq!(code, 0);
    assert_eq!(a["version"], 1);
    assert_eq!(a["query"]["kind"], "matrix");
    let rows: Vec<&str> = a["matrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        rows,
        ["billing", "payroll", "admins", "nodes", "system", "unknown"]
    );
    let columns: Vec<&str> = a["matrix"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        ["billing", "payroll", "shared", "unowned", "cluster"]
    );
    // Admins hold cluster-admin everywhere; nodes only what EKS gives joining nodes.
    let admins = cell(&a, "admins", "billing").unwrap();
    assert_eq!(admins["strongest"]["label"], "* on *");
    assert_eq!(
        principals(&admins["entries"]),
        ["arn:aws:iam::210987654321:role/sre-admin", "system:masters"]
    );
    assert!(cell(&a, "nodes", "billing").is_none());
    let nodes = cell(&a, "nodes", "cluster").unwrap();
    assert_eq!(
        principals(&nodes["entries"]),
        [
            "arn:aws:iam::210987654321:role/eks-node-billing",
            "arn:aws:iam::210987654321:role/eks-node-payroll"
        ]
    );
    // The node role aws-auth does not map is the one EKS maps for its node group.
    let billing_node = entry(
        &nodes["entries"],
        "arn:aws:iam::210987654321:role/eks-node-billing",
    );
    assert_eq!(
        chain(billing_node)[1],
        "identity config nodeRoles[1], mapped by EKS (managed node group): username system:node:{{EC2PrivateDNSName}}, groups [system:bootstrappers, system:nodes] @ blastwall.yaml:23"
    );
    assert_eq!(a["crossProduct"]["total"], 5);
    assert_eq!(a["crossProduct"]["notAllowed"], 3);
}

#[test]
fn a_group_two_products_share_lets_payroll_ci_exec_into_billing() {
    let (_, a) = json(&[]);
    let c = cell(&a, "payroll", "billing").unwrap();
    assert_eq!(c["crossProduct"], true);
    let e = entry(&c["entries"], PAYROLL_CI);
    assert_eq!(e["action"]["label"], "create pods/exec");
    assert_eq!(e["action"]["escalation"], "pods-exec");
    assert_eq!(e["namespace"], "billing");
    assert_eq!(e["allowed"], false);
    assert_eq!(
        chain(e),
        [
            "principal IAM role arn:aws:iam::210987654321:role/payroll-ci (payroll: iamRoles: arn:aws:iam::210987654321:role/payroll-*)",
            "identity aws-auth mapRoles[3]: username payroll-ci, groups [payroll:ci, shared:oncall] @ aws-auth.yaml:21",
            "subject group shared:oncall @ rbac.yaml:107",
            "binding RoleBinding billing/oncall-debug → Role billing/oncall-debug @ rbac.yaml:99",
            "role Role billing/oncall-debug @ rbac.yaml:86",
            "rule rules[1]: create on pods/exec (core) @ rbac.yaml:92",
        ]
    );
    // billing's own operator holds the group too: no cross-product reach from it.
    let own = cell(&a, "billing", "billing").unwrap();
    assert!(principals(&own["entries"])
        .contains(&"arn:aws:iam::210987654321:role/billing-operator".to_string()));
}

#[test]
fn an_impersonation_path_through_an_irsa_service_account_is_followed() {
    let (_, a) = json(&[]);
    let c = cell(&a, "payroll", "billing").unwrap();
    let e = entry(&c["entries"], DEPLOYER);
    assert_eq!(e["action"]["label"], "impersonate serviceaccounts");
    assert_eq!(e["action"]["escalation"], "impersonate");
    let steps = chain(e);
    assert_eq!(
        steps[1],
        "identity ServiceAccount payroll-api/deployer annotation eks.amazonaws.com/role-arn: acts as sa:payroll-api/deployer @ serviceaccounts.yaml:9"
    );
    assert_eq!(steps[2], "subject sa:payroll-api/deployer @ rbac.yaml:179");
    assert_eq!(
        steps[5],
        "rule rules[0]: impersonate on groups (core) named billing:operators @ rbac.yaml:164"
    );
    assert_eq!(
        steps[6],
        "impersonates acts as group billing:operators (impersonation)"
    );
    assert_eq!(steps[7], "subject group billing:operators @ rbac.yaml:64");
    assert_eq!(
        steps[8],
        "binding RoleBinding billing/billing-operators → ClusterRole admin @ rbac.yaml:56"
    );
    // admin is a default of EKS, built from the roles it aggregates.
    assert!(steps[9].starts_with(
        "role ClusterRole admin (EKS default) @ (built-in) src/access/defaults.yaml:"
    ));
    assert!(steps[10].starts_with("aggregated aggregates ClusterRole system:aggregate-to-edit @ (built-in) src/access/defaults.yaml:"));
    // The ServiceAccount itself is a payroll principal with the same reach.
    let sa = entry(&c["entries"], "sa:payroll-api/deployer");
    assert_eq!(sa["kind"], "serviceAccount");
}

#[test]
fn an_aggregated_cluster_role_gives_an_unknown_auditor_billing_secrets() {
    let (_, a) = json(&[]);
    let c = cell(&a, "unknown", "billing").unwrap();
    assert_eq!(c["crossProduct"], false, "unknown is not a product");
    let e = entry(&c["entries"], "arn:aws:iam::210987654321:user/auditor");
    assert_eq!(e["kind"], "iamUser");
    assert_eq!(e["action"]["label"], "get secrets");
    assert_eq!(e["action"]["escalation"], "read-secrets");
    assert_eq!(
        chain(e)[1..],
        [
            "identity aws-auth mapUsers[0]: username auditor, groups [audit:readers] @ aws-auth.yaml:32",
            "subject group audit:readers @ rbac.yaml:154",
            "binding RoleBinding billing/auditors → ClusterRole billing-auditor @ rbac.yaml:146",
            "role ClusterRole billing-auditor @ rbac.yaml:114",
            "aggregated aggregates ClusterRole billing-secret-reader @ rbac.yaml:124",
            "rule rules[0]: get, list on secrets (core) @ rbac.yaml:128",
        ]
    );
}

#[test]
fn reach_the_config_allows_is_marked_and_does_not_fail() {
    let (_, a) = json(&[]);
    let c = cell(&a, "billing", "payroll").unwrap();
    assert_eq!(c["crossProduct"], true);
    let e = entry(
        &c["entries"],
        "arn:aws:iam::210987654321:role/billing-operator",
    );
    assert_eq!(e["allowed"], true);
    assert_eq!(e["namespace"], "*");
    assert_eq!(
        chain(e)[4],
        "role ClusterRole blastwall:quota-viewer @ rbac.yaml:187"
    );
}

#[test]
fn fail_on_cross_product_exits_1_only_for_reach_the_config_does_not_allow() {
    let (code, _, _) = run(&[INPUTS, "--config", CONFIG, "--fail-on", "cross-product"]);
    assert_eq!(code, 1);
    // Without the shared on-call binding and the impersonation path, only the reach
    // the config allows crosses products.
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "aws-auth.yaml",
        "namespaces.yaml",
        "serviceaccounts.yaml",
        "blastwall.yaml",
    ] {
        fs::copy(root().join(INPUTS).join(f), dir.path().join(f)).unwrap();
    }
    let rbac = fs::read_to_string(root().join(INPUTS).join("rbac.yaml")).unwrap();
    // Keep only what stays within a product, and the allowed quota viewer.
    let kept: Vec<&str> = rbac
        .split("\n---\n")
        .filter(|d| !d.contains("oncall-debug") && !d.contains("release-impersonator"))
        .collect();
    fs::write(dir.path().join("rbac.yaml"), kept.join("\n---\n")).unwrap();
    let out = blastwall(dir.path())
        .args([
            "access",
            ".",
            "--config",
            "blastwall.yaml",
            "--fail-on",
            "cross-product",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("2 cross-product reach, 0 not allowed by the config"),
        "{stdout}"
    );
}

#[test]
fn a_principal_query_lists_reach_per_namespace() {
    let (code, a) = json(&["--principal", PAYROLL_CI]);
    assert_eq!(code, 0);
    assert_eq!(a["query"]["kind"], "principal");
    let p = &a["principals"][0];
    assert_eq!(p["principal"]["class"], "payroll");
    assert_eq!(p["identities"][0]["line"], 21);
    let places: std::collections::BTreeSet<&str> = p["reach"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(
        places.into_iter().collect::<Vec<_>>(),
        ["(cluster)", "billing", "payroll-api"]
    );
    let billing: Vec<&str> = p["reach"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["namespace"] == "billing")
        .map(|e| e["action"]["label"].as_str().unwrap())
        .collect();
    assert_eq!(billing, ["create pods/exec", "get pods (+1 more)"]);
    // The same role written with an IAM path is the same principal.
    let (_, b) = json(&[
        "--principal",
        "arn:aws:iam::210987654321:role/teams/payroll-ci",
    ]);
    assert_eq!(b["principals"][0]["principal"]["name"], PAYROLL_CI);
}

#[test]
fn a_group_or_service_account_can_be_asked_about() {
    let (_, a) = json(&["--principal", "shared:oncall"]);
    let p = &a["principals"][0];
    assert_eq!(p["principal"]["kind"], "group");
    let e = &p["reach"][0];
    assert_eq!(e["namespace"], "billing");
    assert_eq!(e["action"]["label"], "create pods/exec");

    let (_, a) = json(&["--principal", "sa:ledger/ledger-writer"]);
    let p = &a["principals"][0];
    assert_eq!(p["principal"]["class"], "billing");
    assert_eq!(p["principal"]["via"], "in namespace ledger");
    assert!(p["reach"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["namespace"] == "ledger" && e["to"] == "billing"));

    let (code, stdout, stderr) = run(&[INPUTS, "--config", CONFIG, "--principal", "nobody"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("no principal nobody in the inputs"),
        "{stderr}"
    );
}

#[test]
fn who_can_create_jobs_in_payroll_includes_the_wildcard_rule() {
    let (code, a) = json(&[
        "--namespace",
        "payroll",
        "--verb",
        "create",
        "--resource",
        "jobs",
    ]);
    assert_eq!(code, 0);
    let ns = &a["namespace"];
    assert_eq!(ns["owner"], "payroll");
    assert_eq!(ns["via"], "namespaces: payroll");
    assert_eq!(
        principals(&ns["entries"]),
        [
            "arn:aws:iam::210987654321:role/payroll-developer",
            "arn:aws:iam::210987654321:role/sre-admin",
            "sa:payroll/batch-runner",
            "system:masters",
        ]
    );
    let batch = entry(&ns["entries"], "sa:payroll/batch-runner");
    assert_eq!(batch["action"]["label"], "create jobs");
    assert_eq!(
        chain(batch)[1..],
        [
            "subject sa:payroll/batch-runner @ rbac.yaml:51",
            "binding RoleBinding payroll/batch-runner → ClusterRole batch-operator @ rbac.yaml:43",
            "role ClusterRole batch-operator @ rbac.yaml:34",
            "rule rules[0]: * on * (batch) @ rbac.yaml:36",
        ]
    );
    // The developer's answer is its own edit binding, not the ServiceAccount it may
    // impersonate.
    let dev = entry(
        &ns["entries"],
        "arn:aws:iam::210987654321:role/payroll-developer",
    );
    assert!(!chain(dev).iter().any(|s| s.starts_with("impersonates")));
}

#[test]
fn who_can_exec_in_billing_names_both_products_holders_of_the_shared_group() {
    let (_, a) = json(&[
        "--namespace",
        "billing",
        "--verb",
        "create",
        "--resource",
        "pods/exec",
    ]);
    let ns = &a["namespace"];
    let names = principals(&ns["entries"]);
    for p in [
        PAYROLL_CI,
        "arn:aws:iam::210987654321:role/billing-operator",
        DEPLOYER,
    ] {
        assert!(names.contains(&p.to_string()), "{p} missing from {names:?}");
    }
    assert!(!names.contains(&"arn:aws:iam::210987654321:role/payroll-developer".to_string()));
    // A group IAM principals are mapped to is answered through them, not as a row.
    assert!(!names.contains(&"shared:oncall".to_string()));
    let ci = entry(&ns["entries"], PAYROLL_CI);
    assert_eq!(ci["from"], "payroll");
    assert_eq!(ci["to"], "billing");
    assert_eq!(ci["action"]["escalation"], "pods-exec");
}

#[test]
fn the_namespace_label_decides_ownership() {
    let (_, a) = json(&["--namespace", "ledger"]);
    assert_eq!(a["namespace"]["owner"], "billing");
    assert_eq!(
        a["namespace"]["via"],
        "label blastwall.dev/product on Namespace ledger"
    );
}

#[test]
fn the_human_table_shows_the_matrix_and_each_cross_product_chain() {
    let (code, out, _) = run(&[INPUTS, "--config", CONFIG]);
    assert_eq!(code, 0);
    assert!(out.contains("from \\ to"), "{out}");
    assert!(out.contains("Cross-product reach:"), "{out}");
    assert!(out.contains("  payroll → billing:"), "{out}");
    assert!(out.contains(
        "IAM role arn:aws:iam::210987654321:role/payroll-ci (via aws-auth mapRoles): create pods/exec (escalation: pods-exec) in namespace billing"
    ), "{out}");
    assert!(out.contains("fixtures/access/rbac.yaml:92"), "{out}");
    assert!(
        out.ends_with("5 cross-product reach, 3 not allowed by the config\n"),
        "{out}"
    );
}

#[test]
fn mermaid_and_dot_draw_principals_groups_bindings_namespaces_with_red_cross_edges() {
    let (code, mermaid, _) = run(&["-f", "mermaid", INPUTS, "--config", CONFIG]);
    assert_eq!(code, 0);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains(
        "([\"IAM role arn:aws:iam::210987654321:role/payroll-ci (via aws-auth mapRoles)\"])"
    ));
    assert!(mermaid.contains("[\"group shared:oncall\"]"));
    assert!(mermaid.contains("[\"RoleBinding billing/oncall-debug\"]"));
    assert!(mermaid.contains("[(\"billing\")]"));
    assert!(mermaid.contains("-->|\"create pods/exec\"|"), "{mermaid}");
    assert!(mermaid.contains("stroke:#d62728"), "{mermaid}");

    let (code, dot, _) = run(&["-f", "dot", INPUTS, "--config", CONFIG]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph access {"));
    assert!(dot.trim_end().ends_with('}'));
    assert!(dot.contains(
        "\"b:RoleBinding billing/oncall-debug\" -> \"n:billing\" [label=\"create pods/exec\", color=\"#d62728\", penwidth=2.5];"
    ), "{dot}");
    assert!(dot.contains(
        "\"p:arn:aws:iam::210987654321:role/payroll-ci\" -> \"s:group shared:oncall\" [color=\"#d62728\", penwidth=2.5];"
    ), "{dot}");
    // payroll's own edit binding is drawn, not red.
    assert!(
        dot.contains("\"b:RoleBinding payroll/payroll-developers\" -> \"n:payroll\" [label="),
        "{dot}"
    );
    assert!(!dot.contains("\"b:RoleBinding payroll/payroll-developers\" -> \"n:payroll\" [label=\"impersonate serviceaccounts\", color"), "{dot}");
}

#[test]
fn the_html_page_is_self_contained() {
    let (code, page, _) = run(&["-f", "html", INPUTS, "--config", CONFIG]);
    assert_eq!(code, 0);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>blastwall access: prod-shared</title>"));
    for fetch in ["src=\"http", "href=\"http", "@import", "url(http", "fetch("] {
        assert!(!page.contains(fetch), "the page fetches something: {fetch}");
    }
    // The embedded data cannot close its script element.
    let data = page
        .split("<script type=\"application/json\" id=\"access-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let v: Value = serde_json::from_str(data).unwrap();
    assert_eq!(v["version"], 1);
    assert!(cell(&v, "payroll", "billing").is_some());
}

#[test]
fn without_a_config_every_principal_is_unknown_and_labels_still_own() {
    let (code, stdout, stderr) = run(&["-f", "json", INPUTS, "--no-config"]);
    assert_eq!(code, 0, "{stderr}");
    let a: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        a["matrix"]["rows"][0], "billing",
        "the ledger label names billing"
    );
    let ci = a["matrix"]["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == PAYROLL_CI)
        .unwrap();
    assert_eq!(ci["class"], "unknown");
}

#[test]
fn unreadable_input_exits_2_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.yaml"), "kind: [\n").unwrap();
    let out = blastwall(dir.path())
        .args(["access", "bad.yaml", "--no-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: bad.yaml:"), "{stderr}");
}

/// A throwaway git repository isolated from the machine's configuration.
struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Environment that isolates git from system and user configuration.
    fn env(&self) -> Vec<(&'static str, Option<PathBuf>)> {
        let home = self.home.path();
        vec![
            ("GIT_CONFIG_NOSYSTEM", Some(PathBuf::from("1"))),
            ("GIT_CONFIG_GLOBAL", Some(home.join("gitconfig"))),
            ("HOME", Some(home.to_path_buf())),
            ("XDG_CONFIG_HOME", Some(home.to_path_buf())),
            ("GIT_DIR", None),
            ("GIT_WORK_TREE", None),
            ("GIT_INDEX_FILE", None),
        ]
    }

    fn blastwall(&self) -> Command {
        let mut cmd = blastwall(self.dir.path());
        for (k, v) in self.env() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd
    }

    fn git(&self, args: &[&str]) {
        let mut cmd = Process::new("git");
        for (k, v) in self.env() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd
            .current_dir(self.dir.path())
            .args([
                "-c",
                "user.name=Blastwall Test",
                "-c",
                "user.email=test@blastwall.invalid",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("these tests need git on PATH");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn base_reports_the_reach_a_change_adds_and_removes() {
    let repo = Repo::new();
    let k8s = repo.dir.path().join("k8s");
    fs::create_dir_all(&k8s).unwrap();
    for f in [
        "aws-auth.yaml",
        "namespaces.yaml",
        "serviceaccounts.yaml",
        "rbac.yaml",
    ] {
        fs::copy(root().join(INPUTS).join(f), k8s.join(f)).unwrap();
    }
    fs::copy(root().join(CONFIG), repo.dir.path().join("blastwall.yaml")).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "base"]);
    // The change: payroll's CI may now exec into billing-api directly, and the
    // auditors' binding is gone.
    let mut rbac = fs::read_to_string(k8s.join("rbac.yaml")).unwrap();
    rbac = rbac.replace(
        "  name: auditors\n  namespace: billing\n",
        "  name: auditors\n  namespace: scratch\n",
    );
    rbac.push_str(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ci-debug\n  namespace: billing-api\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n  - kind: Group\n    name: payroll:ci\n",
    );
    fs::write(k8s.join("rbac.yaml"), rbac).unwrap();

    let out = repo
        .blastwall()
        .args([
            "access",
            "k8s",
            "--config",
            "blastwall.yaml",
            "--base",
            "HEAD",
            "--fail-on",
            "cross-product",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains(
        "arn:aws:iam::210987654321:role/payroll-ci gains create pods/exec in billing-api [cross-product]"
    ), "{stdout}");
    assert!(
        stdout.contains("arn:aws:iam::210987654321:user/auditor loses get secrets in billing"),
        "{stdout}"
    );
    assert!(stdout.contains("k8s/rbac.yaml:"), "{stdout}");

    // Nothing changed: nothing to report, exit 0.
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "head"]);
    let out = repo
        .blastwall()
        .args([
            "access",
            "k8s",
            "--config",
            "blastwall.yaml",
            "--base",
            "HEAD",
            "-f",
            "json",
            "--fail-on",
            "cross-product",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["query"]["kind"], "diff");
    assert_eq!(v["changes"], serde_json::json!([]));
}

const ENTRIES: &str = "fixtures/access-entries/reach";

/// `access -f json` on the fixtures and the access entries of the same cluster.
fn with_entries(args: &[&str]) -> Value {
    let mut all = vec!["-f", "json", INPUTS, ENTRIES, "--config", CONFIG];
    all.extend_from_slice(args);
    let (_, stdout, stderr) = run(&all);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}\nstderr: {stderr}"))
}

#[test]
fn access_policies_of_access_entries_reach_as_the_cluster_roles_they_stand_for() {
    let a = with_entries(&[]);
    // A namespace-scoped View policy: view in the scoped namespaces only.
    let c = cell(&a, "payroll", "billing").unwrap();
    assert_eq!(c["crossProduct"], true);
    assert_eq!(c["allowed"], false);
    let auditor = entry(
        &c["entries"],
        "arn:aws:iam::210987654321:role/payroll-auditor",
    );
    assert_eq!(auditor["source"], "access entry");
    assert_eq!(auditor["namespace"], "billing");
    let steps = chain(auditor);
    assert!(
        steps[1].starts_with("identity access entry AccessEntry platform-eks/payroll-auditor on cluster prod-shared: username arn:aws:sts::210987654321:assumed-role/payroll-auditor/{{SessionName}}, groups [] @ "),
        "{steps:?}"
    );
    assert!(
        steps[1].ends_with("access-entries/reach/access-entries.yaml:11"),
        "{steps:?}"
    );
    assert_eq!(
        steps[2].rsplit_once(" @ ").unwrap().0,
        "subject access policies of arn:aws:iam::210987654321:role/payroll-auditor"
    );
    assert!(steps[3].starts_with(
        "binding access policy AmazonEKSViewPolicy (namespace billing) → ClusterRole view @ "
    ));
    assert!(steps[4].starts_with("role ClusterRole view (EKS default)"));
    // ClusterAdmin at cluster scope: cluster-admin everywhere.
    let admin = entry(
        &c["entries"],
        "arn:aws:iam::210987654321:role/payroll-release",
    );
    assert_eq!(admin["action"]["label"], "* on *");
    assert_eq!(admin["namespace"], "*");
    assert!(chain(admin)[3].starts_with(
        "binding access policy AmazonEKSClusterAdminPolicy (cluster scope) → ClusterRole cluster-admin"
    ));
    // An entry for another cluster gives nothing here.
    let principals: Vec<&str> = a["matrix"]["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(!principals.contains(&"arn:aws:iam::210987654321:role/payroll-elsewhere"));
}

#[test]
fn groups_of_access_entries_are_bound_through_rbac_and_a_glob_scope_reaches_matching_namespaces() {
    let a = with_entries(&["--principal", "arn:aws:iam::210987654321:role/billing-ops"]);
    let p = &a["principals"][0];
    assert_eq!(
        p["principal"]["sources"],
        serde_json::json!(["access entry"])
    );
    let reach: Vec<(String, String)> = p["reach"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["namespace"].as_str().unwrap().to_string(),
                chain(e)[3].split(" @ ").next().unwrap().to_string(),
            )
        })
        .collect();
    // The group billing:operators, as aws-auth's billing-operator holds it.
    assert!(
        reach.contains(&(
            "billing".into(),
            "binding RoleBinding billing/billing-operators → ClusterRole admin".into()
        )),
        "{reach:?}"
    );
    // Edit on `billing*`: the Namespaces of the run it matches (billing), no other.
    assert!(
        reach.contains(&(
            "billing".into(),
            "binding access policy AmazonEKSEditPolicy (namespace billing) → ClusterRole edit"
                .into()
        )),
        "{reach:?}"
    );
    assert!(
        !reach
            .iter()
            .any(|(ns, b)| b.contains("AmazonEKSEditPolicy") && ns != "billing"),
        "{reach:?}"
    );
}

#[test]
fn an_access_entry_overrides_the_aws_auth_mapping_of_its_principal() {
    // aws-auth gives payroll-ci shared:oncall, which execs into billing pods; its
    // access entry gives payroll:ci alone, and wins.
    let (_, before) = json(&["--principal", PAYROLL_CI]);
    let billing = |a: &Value| -> Vec<String> {
        a["principals"][0]["reach"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["namespace"] == "billing")
            .map(|e| e["action"]["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(billing(&before).contains(&"create pods/exec".to_string()));
    let after = with_entries(&["--principal", PAYROLL_CI]);
    assert!(billing(&after).is_empty(), "{:?}", billing(&after));
    assert_eq!(
        after["principals"][0]["principal"]["sources"],
        serde_json::json!(["access entry"])
    );
    let (_, human, _) = run(&[INPUTS, ENTRIES, "--config", CONFIG]);
    assert!(
        human.contains(
            "role/payroll-release (via access entry): * on * (escalation: all) in every namespace"
        ),
        "{human}"
    );
}

#[test]
fn reach_the_config_allows_is_marked_apart_in_the_matrix() {
    let (_, human, _) = run(&[INPUTS, "--config", CONFIG]);
    let billing = human.lines().find(|l| l.starts_with("billing ")).unwrap();
    assert!(
        billing.contains("get resourcequotas (+1 more)~ (1)"),
        "{billing}"
    );
    assert!(!billing.contains('!'), "{billing}");
    let payroll = human.lines().find(|l| l.starts_with("payroll ")).unwrap();
    assert!(
        payroll.contains("impersonate serviceaccounts! (4)"),
        "{payroll}"
    );
}

#[test]
fn graphs_and_the_page_name_where_each_principal_comes_from() {
    let (_, mermaid, _) = run(&["-f", "mermaid", INPUTS, ENTRIES, "--config", CONFIG]);
    assert!(
        mermaid
            .contains("IAM role arn:aws:iam::210987654321:role/payroll-auditor (via access entry)"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(
            "IAM role arn:aws:iam::210987654321:role/billing-operator (via aws-auth mapRoles)"
        ),
        "{mermaid}"
    );
    let (_, dot, _) = run(&["-f", "dot", INPUTS, ENTRIES, "--config", CONFIG]);
    assert!(dot.contains("payroll-auditor (via access entry)"), "{dot}");
    let (_, html, _) = run(&["-f", "html", INPUTS, ENTRIES, "--config", CONFIG]);
    assert!(
        html.contains("\"source\":\"access entry\""),
        "the page's data"
    );
    assert!(
        html.contains("\" (via \" + e.source + \")\""),
        "the page shows it"
    );
}

#[test]
fn terraform_access_entries_count_when_the_config_asks_for_terraform_files() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "aws-auth.yaml",
        "namespaces.yaml",
        "serviceaccounts.yaml",
        "rbac.yaml",
    ] {
        fs::copy(root().join(INPUTS).join(f), dir.path().join(f)).unwrap();
    }
    fs::write(
        dir.path().join("access.tf"),
        r#"resource "aws_eks_access_entry" "tf" {
  cluster_name  = "prod-shared"
  principal_arn = "arn:aws:iam::210987654321:role/payroll-tf"
}

resource "aws_eks_access_policy_association" "tf_view" {
  cluster_name  = "prod-shared"
  principal_arn = "arn:aws:iam::210987654321:role/payroll-tf"
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
  access_scope {
    type       = "namespace"
    namespaces = ["billing"]
  }
}
"#,
    )
    .unwrap();
    let config = fs::read_to_string(root().join(CONFIG)).unwrap();
    let ask = |extra: &str| {
        fs::write(
            dir.path().join("blastwall.yaml"),
            format!("{config}{extra}"),
        )
        .unwrap();
        let out = blastwall(dir.path())
            .args(["access", "-f", "json", ".", "--config", "blastwall.yaml"])
            .output()
            .unwrap();
        let a: Value = serde_json::from_slice(&out.stdout).unwrap();
        cell(&a, "payroll", "billing")
            .map(|c| principals(&c["entries"]))
            .unwrap_or_default()
    };
    let tf = "arn:aws:iam::210987654321:role/payroll-tf".to_string();
    assert!(!ask("").contains(&tf));
    assert!(ask("\nlint: {terraform: true}\n").contains(&tf));
}
