//! `input.facts.workload`: the pod spec of any object that carries one, and every
//! container of it with what the workload rules would otherwise each derive in
//! Rego. Documented, with the source of every field, in `docs/facts.md`.
//!
//! ```text
//! "workload": {
//!   "podSpec": {...},                      // the pod spec object
//!   "podSpecPath": ["spec", "template", "spec"],
//!   "podSecurityContextPath": [..., "securityContext"],
//!   "windows": false,                      // podSpec.os.name == "windows"
//!   "containers": [{
//!     "container": {...},                  // the container object as written
//!     "path": [..., "initContainers", 0],
//!     "field": "initContainers",           // or "containers", "ephemeralContainers"
//!     "index": 0,
//!     "label": "init container 'setup'",   // for messages
//!     "securityContext": {...},            // effective: the container's settings over the pod's
//!     "securityContextPaths": {"runAsUser": [...]},  // where each effective setting is written
//!     "securityContextPath": [...],        // the container's securityContext, else the container
//!     "limits": {...}, "requests": {...},  // resources.limits / .requests, {} when not objects
//!     "limitsPath": [...],                 // resources.limits, else resources, else the container
//!     "image"?: {"reference", "registry", "repository", "tag", "digest"?},
//!   }],
//!   "pods": [{"spec": {...}, "path": [...]}],  // where pod-level settings are written
//!   "foundBy": "kind",                     // or "config", "shape"
//! }
//! ```

use super::tenancy::obj;
use super::{field, keys};

use regorus::Value;

use crate::config::WorkloadKind;

/// How an object's pod spec is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundBy {
    /// A kind blastwall knows ([`KNOWN`]).
    Kind,
    /// A kind the config declares under `workloads`.
    Config,
    /// An unknown kind with a pod spec at `spec.template.spec` that has `containers`.
    Shape,
}

impl FoundBy {
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::Kind => "kind",
            FoundBy::Config => "config",
            FoundBy::Shape => "shape",
        }
    }
}

/// How the pods of a kind are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One pod spec at a path.
    PodSpec(&'static [&'static str]),
    /// An Argo Workflows workflow spec at a path: pod-level settings on it and on
    /// each of its `templates`, containers in each template.
    Workflow(&'static [&'static str]),
}

/// A kind that carries pods: its API groups, name, and where its pods are.
pub struct KnownKind {
    /// API groups; `""` is the core group.
    pub groups: &'static [&'static str],
    pub kind: &'static str,
    pub layout: Layout,
    /// What the docs call it.
    pub product: &'static str,
}

const TEMPLATE: &[&str] = &["spec", "template", "spec"];

