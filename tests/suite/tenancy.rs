//! Tenancy end to end, through the `blastwall` binary as users run it: the config
//! (explicit, discovered, or none), the ownership facts across files, the
//! cross-product and aws-auth tenancy rules with their exact positions and messages,
//! config errors, and the requester facts in `blastwall review`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const CONFIG: &str = "fixtures/tenancy/blastwall.yaml";
const NS: &str = "clean/namespaces.yaml";

fn blastwall() -> Command {
    let mut cmd = Command::cargo_bin("blastwall").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// The outcome of one `blastwall lint -f json` run.
struct Run {
    code: i32,
    /// `file:line:col severity rule message`, file relative to fixtures/tenancy.
    findings: Vec<String>,
    stderr: String,
}

/// Runs `blastwall lint -f json <args>` in `cwd` and reads the JSON report.
fn lint_in(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = blastwall();
    cmd.current_dir(cwd)
        .args(["lint", "--format", "json"])
        .args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    assert_eq!(report["errors"], json!([]), "{report:#}");
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let file = file.rsplit("fixtures/tenancy/").next().unwrap();
            format!(
                "{file}:{}:{} {} {} {}",
                f["line"],
                f["column"],
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    Run {
        code: out.status.code().unwrap_or(-1),
        findings,
        stderr,
    }
}

/// `blastwall lint --config fixtures/tenancy/blastwall.yaml -f json` on `paths`
/// (relative to fixtures/tenancy), from the crate root.
fn lint(paths: &[&str]) -> Run {
    let paths: Vec<String> = paths
        .iter()
        .map(|p| format!("fixtures/tenancy/{p}"))
        .collect();
    let mut args = vec!["--config", CONFIG];
    args.extend(paths.iter().map(String::as_str));
    lint_in(&root(), &args, None)
}

/// Every `test_*` rule of `rules/tenancy/*_test.rego` holds, with the built-in pack loaded.
#[test]
fn rego_unit_tests_of_the_tenancy_rules_pass() {
    let ran = crate::rego_unit::assert_rego_tests_pass("rules/tenancy/");
    assert!(ran >= 40, "found only {ran} tests");
}

#[test]
fn the_clean_setup_has_no_findings() {
    let run = lint(&["clean"]);
    assert_eq!(run.findings, Vec::<String>::new());
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `(rule, findings)`: linting `violations/<rule>.yaml` with the Namespaces of the
/// clean setup yields exactly these, at the offending field.
const VIOLATIONS: &[(&str, &[&str])] = &[
    ("cross-product-iam-role", &[
        "violations/cross-product-iam-role.yaml:7:33 error cross-product-iam-role ServiceAccount assumes another product's IAM role: namespace payroll-api belongs to product payroll (namespaces: payroll-*); role arn:aws:iam::210987654321:role/billing-ledger-writer belongs to product billing (iamRoles: arn:aws:iam::210987654321:role/billing-*)",
    ]),
    ("cross-product-image", &[
        "violations/cross-product-image.yaml:9:14 error cross-product-image image of another product: namespace payroll-api belongs to product payroll (namespaces: payroll-*); image 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/close-books:1.4.0 belongs to product billing (registries: 111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/)",
        "violations/cross-product-image.yaml:13:14 warning cross-product-image image busybox:1.36 comes from a registry that no product owns and sharedRegistries does not list",
    ]),
    ("cross-product-node", &[
        "violations/cross-product-node.yaml:14:34 error cross-product-node pods select another product's nodes: namespace payroll-api belongs to product payroll (namespaces: payroll-*); node label blastwall.dev/node-pool=billing belongs to product billing (nodeLabels: blastwall.dev/node-pool: billing)",
        "violations/cross-product-node.yaml:18:18 error cross-product-node pods tolerate another product's dedicated nodes: namespace payroll-api belongs to product payroll (namespaces: payroll-*); node taint dedicated=billing belongs to product billing (nodeTaints: dedicated: billing)",
    ]),
    ("cross-product-security-group", &[
        "violations/cross-product-security-group.yaml:12:9 error cross-product-security-group pods join another product's security group: namespace payroll-api belongs to product payroll (namespaces: payroll-*); security group sg-0f1e2d3c4b5a69788 belongs to product billing (securityGroups: sg-0f1e2d3c4b5a69788)",
    ]),
    ("cross-product-service-reference", &[
        "violations/cross-product-service-reference.yaml:8:17 error cross-product-service-reference Service resolves into another product's namespace: namespace payroll-api belongs to product payroll (namespaces: payroll-*); namespace ledger belongs to product billing (label blastwall.dev/product on Namespace ledger)",
        "violations/cross-product-service-reference.yaml:21:44 error cross-product-service-reference NetworkPolicy admits traffic from another product: namespace payroll-api belongs to product payroll (namespaces: payroll-*); namespace billing belongs to product billing (namespaces: billing)",
    ]),
    ("unowned-namespace", &[
        "violations/unowned-namespace.yaml:5:14 warning unowned-namespace namespace scratch belongs to no product: no Namespace labels it blastwall.dev/product, no product's namespaces glob matches it, and sharedNamespaces does not list it",
    ]),
    ("cross-product-binding", &[
        "violations/cross-product-binding.yaml:16:11 error cross-product-binding binding lets another product in: namespace ledger belongs to product billing (label blastwall.dev/product on Namespace ledger); group payroll:developers belongs to product payroll (groups: payroll:*)",
    ]),
    ("aws-auth-cross-product-group", &[
        "violations/aws-auth-cross-product-group.yaml:27:11 error aws-auth-cross-product-group aws-auth lets another product in: role arn:aws:iam::210987654321:role/payroll-developer belongs to product payroll (iamRoles: arn:aws:iam::210987654321:role/payroll-*); group billing:operators belongs to product billing (groups: billing:*)",
    ]),
    ("aws-auth-unknown-principal", &[
        "violations/aws-auth-unknown-principal.yaml:31:16 error aws-auth-unknown-principal role arn:aws:iam::210987654321:role/contractor-debug is not declared in the config: it is no product's role (products.<name>.iamRoles), no admin role (admins.iamRoles) and no node role (nodeRoles), yet whoever assumes it gets the groups mapped here",
    ]),
    ("aws-auth-admin-grant", &[
        "violations/aws-auth-admin-grant.yaml:31:11 error aws-auth-admin-grant aws-auth gives a product's role admin rights: role arn:aws:iam::210987654321:role/billing-operator belongs to product billing (iamRoles: arn:aws:iam::210987654321:role/billing-*); group sre:admins is an admin group (admins.groups: sre:admins)",
    ]),
    ("aws-auth-node-role-missing", &[
        "violations/aws-auth-node-role-missing.yaml:9:5 error aws-auth-node-role-missing node role arn:aws:iam::210987654321:role/eks-node-billing is not mapped in mapRoles, but the config lists it (nodeRoles: arn:aws:iam::210987654321:role/eks-node-billing): unless an EKS access entry admits it, nodes with it can no longer join the cluster or renew their credentials; map it with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers and system:nodes",
    ]),
    ("aws-auth-no-admin", &[
        "violations/aws-auth-no-admin.yaml:21:7 error aws-auth-no-admin role arn:aws:iam::210987654321:role/sre-admin is an admin role (admins.iamRoles: arn:aws:iam::210987654321:role/sre-admin) but is mapped to groups sre:viewers, none of them an admin group (admins.groups) or system:masters: no admin role is left with admin rights here, and unless an EKS access entry or the cluster creator's admin access remains, the platform team loses its way into the cluster",
    ]),
];

#[test]
fn each_violation_is_reported_at_its_field_with_both_owners() {
    let mut failures = Vec::new();
    for (rule, expected) in VIOLATIONS {
        let file = format!("violations/{rule}.yaml");
        let run = lint(&[&file, NS]);
        if run.findings != *expected {
            failures.push(format!(
                "{rule}:\n  got  {:#?}\n  want {expected:#?}",
                run.findings
            ));
        }
        let want_code = if expected.iter().any(|f| f.contains(" error ")) {
            1
        } else {
            0
        };
        if run.code != want_code {
            failures.push(format!("{rule}: exit {} ({})", run.code, run.stderr));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every tenancy rule has a violating fixture above.
#[test]
fn every_tenancy_rule_has_a_violating_fixture() {
    let engine = blastwall::engine::Engine::builtin().unwrap();
    let ids: Vec<&str> = engine
        .rules()
        .iter()
        .filter(|r| r.category == "tenancy")
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids.len(), 12, "{ids:?}");
    for id in ids {
        assert!(
            VIOLATIONS.iter().any(|(rule, _)| *rule == id),
            "fixtures/tenancy/violations/{id}.yaml is not tested"
        );
        assert!(root()
            .join(format!("fixtures/tenancy/violations/{id}.yaml"))
            .is_file());
    }
}

/// The label of Namespace `ledger` in one file makes a RoleBinding in another file
/// cross-product; without that file the namespace is merely unowned.
#[test]
fn a_namespace_label_in_one_file_decides_ownership_in_another() {
    let run = lint(&["violations/cross-product-binding.yaml", NS]);
    assert_eq!(
        run.findings,
        vec!["violations/cross-product-binding.yaml:16:11 error cross-product-binding binding lets another product in: namespace ledger belongs to product billing (label blastwall.dev/product on Namespace ledger); group payroll:developers belongs to product payroll (groups: payroll:*)"]
    );
    assert_eq!(run.code, 1);
    let run = lint(&["violations/cross-product-binding.yaml"]);
    assert_eq!(
        run.findings,
        vec!["violations/cross-product-binding.yaml:6:14 warning unowned-namespace namespace ledger belongs to no product: no Namespace labels it blastwall.dev/product, no product's namespaces glob matches it, and sharedNamespaces does not list it"]
    );
    assert_eq!(run.code, 0, "a warning alone does not fail the run");
}

/// Removing the admin role's entry altogether is reported at mapRoles itself.
#[test]
fn an_aws_auth_without_any_admin_role_is_reported_at_map_roles() {
    let clean =
        std::fs::read_to_string(root().join("fixtures/tenancy/clean/aws-auth.yaml")).unwrap();
    let without_admin = clean.replace(
        "    - rolearn: arn:aws:iam::210987654321:role/sre-admin\n      username: sre-admin:{{SessionName}}\n      groups:\n        - sre:admins\n",
        "",
    );
    assert_ne!(clean, without_admin);
    let run = lint_in(&root(), &["--config", CONFIG, "-"], Some(&without_admin));
    assert_eq!(
        run.findings,
        vec!["<stdin>:8:5 error aws-auth-no-admin no admin role is mapped: mapRoles has none of admins.iamRoles (arn:aws:iam::210987654321:role/sre-admin), so no admin role is left with admin rights here, and unless an EKS access entry or the cluster creator's admin access remains, the platform team loses its way into the cluster"]
    );
}

/// `.blastwall.yaml` is found from the working directory up; `--no-config` and
/// `--config` override it.
#[test]
fn the_config_is_discovered_from_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(root().join(CONFIG)).unwrap();
    std::fs::write(dir.path().join(".blastwall.yaml"), config).unwrap();
    let nested = dir.path().join("deploy/payroll");
    std::fs::create_dir_all(&nested).unwrap();
    let violation = root().join("fixtures/tenancy/violations/cross-product-iam-role.yaml");
    std::fs::copy(&violation, nested.join("sa.yaml")).unwrap();

    let run = lint_in(&nested, &["sa.yaml"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings.len(), 1, "{:?}", run.findings);
    assert!(
        run.findings[0].starts_with("sa.yaml:7:33 error cross-product-iam-role "),
        "{:?}",
        run.findings
    );

    let run = lint_in(&nested, &["--no-config", "sa.yaml"], None);
    assert_eq!(run.findings, Vec::<String>::new());
    assert_eq!(run.code, 0, "{}", run.stderr);

    // An explicit file wins over the discovered one: here a single-tenant billing
    // cluster, where the role is billing's own.
    let single = dir.path().join("billing.yaml");
    std::fs::write(
        &single,
        "apiVersion: blastwall.dev/v1alpha1\nkind: Config\ncluster: {product: billing}\nproducts:\n  billing: {iamRoles: [\"arn:aws:iam::210987654321:role/billing-*\"]}\n",
    )
    .unwrap();
    let run = lint_in(
        &nested,
        &["--config", single.to_str().unwrap(), "sa.yaml"],
        None,
    );
    assert_eq!(run.findings, Vec::<String>::new());
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `--config` with a broken file: exit 2, the problem at the config's line and
/// column on stderr, no report on stdout.
fn config_error(name: &str) -> String {
    let config = format!("fixtures/tenancy/config-errors/{name}");
    let out = blastwall()
        .current_dir(root())
        .args(["lint", "--config", &config, "fixtures/tenancy/clean"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{name}");
    assert!(out.stdout.is_empty(), "{name}: {:?}", out.stdout);
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn overlapping_ownership_is_a_config_error_at_the_later_claim() {
    let stderr = config_error("overlap.yaml");
    assert!(
        stderr.starts_with("error: namespace `payroll-reports-*` of product reports overlaps `payroll-*` of product payroll\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fixtures/tenancy/config-errors/overlap.yaml:8:29"),
        "{stderr}"
    );
    assert!(stderr.contains("also claimed by payroll here"), "{stderr}");
}

#[test]
fn unknown_fields_are_config_errors_at_the_key() {
    let stderr = config_error("unknown-field.yaml");
    assert!(
        stderr.starts_with("error: unknown field `nodeSelector` in `products.payroll`\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fixtures/tenancy/config-errors/unknown-field.yaml:6:5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: expected one of `namespaces`"),
        "{stderr}"
    );
}

#[test]
fn bad_arns_are_config_errors_at_the_value() {
    let stderr = config_error("bad-arn.yaml");
    assert!(
        stderr.starts_with("error: products.payroll.iamRoles[1]: bad IAM role ARN `arn:aws:sts::210987654321:assumed-role/payroll-deploy/ci`: this is an assumed-role session ARN; name the role itself: arn:aws:iam::<account>:role/<name>\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fixtures/tenancy/config-errors/bad-arn.yaml:8:9"),
        "{stderr}"
    );
}

/// Objects of the wrong shape in every place a tenancy rule looks: the run still
/// completes (regorus would abort the whole evaluation on iterating a non-collection).
#[test]
fn malformed_objects_never_break_the_tenancy_rules() {
    let objects = [
        r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "namespace": "payroll-api"}, "spec": {"template": {"spec": {"containers": "app", "initContainers": 5, "nodeSelector": "x", "tolerations": "x", "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": "x"}, "preferredDuringSchedulingIgnoredDuringExecution": 5}}}}}}"#,
        r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b", "namespace": "payroll-api"}, "spec": {"template": {"spec": {"containers": [5, {"image": 5}], "tolerations": [5, {"operator": "Exists", "key": 5}], "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [5, {"matchExpressions": "x"}, {"matchExpressions": [5, {"operator": "In", "key": "a", "values": "x"}]}]}, "preferredDuringSchedulingIgnoredDuringExecution": [5, {"preference": 5}]}}}}}}"#,
        r#"{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "payroll-api"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": []}}}}}"#,
        r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "d", "namespace": "payroll-api"}, "roleRef": 5, "subjects": "x"}"#,
        r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "e"}, "roleRef": {"kind": "ClusterRole", "name": "edit"}, "subjects": [5, {"kind": "Group"}, {"kind": "Group", "name": "billing:ops"}]}"#,
        r#"{"apiVersion": "vpcresources.k8s.aws/v1beta1", "kind": "SecurityGroupPolicy", "metadata": {"name": "f", "namespace": "payroll-api"}, "spec": {"securityGroups": {"groupIds": "sg-0f1e2d3c4b5a69788"}}}"#,
        r#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "g", "namespace": "payroll-api"}, "spec": {"ingress": "x"}}"#,
        r#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "h", "namespace": "payroll-api"}, "spec": {"ingress": [5, {"from": "x"}, {"from": [5, {"namespaceSelector": 5}, {"namespaceSelector": {"matchExpressions": "x", "matchLabels": "y"}}, {"namespaceSelector": {"matchExpressions": [5, {"key": "kubernetes.io/metadata.name", "operator": "In", "values": "x"}]}}]}]}}"#,
        r#"{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "i", "namespace": "payroll-api"}, "spec": {"rules": [5, {"backendRefs": "x"}, {"backendRefs": [5]}]}}"#,
        r#"{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "j", "namespace": "payroll-api"}, "spec": {"rules": "x"}}"#,
        r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "k", "namespace": "payroll-api"}, "spec": {"type": "ExternalName", "externalName": 5}}"#,
        r#"{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "l", "namespace": "payroll-api", "annotations": "x"}}"#,
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "- rolearn: 5\n  groups: x\n- 7\n- {rolearn: arn:aws:iam::210987654321:role/payroll-dev, groups: [5, billing:ops], username: [x]}\n"}}"#,
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": {"rolearn": "x"}}}"#,
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": "x"}"#,
        r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": {"blastwall.dev/product": 5}}}"#,
    ];
    let text = objects.join("\n---\n");
    let run = lint_in(&root(), &["--config", CONFIG, "-"], Some(&text));
    assert!(
        matches!(run.code, 0 | 1),
        "exit {}: {}",
        run.code,
        run.stderr
    );
    // The well-formed parts are still checked.
    let has = |rule: &str| {
        run.findings
            .iter()
            .any(|f| f.contains(&format!(" {rule} ")))
    };
    assert!(has("cross-product-binding"), "{:#?}", run.findings);
    assert!(has("aws-auth-cross-product-group"), "{:#?}", run.findings);
}

