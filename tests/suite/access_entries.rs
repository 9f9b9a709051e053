//! EKS access entries through the real binary: every format is read from files
//! (Terraform `.tf` only when asked), findings land on the risky line, and an ACK
//! AccessEntry that makes a product's role cluster-admin is denied at admission.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn blastwall(cwd: &Path, args: &[&str]) -> crate::common::Run {
    let run = crate::common::run(cwd, args, None);
    run.within_bounds("blastwall");
    run
}

/// `(file name, line, rule)` of every finding of a JSON report.
fn findings(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default();
            let name = Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                name,
                f["line"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

const CONFIG: &str = "fixtures/access-entries/blastwall.yaml";

#[test]
fn terraform_files_of_a_directory_are_read_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("fixtures/access-entries");
    for name in ["terraform-provider.tf", "eksctl-healthy.yaml"] {
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
    }
    let d = dir.path().display().to_string();
    let config = root().join(CONFIG).display().to_string();
    let without = blastwall(
        &root(),
        &["lint", "--format", "json", "--config", &config, &d],
    );
    assert_eq!(without.code, 0, "{}", without.stderr);
    assert_eq!(without.json()["summary"]["documents"], 1);

    let with = blastwall(
        &root(),
        &[
            "lint",
            "--format",
            "json",
            "--terraform",
            "--config",
            &config,
            &d,
        ],
    );
    assert_eq!(with.code, 1, "{}", with.stderr);
    let found = findings(&with.json());
    let at = |line: u64, rule: &str| {
        found
            .iter()
            .any(|(f, l, r)| f == "terraform-provider.tf" && *l == line && r == rule)
    };
    assert!(at(61, "access-entry-admin-policy"), "{found:?}");
    assert!(at(75, "access-entry-namespace-reach"), "{found:?}");
    assert!(at(83, "access-entry-reserved-group"), "{found:?}");
    // The cluster without an access_config block: at the comment saying so.
    assert!(at(99, "access-config-config-map"), "{found:?}");
}

#[test]
fn a_tf_file_named_on_the_command_line_is_read_and_bad_hcl_is_an_error_with_a_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("main.tf");
    std::fs::write(
        &bad,
        "resource \"aws_eks_access_entry\" \"x\" {\n  principal_arn = \n}\n",
    )
    .unwrap();
    let run = blastwall(&root(), &["lint", &bad.display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("not valid HCL"), "{out}");
    assert!(out.contains("main.tf:2:19"), "{out}");

    let module = root().join("fixtures/access-entries/terraform-module-eks.tf");
    let run = blastwall(
        &root(),
        &["lint", "--format", "json", &module.display().to_string()],
    );
    let found = findings(&run.json());
    assert!(
        found
            .iter()
            .any(|(_, l, r)| *l == 74 && r == "access-entry-duplicate-principal"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, l, r)| *l == 58 && r == "access-entry-unknown-field"),
        "{found:?}"
    );
}

#[test]
fn cloudformation_short_form_intrinsics_are_unknown_values_not_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Cluster:\n    Type: AWS::EKS::Cluster\n    Properties:\n      Name: payments-prod\n      AccessConfig:\n        AuthenticationMode: CONFIG_MAP\n  Ci:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      ClusterName: !Ref Cluster\n      PrincipalArn: !Sub \"arn:aws:iam::${AWS::AccountId}:user/ci\"\n      KubernetesGroups: [ci]\n",
    )
    .unwrap();
    let run = blastwall(
        &root(),
        &["lint", "--format", "json", &template.display().to_string()],
    );
    let report = run.json();
    let found = findings(&report);
    // `!Ref Cluster` links the entry to the CONFIG_MAP cluster of the template.
    assert!(
        found
            .iter()
            .any(|(_, l, r)| *l == 9 && r == "access-config-entries-config-map"),
        "{found:?}"
    );
    // `!Sub` is not read as the text of a user ARN: no IAM-user finding.
    assert!(
        !found.iter().any(|(_, _, r)| r == "access-entry-iam-user"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, l, r)| *l == 13 && r == "access-entry-unresolved-principal"),
        "{found:?}"
    );
}