/// Every kind whose pods blastwall checks, matched by API group and kind: a
/// `StatefulSet` of apps.kruise.io is not apps/v1's (both have their pod spec at
/// the same place, but an object of an unknown group is found by its shape only).
/// The first nine are Kubernetes' own; an object without an `apiVersion` is taken
/// for one of them.
pub const KNOWN: &[KnownKind] = &[
    KnownKind {
        groups: &[""],
        kind: "Pod",
        layout: Layout::PodSpec(&["spec"]),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["apps", "extensions"],
        kind: "Deployment",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["apps"],
        kind: "StatefulSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["apps", "extensions"],
        kind: "DaemonSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["apps", "extensions"],
        kind: "ReplicaSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &[""],
        kind: "ReplicationController",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["batch"],
        kind: "Job",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["batch"],
        kind: "CronJob",
        layout: Layout::PodSpec(&["spec", "jobTemplate", "spec", "template", "spec"]),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &[""],
        kind: "PodTemplate",
        layout: Layout::PodSpec(&["template", "spec"]),
        product: "Kubernetes",
    },
    KnownKind {
        groups: &["argoproj.io"],
        kind: "Rollout",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Argo Rollouts",
    },
    KnownKind {
        groups: &["apps.openshift.io"],
        kind: "DeploymentConfig",
        layout: Layout::PodSpec(TEMPLATE),
        product: "OpenShift",
    },
    KnownKind {
        groups: &["apps.kruise.io"],
        kind: "CloneSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "OpenKruise",
    },
    KnownKind {
        groups: &["apps.kruise.io"],
        kind: "StatefulSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "OpenKruise",
    },
    KnownKind {
        groups: &["apps.kruise.io"],
        kind: "DaemonSet",
        layout: Layout::PodSpec(TEMPLATE),
        product: "OpenKruise",
    },
    KnownKind {
        groups: &["keda.sh"],
        kind: "ScaledJob",
        layout: Layout::PodSpec(&["spec", "jobTargetRef", "template", "spec"]),
        product: "KEDA",
    },
    KnownKind {
        groups: &["serving.knative.dev"],
        kind: "Service",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Knative Serving",
    },
    KnownKind {
        groups: &["serving.knative.dev"],
        kind: "Configuration",
        layout: Layout::PodSpec(TEMPLATE),
        product: "Knative Serving",
    },
    KnownKind {
        groups: &["argoproj.io"],
        kind: "Workflow",
        layout: Layout::Workflow(&["spec"]),
        product: "Argo Workflows",
    },
    KnownKind {
        groups: &["argoproj.io"],
        kind: "WorkflowTemplate",
        layout: Layout::Workflow(&["spec"]),
        product: "Argo Workflows",
    },
    KnownKind {
        groups: &["argoproj.io"],
        kind: "ClusterWorkflowTemplate",
        layout: Layout::Workflow(&["spec"]),
        product: "Argo Workflows",
    },
    KnownKind {
        groups: &["argoproj.io"],
        kind: "CronWorkflow",
        layout: Layout::Workflow(&["spec", "workflowSpec"]),
        product: "Argo Workflows",
    },
];

/// The known kind of an object of `api_version` (`None`: not written) and `kind`.
pub fn known(api_version: Option<&str>, kind: &str) -> Option<&'static KnownKind> {
    match api_version {
        None => KNOWN[..9].iter().find(|k| k.kind == kind),
        Some(v) => {
            let group = v.rsplit_once('/').map_or("", |(g, _)| g);
            KNOWN
                .iter()
                .find(|k| k.kind == kind && k.groups.contains(&group))
        }
    }
}

/// The container lists of a pod spec, and how messages call a container of each.
const CONTAINER_FIELDS: [(&str, &str); 3] = [
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
];

/// Settings of a container's securityContext that, when it leaves them out, the
/// pod's securityContext supplies (PodSecurityContext ∩ SecurityContext).
const INHERITED: [&str; 7] = [
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
];

/// Where the pod spec of `object` is, whether it is an Argo Workflows workflow
/// spec, and how it was found: a known kind, a kind `declared` in the config, or
/// (for any other custom resource) a pod spec at `spec.template.spec` with a
/// `containers` array.
pub fn locate(object: &Value, declared: &[WorkloadKind]) -> Option<(Vec<String>, bool, FoundBy)> {
    let Value::String(kind) = field(object, "kind") else {
        return None;
    };
    let api_version = match field(object, "apiVersion") {
        Value::String(v) => Some(v.as_ref()),
        _ => None,
    };
    let owned = |p: &[&str]| p.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    if let Some(k) = known(api_version, kind) {
        return Some(match k.layout {
            Layout::PodSpec(p) => (owned(p), false, FoundBy::Kind),
            Layout::Workflow(p) => (owned(p), true, FoundBy::Kind),
        });
    }
    if let Some(d) = declared
        .iter()
        .find(|d| d.matches(api_version.unwrap_or(""), kind))
    {
        return Some((d.pod_spec.0.clone(), false, FoundBy::Config));
    }
    // Only custom resources: Kubernetes' own kinds (core, apps, batch, *.k8s.io)
    // are known, and those above are all of them that carry pods.
    let group = api_version
        .and_then(|v| v.rsplit_once('/'))
        .map_or("", |(g, _)| g);
    let custom = group.contains('.') && !group.ends_with(".k8s.io");
    let containers = super::at(object, &["spec", "template", "spec", "containers"]);
    if custom && matches!(containers, Value::Array(_)) {
        return Some((owned(TEMPLATE), false, FoundBy::Shape));
    }
    None
}