/// The shipped JSON Schema is what the Rust types generate. Regenerate with
/// `BLASTWALL_WRITE_SCHEMA=1 cargo test --test tenancy shipped_config_schema`.
#[test]
fn shipped_config_schema_is_up_to_date() {
    let path = root().join("schema/blastwall-config.schema.json");
    let generated = blastwall::config::schema_json();
    if std::env::var_os("BLASTWALL_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated,
        "{} is stale: regenerate it with BLASTWALL_WRITE_SCHEMA=1 cargo test --test tenancy shipped_config_schema",
        path.display()
    );
}

/// Editors validating against the schema reject misspelt fields, as the loader does.
#[test]
fn config_schema_rejects_unknown_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&blastwall::config::schema_json()).unwrap();
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let product = &schema["$defs"]["Product"];
    assert_eq!(
        product["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    assert!(product["properties"]["iamRoles"].is_object());
}

/// An AdmissionReview of an aws-auth UPDATE that drops billing's node role.
fn node_role_removal(user_info: serde_json::Value) -> String {
    let clean =
        std::fs::read_to_string(root().join("fixtures/tenancy/clean/aws-auth.yaml")).unwrap();
    let map_roles = |text: &str| {
        text.split_once("  mapRoles: |\n")
            .unwrap()
            .1
            .lines()
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let old = map_roles(&clean);
    let new = old.replace(
        "- rolearn: arn:aws:iam::210987654321:role/eks-node-billing\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n    - system:bootstrappers\n    - system:nodes\n",
        "",
    );
    assert_ne!(old, new);
    let cm = |map_roles: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "aws-auth", "namespace": "kube-system"},
               "data": {"mapRoles": map_roles}})
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "5b0c1f7e-0c57-4a43-9d1c-0e0d3a1b2c3d",
            "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"},
            "namespace": "kube-system",
            "name": "aws-auth",
            "operation": "UPDATE",
            "userInfo": user_info,
            "object": cm(&new),
            "oldObject": cm(&old),
            "dryRun": false
        }
    })
    .to_string()
}

