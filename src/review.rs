//! Turning documents into AdmissionRequest-shaped reviews, the one input rules see.
//!
//! Field names follow `admission.k8s.io/v1` AdmissionRequest, so a rule reads
//! `input.review.object` the same way whether the object came from a file in CI or
//! from the API server.

use regorus::Value;

/// The operations of an AdmissionRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// Who a review is made on behalf of (`userInfo`).
#[derive(Clone, Debug, Default)]
pub struct Requester {
    pub username: String,
    pub groups: Vec<String>,
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    crate::facts::keys::object(entries)
}

fn string_at(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A review of a change from `old_object` to `object`, as the API server would send it.
/// `object` is `None` for DELETE, `old_object` is `None` for CREATE.
pub fn build(
    operation: Operation,
    object: Option<Value>,
    old_object: Option<Value>,
    requester: &Requester,
) -> Value {
    let subject = object.as_ref().or(old_object.as_ref());
    let field = |path: &[&str]| -> String {
        let mut v = match subject {
            Some(v) => v,
            None => return String::new(),
        };
        for key in path {
            v = &v[*key];
        }
        string_at(v).unwrap_or_default().to_string()
    };
    let mut api_version = field(&["apiVersion"]);
    let mut kind = field(&["kind"]);
    // A CloudFormation template or a Terraform plan is no Kubernetes object: it is
    // reviewed under a kind of blastwall's own, so rules can name it in `kinds`.
    if let Some(synthetic) = subject.and_then(crate::access_entries::synthetic_kind) {
        kind = synthetic.to_string();
        api_version = format!("{}/v1alpha1", crate::access_entries::SYNTHETIC_GROUP);
    }
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.clone()),
    };
    let name = field(&["metadata", "name"]);
    let namespace = field(&["metadata", "namespace"]);
    let gvk = obj(vec![
        ("group", Value::from(group.as_str())),
        ("version", Value::from(version.as_str())),
        ("kind", Value::from(kind.as_str())),
    ]);
    let gvr = obj(vec![
        ("group", Value::from(group.as_str())),
        ("version", Value::from(version.as_str())),
        ("resource", Value::from(resource_for_kind(&kind).as_str())),
    ]);
    let groups: Vec<Value> = requester
        .groups
        .iter()
        .map(|g| Value::from(g.as_str()))
        .collect();
    let mut entries = vec![
        ("uid", Value::from("")),
        ("kind", gvk.clone()),
        ("resource", gvr.clone()),
        ("requestKind", gvk),
        ("requestResource", gvr),
        ("name", Value::from(name.as_str())),
        ("operation", Value::from(operation.as_str())),
        (
            "userInfo",
            obj(vec![
                ("username", Value::from(requester.username.as_str())),
                ("groups", Value::from(groups)),
            ]),
        ),
        ("object", object.unwrap_or(Value::Null)),
        ("oldObject", old_object.unwrap_or(Value::Null)),
        ("dryRun", Value::Bool(false)),
    ];
    if !namespace.is_empty() {
        entries.push(("namespace", Value::from(namespace.as_str())));
    }
    obj(entries)
}

/// A CREATE review of `object`, as `kubectl apply` of a new object would produce.
pub fn create(object: Value) -> Value {
    build(Operation::Create, Some(object), None, &Requester::default())
}

/// The whole rule input: `{"review": …, "facts": …}`.
pub fn input(review: Value, facts: Value) -> Value {
    obj(vec![("review", review), ("facts", facts)])
}

/// The REST resource name of a kind: lowercase plural, as the API server names it.
pub fn resource_for_kind(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    match lower.as_str() {
        "" => String::new(),
        "endpoints" => lower,
        _ if lower.ends_with("policy") => format!("{}ies", &lower[..lower.len() - 1]),
        _ if lower.ends_with('s') || lower.ends_with("x") || lower.ends_with("ch") => {
            format!("{lower}es")
        }
        _ if lower.ends_with('y')
            && !matches!(lower.chars().rev().nth(1), Some('a' | 'e' | 'o' | 'u')) =>
        {
            format!("{}ies", &lower[..lower.len() - 1])
        }
        _ => format!("{lower}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_lowercase_plurals() {
        assert_eq!(resource_for_kind("Deployment"), "deployments");
        assert_eq!(resource_for_kind("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_for_kind("Ingress"), "ingresses");
        assert_eq!(resource_for_kind("Endpoints"), "endpoints");
        assert_eq!(resource_for_kind("Gateway"), "gateways");
    }

    #[test]
    fn create_review_has_admission_request_shape() {
        let object = Value::from_json_str(
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"payroll"}}"#,
        )
        .unwrap();
        let review = create(object.clone());
        assert_eq!(review["operation"], Value::from("CREATE"));
        assert_eq!(review["kind"]["group"], Value::from("apps"));
        assert_eq!(review["kind"]["version"], Value::from("v1"));
        assert_eq!(review["resource"]["resource"], Value::from("deployments"));
        assert_eq!(review["namespace"], Value::from("payroll"));
        assert_eq!(review["name"], Value::from("api"));
        assert_eq!(review["object"], object);
        assert_eq!(review["oldObject"], Value::Null);
    }
}