fn path_of(base: &[Value], rest: &[Value]) -> Vec<Value> {
    base.iter().chain(rest).cloned().collect()
}

fn key(k: &str) -> Value {
    keys::key(k)
}

/// [`key`] of a container list's name, the pod spec's own looked up once.
fn field_key(field: &str) -> Value {
    match field {
        "containers" => keys::static_key!("containers"),
        "initContainers" => keys::static_key!("initContainers"),
        "ephemeralContainers" => keys::static_key!("ephemeralContainers"),
        other => key(other),
    }
}

/// `facts.workload` for `object`, or `None` when it carries no pod spec.
/// `declared` is the config's `workloads`.
pub fn compute(object: &Value, declared: &[WorkloadKind]) -> Option<Value> {
    let (spec_path, workflow, found_by) = locate(object, declared)?;
    let mut spec = object;
    for k in &spec_path {
        spec = field(spec, k);
    }
    if !matches!(spec, Value::Object(_)) {
        return None;
    }
    let base: Vec<Value> = spec_path.iter().map(|k| key(k)).collect();
    let pod_sc_path = path_of(&base, &[keys::static_key!("securityContext")]);
    let pod_sc = match field(spec, "securityContext") {
        sc @ Value::Object(_) => sc,
        _ => &Value::Undefined,
    };
    let mut containers = Vec::new();
    let mut pods = vec![obj(vec![
        ("spec", spec.clone()),
        ("path", Value::from(base.clone())),
    ])];
    if workflow {
        let sc = (pod_sc, pod_sc_path.as_slice());
        workflow_containers(spec, &base, sc, &mut containers, &mut pods);
    } else {
        for (field, noun) in CONTAINER_FIELDS {
            let Value::Array(items) = self::field(spec, field) else {
                continue;
            };
            for (i, c) in items.iter().enumerate() {
                if !matches!(c, Value::Object(_)) {
                    continue;
                }
                let path = path_of(&base, &[field_key(field), Value::from(i)]);
                let label = label_of(noun, c, field, i);
                let sc = (pod_sc, pod_sc_path.as_slice());
                containers.push(container(c, field, &label, i, path, sc));
            }
        }
    }
    let windows =
        matches!(super::at(spec, &["os", "name"]), Value::String(s) if s.as_ref() == "windows");
    static WORKLOAD: keys::Shape = keys::Shape::new(&[
        "podSpec",
        "podSpecPath",
        "podSecurityContextPath",
        "windows",
        "containers",
        "pods",
        "foundBy",
    ]);
    Some(WORKLOAD.object([
        Some(spec.clone()),
        Some(Value::from(base)),
        Some(Value::from(pod_sc_path)),
        Some(Value::Bool(windows)),
        Some(Value::from(containers)),
        Some(Value::from(pods)),
        Some(Value::from(found_by.as_str())),
    ]))
}