fn review(body: &str) -> serde_json::Value {
    let out = blastwall()
        .current_dir(root())
        .args(["review", "--config", CONFIG, "-"])
        .write_stdin(body)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// EKS removing a node group's mapping is let through; a person doing the same is
/// denied, whatever products their IAM role gives them.
#[test]
fn eks_system_identities_may_change_aws_auth_people_may_not() {
    let eks = review(&node_role_removal(json!({
        "username": "eks:node-manager",
        "uid": "aws-iam-authenticator:210987654321:AROAEXAMPLE",
        "groups": ["system:authenticated"]
    })));
    assert_eq!(eks["response"]["allowed"], json!(true), "{eks:#}");

    let person = review(&node_role_removal(json!({
        "username": "billing-operator:alice",
        "uid": "aws-iam-authenticator:210987654321:AROAEXAMPLE2",
        "groups": ["billing:operators", "system:authenticated"],
        "extra": {
            "arn": ["arn:aws:sts::210987654321:assumed-role/billing-operator/alice"],
            "canonicalArn": ["arn:aws:iam::210987654321:role/billing-operator"],
            "sessionName": ["alice"]
        }
    })));
    assert_eq!(person["response"]["allowed"], json!(false), "{person:#}");
    assert_eq!(person["response"]["status"]["code"], json!(403));
    let message = person["response"]["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("aws-auth-node-role-missing")
            && message.contains("arn:aws:iam::210987654321:role/eks-node-billing"),
        "{message}"
    );
}