#[test]
fn review_denies_an_ack_access_entry_making_a_product_role_cluster_admin() {
    let run = blastwall(
        &root(),
        &[
            "review",
            "--config",
            CONFIG,
            "fixtures/access-entries/admission/ack-cluster-admin-create.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let response = run.json();
    assert_eq!(response["response"]["allowed"], false);
    let message = response["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("[access-entry-admin-policy]")
            && message.contains("payments-ci-deploy gets AmazonEKSClusterAdminPolicy"),
        "{message}"
    );
}

#[test]
fn every_example_format_yields_findings_only_where_marked_risky() {
    // The healthy files stay clean with the tenancy config of the examples; the
    // exact lines of every risky file are held by rules/access-entries/access-entries.cases.yaml.
    let healthy = root().join("fixtures/access-entries/eksctl-healthy.yaml");
    let run = blastwall(
        &root(),
        &[
            "lint",
            "--format",
            "json",
            "--config",
            CONFIG,
            &healthy.display().to_string(),
        ],
    );
    assert_eq!(run.code, 0, "eksctl-healthy.yaml: {}", run.stdout);
    for name in [
        "eksctl-risky.yaml",
        "ack-eks-controller.yaml",
        "crossplane-upbound.yaml",
        "cloudformation.yaml",
        "terraform-plan.json",
        "terraform-provider.tf",
        "terraform-module-eks.tf",
    ] {
        let path = root().join("fixtures/access-entries").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let run = blastwall(
            &root(),
            &[
                "lint",
                "--format",
                "json",
                "--config",
                CONFIG,
                &path.display().to_string(),
            ],
        );
        let lines: Vec<u64> = findings(&run.json()).iter().map(|f| f.1).collect();
        // Every line that says it is risky (a trailing comment naming what EKS does
        // or what goes wrong) has a finding: the marked lines are listed in each file.
        for (i, line) in text.lines().enumerate() {
            let marked = line.contains("# EKS rejects")
                || line.contains("# CI role gets cluster-admin")
                || line.contains("# IAM user");
            if marked {
                assert!(
                    lines.contains(&(i as u64 + 1)),
                    "{name}:{}: `{}` has no finding; found at {lines:?}",
                    i + 1,
                    line.trim()
                );
            }
        }
    }
}

#[test]
fn cloudformation_templates_named_dot_template_are_read_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/access-entries/cloudformation.yaml"),
        dir.path().join("access.template"),
    )
    .unwrap();
    std::fs::write(dir.path().join("other.yaml"), "kind: A\n").unwrap();
    let d = dir.path().display().to_string();
    let without = blastwall(&root(), &["lint", "--format", "json", "--no-config", &d]);
    assert_eq!(
        without.json()["summary"]["documents"],
        1,
        "{}",
        without.stdout
    );
    let with = blastwall(
        &root(),
        &[
            "lint",
            "--format",
            "json",
            "--no-config",
            "--cloudformation",
            &d,
        ],
    );
    let found = findings(&with.json());
    assert!(
        found.iter().any(|(f, l, r)| f == "access.template"
            && *l == 52
            && r == "access-entry-unknown-type"),
        "{found:?}"
    );
}

#[test]
fn the_config_can_ask_for_terraform_files_as_the_flag_does() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("fixtures/access-entries");
    std::fs::copy(
        fixtures.join("terraform-provider.tf"),
        dir.path().join("terraform-provider.tf"),
    )
    .unwrap();
    let config = std::fs::read_to_string(root().join(CONFIG)).unwrap();
    let with = dir.path().join("with.yaml");
    std::fs::write(&with, format!("{config}\nlint: {{terraform: true}}\n")).unwrap();
    let d = dir.path().display().to_string();
    let run = blastwall(
        &root(),
        &[
            "lint",
            "--format",
            "json",
            "--config",
            &with.display().to_string(),
            &d,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run.json());
    assert!(
        found.iter().any(|(f, l, r)| f == "terraform-provider.tf"
            && *l == 61
            && r == "access-entry-admin-policy"),
        "{found:?}"
    );

    // A misspelt setting is a config error with its line, as every field is.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        format!("{config}\nlint: {{terraform: true, cloudfromation: true}}\n"),
    )
    .unwrap();
    let run = blastwall(
        &root(),
        &["lint", "--config", &bad.display().to_string(), &d],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("cloudfromation"), "{}", run.stderr);
}