/// The containers of an Argo Workflows workflow spec: in each template, its init
/// containers, `container`, `script`, `containerSet.containers` and sidecars. A
/// template's `securityContext` replaces the workflow's for its containers, and
/// each template is a pod of its own for the pod-level settings it can carry
/// (volumes, nodeSelector, tolerations, affinity).
fn workflow_containers(
    spec: &Value,
    base: &[Value],
    workflow_sc: (&Value, &[Value]),
    containers: &mut Vec<Value>,
    pods: &mut Vec<Value>,
) {
    let Value::Array(templates) = field(spec, "templates") else {
        return;
    };
    let list = |v: &Value| -> Vec<Value> {
        match v {
            Value::Array(items) => items.to_vec(),
            _ => Vec::new(),
        }
    };
    for (t, template) in templates.iter().enumerate() {
        if !matches!(template, Value::Object(_)) {
            continue;
        }
        let tpath = path_of(base, &[key("templates"), Value::from(t)]);
        pods.push(obj(vec![
            ("spec", template.clone()),
            ("path", Value::from(tpath.clone())),
        ]));
        let tname = match field(template, "name") {
            Value::String(s) => s.to_string(),
            _ => format!("templates[{t}]"),
        };
        let own_sc_path = path_of(&tpath, &[key("securityContext")]);
        let sc = match field(template, "securityContext") {
            own @ Value::Object(_) => (own, own_sc_path.as_slice()),
            _ => workflow_sc,
        };
        let mut push = |c: &Value, field: &str, index: usize, path: Vec<Value>, label: String| {
            if matches!(c, Value::Object(_)) {
                containers.push(container(c, field, &label, index, path, sc));
            }
        };
        for (i, c) in list(field(template, "initContainers")).iter().enumerate() {
            let path = path_of(&tpath, &[key("initContainers"), Value::from(i)]);
            let name = name_of(c, "initContainers", i);
            push(
                c,
                "initContainers",
                i,
                path,
                format!("template '{tname}' init container '{name}'"),
            );
        }
        for (field, noun) in [("container", "container"), ("script", "script")] {
            let path = path_of(&tpath, &[key(field)]);
            push(
                self::field(template, field),
                field,
                0,
                path,
                format!("template '{tname}' {noun}"),
            );
        }
        for (i, c) in list(super::at(template, &["containerSet", "containers"]))
            .iter()
            .enumerate()
        {
            let path = path_of(
                &tpath,
                &[key("containerSet"), key("containers"), Value::from(i)],
            );
            let name = name_of(c, "containers", i);
            push(
                c,
                "containerSet",
                i,
                path,
                format!("template '{tname}' container '{name}'"),
            );
        }
        for (i, c) in list(field(template, "sidecars")).iter().enumerate() {
            let path = path_of(&tpath, &[key("sidecars"), Value::from(i)]);
            let name = name_of(c, "sidecars", i);
            push(
                c,
                "sidecars",
                i,
                path,
                format!("template '{tname}' sidecar '{name}'"),
            );
        }
    }
}

/// How messages name a container: its `name`, else `<field>[<index>]`.
fn name_of(c: &Value, field: &str, index: usize) -> String {
    match self::field(c, "name") {
        Value::String(s) => s.to_string(),
        Value::Undefined => format!("{field}[{index}]"),
        other => other.to_json_str().unwrap_or_default(),
    }
}

/// `<noun> '<name>'`: how messages name a container ([`name_of`]), written at once.
fn label_of(noun: &str, c: &Value, field: &str, index: usize) -> String {
    use std::fmt::Write;
    let mut label = String::with_capacity(noun.len() + 24);
    label.push_str(noun);
    label.push_str(" '");
    match self::field(c, "name") {
        Value::String(s) => label.push_str(s),
        Value::Undefined => {
            let _ = write!(label, "{field}[{index}]");
        }
        other => label.push_str(&other.to_json_str().unwrap_or_default()),
    }
    label.push('\'');
    label
}

