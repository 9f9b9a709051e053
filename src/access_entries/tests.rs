//! The readers on the example inputs of every format (fixtures/access-entries/):
//! the model each builds, field by field, with the path each field is written at.

use regorus::Value;

use crate::source::load::{load_named, load_str};
use crate::source::Limits;

/// The facts of every document of a fixture, as the lint pipeline computes them.
fn fixture_facts(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/fixtures/access-entries/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    let loaded = load_named(vec![(path, bytes)], &Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
        .documents
        .iter()
        .filter_map(|d| {
            let doc = crate::lint::spliced(&loaded, d);
            super::facts(&doc.value, None)
        })
        .collect()
}

fn facts_of(name: &str, text: &str) -> Value {
    let loaded = load_str(name, text.to_string(), &Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let doc = crate::lint::spliced(&loaded, &loaded.documents[0]);
    super::facts(&doc.value, None).expect("an access format")
}

fn path(items: &[&str]) -> Value {
    Value::from(
        items
            .iter()
            .map(|s| match s.parse::<u64>() {
                Ok(i) => Value::from(i),
                Err(_) => Value::from(*s),
            })
            .collect::<Vec<_>>(),
    )
}

#[test]
fn eksctl_entries_keep_every_field_with_its_path_and_the_cluster_defaults() {
    let facts = &fixture_facts("eksctl-risky.yaml")[0];
    assert_eq!(facts["format"], Value::from("eksctl"));
    let cluster = &facts["clusters"][0];
    assert_eq!(cluster["name"], Value::from("payments-prod"));
    assert_eq!(
        cluster["authenticationMode"],
        Value::from("API_AND_CONFIG_MAP")
    );
    // Left out: eksctl's default, pointed at where it would be written in the
    // accessConfig that lacks it.
    assert_eq!(
        cluster["bootstrapClusterCreatorAdminPermissions"],
        Value::Bool(true)
    );
    assert_eq!(cluster["bootstrapWritten"], Value::Bool(false));
    assert_eq!(
        cluster["bootstrapPath"],
        path(&["accessConfig", "bootstrapClusterCreatorAdminPermissions"])
    );
    let checkout = &facts["entries"][1];
    assert_eq!(
        checkout["principal"]["account"],
        Value::from("444455556666")
    );
    assert_eq!(checkout["type"], Value::from("STANDARD"));
    assert_eq!(checkout["typeWritten"], Value::Bool(false));
    let ns = &checkout["policies"][0]["scope"]["namespaces"][1];
    assert_eq!(ns["value"], Value::from("kube-*"));
    assert_eq!(
        ns["path"],
        path(&[
            "accessConfig",
            "accessEntries",
            "1",
            "accessPolicies",
            "0",
            "accessScope",
            "namespaces",
            "1"
        ])
    );
    assert_eq!(
        ns["reaches"][0]["via"],
        Value::from("system namespace kube-system")
    );
    let mapping = &facts["identityMappings"][0];
    assert_eq!(
        mapping["shadowedBy"]["path"],
        path(&["accessConfig", "accessEntries", "2"])
    );
}

#[test]
fn crossplane_reads_both_shapes_of_access_scope_and_references_as_unknown() {
    let docs = fixture_facts("crossplane-upbound.yaml");
    assert_eq!(docs.len(), 6);
    // v1beta2 Cluster: accessConfig is an object.
    assert_eq!(
        docs[0]["clusters"][0]["authenticationMode"],
        Value::from("API")
    );
    // principalArnRef: a reference to another object, not a value.
    let association = &docs[2]["entries"][0];
    assert_eq!(association["associationOnly"], Value::Bool(true));
    assert_eq!(
        association["unknown"]["principalArn"],
        Value::from("principalArnRef payments-dev")
    );
    // Older CRDs: accessScope as a one-element list.
    let listed = &docs[4]["entries"][0]["policies"][0]["scope"];
    assert_eq!(listed["type"], Value::from("namespace"));
    assert_eq!(
        listed["namespaces"][0]["path"],
        path(&["spec", "forProvider", "accessScope", "0", "namespaces", "0"])
    );
}

#[test]
fn cloudformation_short_forms_are_unknown_and_ref_links_the_cluster() {
    let facts = &fixture_facts("cloudformation.yaml")[0];
    let deploy = &facts["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["address"] == Value::from("Resources.DeployAccess"))
        .cloned()
        .unwrap();
    assert_eq!(
        deploy["unknown"]["cluster"],
        Value::from("Ref PaymentsCluster")
    );
    assert_eq!(deploy["cluster"], Value::from("payments-prod"));
    assert_eq!(deploy["clusterMode"], Value::from("API"));
    assert_eq!(deploy["typeProblem"], Value::from("case"));
    let json = &fixture_facts("cloudformation.json")[0];
    assert_eq!(
        json["entries"][0]["unknown"]["principalArn"],
        Value::from("Fn::GetAtt [\"CiRole\",\"Arn\"]")
    );
}

#[test]
fn an_intrinsic_tag_is_found_whether_or_not_the_node_span_starts_at_it() {
    let text = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  E:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      ClusterName: !Ref C\n      KubernetesGroups: !Split [\",\", \"a,b\"]\n      PrincipalArn: \"!Ref not-a-tag\"\n";
    let facts = facts_of("t.yaml", text);
    let e = &facts["entries"][0];
    assert_eq!(e["unknown"]["cluster"], Value::from("Ref C"));
    assert_eq!(
        e["unknown"]["groups"],
        Value::from("Fn::Split [\",\",\"a,b\"]")
    );
    // A quoted string that starts with `!` is text.
    assert_eq!(e["principalArn"], Value::from("!Ref not-a-tag"));
}

#[test]
fn terraform_plans_read_after_with_after_unknown_and_record_widening() {
    let facts = &fixture_facts("terraform-plan.json")[0];
    let entries = facts["entries"].as_array().unwrap();
    let ci = &entries[0];
    assert_eq!(ci["address"], Value::from("aws_eks_access_entry.ci"));
    assert_eq!(
        ci["unknown"]["principalArn"],
        Value::from("aws_iam_role.ci.arn")
    );
    assert_eq!(
        ci["principalArnPath"],
        path(&[
            "resource_changes",
            "0",
            "change",
            "after_unknown",
            "principal_arn"
        ])
    );
    let dev = &entries[1];
    assert_eq!(
        dev["widened"][0]["what"],
        Value::from("group platform-admins is added")
    );
    // The association replaced from namespace to cluster scope is folded into its entry.
    let edit = &dev["policies"][0];
    assert_eq!(
        edit["address"],
        Value::from("aws_eks_access_policy_association.payments_dev_edit")
    );
    assert!(edit["widened"][0]["what"]
        .as_string()
        .unwrap()
        .contains("to the whole cluster"));
}

#[test]
fn terraform_files_follow_references_and_read_the_eks_module() {
    let provider = &fixture_facts("terraform-provider.tf")[0];
    assert_eq!(provider["format"], Value::from("terraform"));
    let clusters = provider["clusters"].as_array().unwrap();
    let legacy = clusters
        .iter()
        .find(|c| c["name"] == Value::from("payments-legacy"))
        .unwrap();
    assert_eq!(legacy["authenticationMode"], Value::from("CONFIG_MAP"));
    assert_eq!(legacy["authenticationModeWritten"], Value::Bool(false));
    let entries = provider["entries"].as_array().unwrap();
    let ci = entries
        .iter()
        .find(|e| e["address"] == Value::from("aws_eks_access_entry.ci"))
        .unwrap();
    // principal_arn = aws_eks_access_entry.ci.principal_arn: the association joins it.
    assert_eq!(
        ci["policies"][0]["name"],
        Value::from("AmazonEKSClusterAdminPolicy")
    );
    assert_eq!(ci["cluster"], Value::from("payments-prod"));

    let module = &fixture_facts("terraform-module-eks.tf")[0];
    let cluster = &module["clusters"][0];
    assert_eq!(cluster["authenticationMode"], Value::from("API"));
    assert_eq!(
        cluster["bootstrapClusterCreatorAdminPermissions"],
        Value::Bool(true)
    );
    let entries = module["entries"].as_array().unwrap();
    let dup = entries
        .iter()
        .find(|e| {
            e["address"] == Value::from("module.eks.aws_eks_access_entry.this[\"karpenter_dup\"]")
        })
        .unwrap();
    assert_eq!(
        dup["duplicateOf"]["path"],
        path(&["module", "eks", "access_entries", "karpenter"])
    );
    let auditors = entries
        .iter()
        .find(|e| e["address"] == Value::from("module.eks.aws_eks_access_entry.this[\"auditors\"]"))
        .unwrap();
    assert_eq!(
        auditors["unknownKeys"][0]["key"],
        Value::from("access_policy_associations")
    );
}

#[test]
fn documents_of_other_kinds_have_no_access_facts_and_keep_their_kind() {
    let pod = Value::from_json_str(r#"{"apiVersion": "v1", "kind": "Pod"}"#).unwrap();
    assert!(super::facts(&pod, None).is_none());
    assert_eq!(super::synthetic_kind(&pod), None);
    let capi =
        Value::from_json_str(r#"{"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster"}"#)
            .unwrap();
    assert!(super::facts(&capi, None).is_none());
    let plan =
        Value::from_json_str(r#"{"format_version": "1.2", "resource_changes": []}"#).unwrap();
    assert_eq!(super::synthetic_kind(&plan), Some("TerraformPlan"));
    let review = crate::review::create(plan);
    assert_eq!(review["kind"]["kind"], Value::from("TerraformPlan"));
    assert_eq!(review["kind"]["group"], Value::from("blastwall.dev"));
}

#[test]
fn eks_api_output_is_read_by_content_with_policies_joined_to_their_entries() {
    let facts = fixture_facts("eks-api-state.json");
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_eq!(f["format"], Value::from("eks-api"));
    let cluster = &f["clusters"][0];
    assert_eq!(cluster["name"], Value::from("payments-prod"));
    assert_eq!(
        cluster["authenticationMode"],
        Value::from("API_AND_CONFIG_MAP")
    );
    assert_eq!(
        cluster["bootstrapPath"],
        path(&[
            "DescribeCluster",
            "cluster",
            "accessConfig",
            "bootstrapClusterCreatorAdminPermissions"
        ])
    );
    let entries = f["entries"].as_array().unwrap();
    // Five described entries; every policy list names one of them.
    assert_eq!(entries.len(), 5);
    assert!(entries
        .iter()
        .all(|e| e["associationOnly"] == Value::Bool(false)));
    let ci = entries
        .iter()
        .find(|e| {
            e["principalArn"] == Value::from("arn:aws:iam::111122223333:role/github-actions-deploy")
        })
        .unwrap();
    assert_eq!(
        ci["policies"][0]["arnPath"],
        path(&[
            "ListAssociatedAccessPolicies",
            "1",
            "associatedAccessPolicies",
            "0",
            "policyArn"
        ])
    );
    assert_eq!(ci["policies"][0]["adminGrade"], Value::Bool(true));
    // EKS's own username and group of a node entry are not the owner's settings.
    let node = entries
        .iter()
        .find(|e| e["type"] == Value::from("EC2_LINUX"))
        .unwrap();
    assert_eq!(node["groups"], Value::from(Vec::<Value>::new()));
    assert_eq!(node["username"], Value::Undefined);
    let plain =
        Value::from_json_str(r#"{"DescribeCluster": {"cluster": {"name": "x"}}, "other": 1}"#)
            .unwrap();
    assert_eq!(
        super::format_of(&plain),
        None,
        "unknown keys: not EKS output"
    );
    let state = Value::from_json_str(r#"{"DescribeCluster": {"cluster": {"name": "x"}}}"#).unwrap();
    assert_eq!(super::synthetic_kind(&state), Some("EksAccessState"));
}
