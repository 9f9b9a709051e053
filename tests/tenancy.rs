//! Tenancy: the config, the ownership facts and the cross-product rules, end to end.

use std::path::{Path, PathBuf};

use regorus::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `test_*` rule of `rules/tenancy/*_test.rego` holds, with the built-in pack loaded.
#[test]
fn rego_unit_tests_of_the_tenancy_rules_pass() {
    let mut engine = regorus::Engine::new();
    for source in blastwall::engine::pack::builtin() {
        engine.add_policy(source.name, source.text).unwrap();
    }
    let dir = root().join("rules/tenancy");
    let mut tests = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("_test.rego") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let package = engine
            .add_policy(path.display().to_string(), text.clone())
            .unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("test_") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                tests.push((path.clone(), format!("{package}.test_{name}")));
            }
        }
    }
    assert!(tests.len() >= 7, "found only {} tests", tests.len());
    let mut failed = Vec::new();
    for (path, rule) in &tests {
        match engine.eval_rule(rule.clone()) {
            Ok(Value::Bool(true)) => {}
            other => failed.push(format!("{}: {rule}: {other:?}", file_name(path))),
        }
    }
    assert!(
        failed.is_empty(),
        "failing Rego tests:\n{}",
        failed.join("\n")
    );
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// `file:line:col rule message` for every finding of linting `paths` (relative to
/// fixtures/tenancy) with the fixture config, through the library.
fn lint_fixtures(paths: &[&str]) -> Vec<String> {
    let dir = root().join("fixtures/tenancy");
    let config = blastwall::config::load(&dir.join("blastwall.yaml")).unwrap();
    let mut engine = blastwall::engine::Engine::builtin().unwrap();
    engine.set_config(config.to_value()).unwrap();
    let inputs: Vec<String> = paths
        .iter()
        .map(|p| dir.join(p).display().to_string())
        .collect();
    let loaded = blastwall::source::load::load(
        &inputs,
        &blastwall::source::Limits::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let ctx = blastwall::facts::tenancy::run_context(Some(config), &loaded.documents);
    let findings = blastwall::lint::lint_with(&engine, &loaded, &ctx, 1).unwrap();
    findings
        .iter()
        .map(|f| {
            let file = &loaded.files[f.file.unwrap().0];
            let (line, col) = file.line_col(f.span.clone().unwrap().start);
            let name = file.name.rsplit("fixtures/tenancy/").next().unwrap();
            format!(
                "{name}:{line}:{col} {} {} {}",
                f.severity.as_str(),
                f.rule,
                f.message
            )
        })
        .collect()
}

const NS: &str = "clean/namespaces.yaml";

#[test]
fn the_clean_setup_has_no_findings() {
    assert_eq!(lint_fixtures(&["clean"]), Vec::<String>::new());
}

/// Each violating variant, linted with the Namespaces of the clean setup, yields
/// exactly its rule's findings at the offending field.
#[test]
fn each_violation_is_reported_at_its_field_with_both_products() {
    let cases: &[(&str, &[&str])] = &[
        ("cross-product-iam-role", &[
            "violations/cross-product-iam-role.yaml:7:33 error cross-product-iam-role ServiceAccount assumes another product's IAM role: namespace payroll-api belongs to product payroll (namespaces: payroll-*); role arn:aws:iam::111122223333:role/billing-ledger-writer belongs to product billing (iamRoles: arn:aws:iam::111122223333:role/billing-*)",
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
    ];
    for (rule, expected) in cases {
        let file = format!("violations/{rule}.yaml");
        assert_eq!(lint_fixtures(&[&file, NS]), *expected, "{rule}");
    }
}

/// The label of Namespace `ledger` in one file makes a RoleBinding in another file
/// cross-product; without that file the namespace is merely unowned.
#[test]
fn a_namespace_label_in_one_file_decides_ownership_in_another() {
    assert_eq!(
        lint_fixtures(&["violations/cross-product-binding.yaml", NS]),
        vec!["violations/cross-product-binding.yaml:16:11 error cross-product-binding binding lets another product in: namespace ledger belongs to product billing (label blastwall.dev/product on Namespace ledger); group payroll:developers belongs to product payroll (groups: payroll:*)"]
    );
    assert_eq!(
        lint_fixtures(&["violations/cross-product-binding.yaml"]),
        vec!["violations/cross-product-binding.yaml:6:14 warning unowned-namespace namespace ledger belongs to no product: no Namespace labels it blastwall.dev/product, no product's namespaces glob matches it, and sharedNamespaces does not list it"]
    );
}

/// `file:line:col: message` of each problem of a config fixture.
fn config_errors(name: &str) -> Vec<String> {
    let path = root().join("fixtures/tenancy/config-errors").join(name);
    let err = blastwall::config::load(&path).unwrap_err();
    err.diagnostics()
        .iter()
        .map(|d| format!("{}:{}: {}", d.primary.line, d.primary.column, d.message))
        .collect()
}

#[test]
fn overlapping_ownership_is_a_config_error_at_the_later_claim() {
    assert_eq!(
        config_errors("overlap.yaml"),
        vec!["8:29: namespace `payroll-reports-*` of product reports overlaps `payroll-*` of product payroll"]
    );
}

#[test]
fn unknown_fields_are_config_errors_at_the_key() {
    assert_eq!(
        config_errors("unknown-field.yaml"),
        vec!["6:5: unknown field `nodeSelector` in `products.payroll`"]
    );
}

#[test]
fn bad_arns_are_config_errors_at_the_value() {
    assert_eq!(
        config_errors("bad-arn.yaml"),
        vec!["8:9: products.payroll.iamRoles[1]: bad IAM role ARN `arn:aws:sts::111122223333:assumed-role/payroll-deploy/ci`: this is an assumed-role session ARN; name the role itself: arn:aws:iam::<account>:role/<name>"]
    );
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