/// One container's fact.
fn container(
    c: &Value,
    field: &str,
    label: &str,
    index: usize,
    path: Vec<Value>,
    (pod_sc, pod_sc_path): (&Value, &[Value]),
) -> Value {
    let own_sc = self::field(c, "securityContext");
    // Where its own settings are: only when it has any.
    let own_sc_path = match own_sc {
        Value::Object(_) => path_of(&path, &[keys::static_key!("securityContext")]),
        _ => Vec::new(),
    };
    let mut effective: Vec<(Value, Value)> = Vec::with_capacity(8);
    let mut sources: Vec<(Value, Value)> = Vec::with_capacity(8);
    if let Value::Object(settings) = own_sc {
        for (k, v) in settings.iter() {
            // Kubernetes takes a setting written as null for one left out: an
            // inherited one then comes from the pod.
            if *v == Value::Null {
                continue;
            }
            effective.push((k.clone(), v.clone()));
            sources.push((
                k.clone(),
                Value::from(path_of(&own_sc_path, std::slice::from_ref(k))),
            ));
        }
    }
    if let Value::Object(_) = pod_sc {
        for name in INHERITED {
            let v = self::field(pod_sc, name);
            if matches!(v, Value::Undefined | Value::Null)
                || effective
                    .iter()
                    .any(|(k, _)| matches!(k, Value::String(s) if s.as_ref() == name))
            {
                continue;
            }
            let k = key(name);
            effective.push((k.clone(), v.clone()));
            sources.push((k.clone(), Value::from(path_of(pod_sc_path, &[k]))));
        }
    }
    let (limits, requests, limits_path) = resources(c, &path);
    let path_value = Value::from(path);
    let limits_path = limits_path.unwrap_or_else(|| path_value.clone());
    let sc_path = match own_sc {
        Value::Object(_) => Value::from(own_sc_path),
        _ => path_value.clone(),
    };
    let image = match self::field(c, "image") {
        reference @ Value::String(image) if !image.is_empty() => {
            Some(image_parts_of(reference, image))
        }
        _ => None,
    };
    static CONTAINER: keys::Shape = keys::Shape::new(&[
        "container",
        "path",
        "field",
        "index",
        "label",
        "securityContext",
        "securityContextPaths",
        "securityContextPath",
        "limits",
        "requests",
        "limitsPath",
        "image",
    ]);
    CONTAINER.object([
        Some(c.clone()),
        Some(path_value),
        Some(field_key(field)),
        Some(Value::from(index)),
        Some(Value::from(label)),
        Some(object_or_shared_empty(effective)),
        Some(object_or_shared_empty(sources)),
        Some(sc_path),
        Some(limits),
        Some(requests),
        Some(limits_path),
        image,
    ])
}

/// The object of `entries`, or the shared `{}` when there are none.
fn object_or_shared_empty(entries: Vec<(Value, Value)>) -> Value {
    match entries.is_empty() {
        true => keys::empty_object(),
        false => Value::object_from_entries(entries),
    }
}

/// A container's `resources.limits` and `resources.requests` (each `{}` when it is
/// not an object), and where to point when a limit is missing: `resources.limits`
/// if it is an object, else `resources` if that is one, else the container
/// (`None`: the container's own path).
fn resources(c: &Value, path: &[Value]) -> (Value, Value, Option<Value>) {
    let resources = super::field(c, "resources");
    let object_or_empty = |v: &Value| match v {
        Value::Object(_) => v.clone(),
        _ => keys::empty_object(),
    };
    let limits = super::field(resources, "limits");
    let at = match (resources, limits) {
        (_, Value::Object(_)) => Some(Value::from(path_of(
            path,
            &[keys::static_key!("resources"), keys::static_key!("limits")],
        ))),
        (Value::Object(_), _) => Some(Value::from(path_of(
            path,
            &[keys::static_key!("resources")],
        ))),
        _ => None,
    };
    (
        object_or_empty(limits),
        object_or_empty(super::field(resources, "requests")),
        at,
    )
}

/// An image reference in parts, as written: `registry` is the first component when
/// it names a host (has a `.` or `:`, or is `localhost`), else ""; `tag` is "" when
/// there is none; `digest` is present only when the reference has an `@`.
#[cfg(test)]
pub fn image_parts(image: &str) -> Value {
    image_parts_of(&Value::from(image), image)
}

/// [`image_parts`] of `image`, whose value is `reference` (shared, not copied).
fn image_parts_of(reference: &Value, image: &str) -> Value {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    let (registry, rest) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest)
        }
        _ => ("", name),
    };
    // The tag is in the last component only: a registry port is not a tag.
    let last_start = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_start..].rfind(':') {
        Some(i) => (&rest[..last_start + i], &rest[last_start + i + 1..]),
        None => (rest, ""),
    };
    static IMAGE: keys::Shape =
        keys::Shape::new(&["reference", "registry", "repository", "tag", "digest"]);
    let text = |part: &str| match part {
        "" => keys::empty_string(),
        _ => Value::from(part),
    };
    IMAGE.object([
        Some(reference.clone()),
        Some(text(registry)),
        Some(text(repository)),
        Some(text(tag)),
        digest.map(Value::from),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        Value::from_json_str(text).unwrap()
    }

    #[test]
    fn image_references_split_into_parts() {
        let parts = |image: &str| {
            let v = image_parts(image);
            (
                v["registry"].as_string().unwrap().to_string(),
                v["repository"].as_string().unwrap().to_string(),
                v["tag"].as_string().unwrap().to_string(),
                match &v["digest"] {
                    Value::String(s) => Some(s.to_string()),
                    _ => None,
                },
            )
        };
        let s = |x: &str| x.to_string();
        assert_eq!(parts("nginx"), (s(""), s("nginx"), s(""), None));
        assert_eq!(
            parts("registry:5000/team/app"),
            (s("registry:5000"), s("team/app"), s(""), None)
        );
        assert_eq!(
            parts("111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:1.2@sha256:ab"),
            (
                s("111122223333.dkr.ecr.ap-northeast-1.amazonaws.com"),
                s("payroll/api"),
                s("1.2"),
                Some(s("sha256:ab"))
            )
        );
        assert_eq!(
            parts("library/redis:7.4"),
            (s(""), s("library/redis"), s("7.4"), None)
        );
    }

    #[test]
    fn every_container_with_its_path_label_and_effective_security_context() {
        let object = json(
            r#"{"kind": "Deployment", "spec": {"template": {"spec": {
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "fsGroup": 2000},
                "initContainers": [{"name": "setup", "securityContext": {"runAsUser": 0, "runAsNonRoot": null}}],
                "containers": [{"image": "nginx:1.27"}, "not a container"]
            }}}}"#,
        );
        let fact = compute(&object, &[]).unwrap();
        assert_eq!(fact["podSpecPath"], json(r#"["spec", "template", "spec"]"#));
        let c = &fact["containers"];
        assert_eq!(c.as_array().unwrap().len(), 2);
        let setup = &c[0];
        assert_eq!(setup["label"], Value::from("init container 'setup'"));
        assert_eq!(
            setup["securityContext"],
            json(r#"{"runAsUser": 0, "runAsNonRoot": true}"#)
        );
        assert_eq!(
            setup["securityContextPaths"]["runAsUser"],
            json(
                r#"["spec", "template", "spec", "initContainers", 0, "securityContext", "runAsUser"]"#
            )
        );
        assert_eq!(
            setup["securityContextPaths"]["runAsNonRoot"],
            json(r#"["spec", "template", "spec", "securityContext", "runAsNonRoot"]"#)
        );
        let app = &c[1];
        assert_eq!(app["label"], Value::from("container 'containers[0]'"));
        assert_eq!(
            app["securityContextPath"],
            json(r#"["spec", "template", "spec", "containers", 0]"#)
        );
        assert_eq!(app["image"]["tag"], Value::from("1.27"));
        assert_eq!(fact["windows"], Value::Bool(false));
    }

    #[test]
    fn limits_and_requests_with_where_a_missing_limit_is_pointed_at() {
        let object = json(
            r#"{"kind": "Pod", "spec": {"containers": [
                {"name": "a", "resources": {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}},
                {"name": "b", "resources": {"limits": "none"}},
                {"name": "c", "resources": 5},
                {"name": "d", "securityContext": {"allowPrivilegeEscalation": null, "privileged": false}}
            ]}}"#,
        );
        let fact = compute(&object, &[]).unwrap();
        let c = &fact["containers"];
        assert_eq!(c[0]["limits"], json(r#"{"cpu": "1"}"#));
        assert_eq!(c[0]["requests"], json(r#"{"memory": "1Gi"}"#));
        assert_eq!(
            c[0]["limitsPath"],
            json(r#"["spec", "containers", 0, "resources", "limits"]"#)
        );
        assert_eq!(c[1]["limits"], json("{}"));
        assert_eq!(
            c[1]["limitsPath"],
            json(r#"["spec", "containers", 1, "resources"]"#)
        );
        assert_eq!(c[2]["limitsPath"], json(r#"["spec", "containers", 2]"#));
        assert_eq!(c[3]["requests"], json("{}"));
        // A setting written as null is left out, as Kubernetes takes it.
        assert_eq!(c[3]["securityContext"], json(r#"{"privileged": false}"#));
        assert_eq!(
            c[3]["securityContextPaths"],
            json(r#"{"privileged": ["spec", "containers", 3, "securityContext", "privileged"]}"#)
        );
    }

    #[test]
    fn objects_without_a_pod_spec_have_no_fact() {
        assert!(compute(&json(r#"{"kind": "ConfigMap"}"#), &[]).is_none());
        assert!(compute(&json(r#"{"kind": "Pod", "spec": 5}"#), &[]).is_none());
        assert!(compute(&Value::Null, &[]).is_none());
    }

    fn found(text: &str, declared: &[WorkloadKind]) -> Option<(Value, String)> {
        let fact = compute(&json(text), declared)?;
        let by = fact["foundBy"].as_string().unwrap().to_string();
        Some((fact["podSpecPath"].clone(), by))
    }

    #[test]
    fn kinds_are_matched_by_api_group_and_kind() {
        let template = r#""spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}"#;
        let at = |api: &str, kind: &str| {
            found(
                &format!(r#"{{"apiVersion": "{api}", "kind": "{kind}", {template}}}"#),
                &[],
            )
        };
        let spec_template = json(r#"["spec", "template", "spec"]"#);
        for (api, kind) in [
            ("apps/v1", "StatefulSet"),
            ("apps.kruise.io/v1beta1", "StatefulSet"),
            ("apps.kruise.io/v1alpha1", "CloneSet"),
            ("argoproj.io/v1alpha1", "Rollout"),
            ("apps.openshift.io/v1", "DeploymentConfig"),
            ("serving.knative.dev/v1", "Service"),
        ] {
            assert_eq!(
                at(api, kind),
                Some((spec_template.clone(), "kind".into())),
                "{api} {kind}"
            );
        }
        // A StatefulSet of a group blastwall does not know is found by its shape only.
        assert_eq!(
            at("example.com/v1", "StatefulSet"),
            Some((spec_template.clone(), "shape".into()))
        );
        // A core Service is no workload, whatever it holds.
        assert_eq!(at("v1", "Service"), None);
        assert_eq!(
            known(Some("batch/v1"), "CronJob").map(|k| k.kind),
            Some("CronJob")
        );
        assert!(known(Some("apps/v1"), "CloneSet").is_none());
        assert_eq!(
            known(None, "Deployment").map(|k| k.product),
            Some("Kubernetes")
        );
    }

    #[test]
    fn scaled_jobs_and_cron_workflows_keep_their_pods_deeper() {
        let job = r#"{"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob", "spec": {"jobTargetRef": {"template": {"spec": {"containers": []}}}}}"#;
        assert_eq!(
            found(job, &[]),
            Some((
                json(r#"["spec", "jobTargetRef", "template", "spec"]"#),
                "kind".into()
            ))
        );
        let cron = r#"{"apiVersion": "argoproj.io/v1alpha1", "kind": "CronWorkflow", "spec": {"workflowSpec": {"templates": []}}}"#;
        assert_eq!(
            found(cron, &[]),
            Some((json(r#"["spec", "workflowSpec"]"#), "kind".into()))
        );
        // A Rollout that only references a Deployment carries no pod template.
        let rollout = r#"{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "spec": {"workloadRef": {"kind": "Deployment", "name": "a"}}}"#;
        assert_eq!(found(rollout, &[]), None);
    }

    #[test]
    fn declared_kinds_have_their_pod_spec_where_the_config_says() {
        let declared: Vec<WorkloadKind> = serde_json::from_str(
            r#"[{"apiVersion": "platform.example.com", "kind": "WebApp", "podSpec": "spec.pod"},
                {"apiVersion": "jobs.example.com/v2", "kind": "Batch", "podSpec": "spec.runner.template.spec"}]"#,
        )
        .unwrap();
        let webapp = r#"{"apiVersion": "platform.example.com/v1", "kind": "WebApp", "spec": {"pod": {"containers": []}}}"#;
        assert_eq!(
            found(webapp, &declared),
            Some((json(r#"["spec", "pod"]"#), "config".into()))
        );
        assert_eq!(found(webapp, &[]), None);
        let batch = |v: &str| {
            format!(
                r#"{{"apiVersion": "jobs.example.com/{v}", "kind": "Batch", "spec": {{"runner": {{"template": {{"spec": {{}}}}}}}}}}"#
            )
        };
        assert_eq!(
            found(&batch("v2"), &declared).map(|f| f.1),
            Some("config".into())
        );
        assert_eq!(found(&batch("v1"), &declared), None);
        for bad in [
            r#"{"apiVersion": "Example.com", "kind": "A", "podSpec": "spec"}"#,
            r#"{"apiVersion": "example.com", "kind": "A", "podSpec": "spec..pod"}"#,
        ] {
            assert!(serde_json::from_str::<WorkloadKind>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn workflow_templates_give_their_containers_and_security_context() {
        let workflow = json(
            r#"{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "spec": {
                "securityContext": {"runAsNonRoot": true},
                "templates": [
                    {"name": "main", "steps": []},
                    {"name": "build", "securityContext": {"runAsUser": 0},
                     "initContainers": [{"name": "fetch"}],
                     "container": {"image": "docker:24"},
                     "sidecars": [{"name": "dind"}]},
                    {"script": {"image": "python:3", "source": "x"}},
                    {"name": "set", "containerSet": {"containers": [{"name": "a"}]}}
                ]}}"#,
        );
        let fact = compute(&workflow, &[]).unwrap();
        assert_eq!(fact["podSpecPath"], json(r#"["spec"]"#));
        let labels: Vec<String> = fact["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_string().unwrap().to_string())
            .collect();
        assert_eq!(
            labels,
            [
                "template 'build' init container 'fetch'",
                "template 'build' container",
                "template 'build' sidecar 'dind'",
                "template 'templates[2]' script",
                "template 'set' container 'a'",
            ]
        );
        let build = &fact["containers"][1];
        assert_eq!(
            build["path"],
            json(r#"["spec", "templates", 1, "container"]"#)
        );
        // The template's securityContext replaces the workflow's.
        assert_eq!(build["securityContext"], json(r#"{"runAsUser": 0}"#));
        assert_eq!(
            build["securityContextPaths"]["runAsUser"],
            json(r#"["spec", "templates", 1, "securityContext", "runAsUser"]"#)
        );
        let script = &fact["containers"][3];
        assert_eq!(
            script["securityContextPaths"]["runAsNonRoot"],
            json(r#"["spec", "securityContext", "runAsNonRoot"]"#)
        );
        assert_eq!(fact["pods"].as_array().unwrap().len(), 5);
        assert_eq!(fact["pods"][2]["path"], json(r#"["spec", "templates", 1]"#));
    }
}
