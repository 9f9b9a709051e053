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
//!     "image"?: {"reference", "registry", "repository", "tag", "digest"?},
//!   }],
//! }
//! ```

use std::collections::BTreeMap;

use regorus::Value;

/// Kinds whose pod template sits at `spec.template`.
const TEMPLATE_KINDS: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

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

/// Where the pod spec of an object of `kind` lives.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Pod" => Some(&["spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "PodTemplate" => Some(&["template", "spec"]),
        k if TEMPLATE_KINDS.contains(&k) => Some(&["spec", "template", "spec"]),
        _ => None,
    }
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::from(
        entries
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn path_of(base: &[Value], rest: &[Value]) -> Vec<Value> {
    base.iter().chain(rest).cloned().collect()
}

fn key(k: &str) -> Value {
    Value::from(k)
}

/// `facts.workload` for `object`, or `None` when it carries no pod spec.
pub fn compute(object: &Value) -> Option<Value> {
    let Value::String(kind) = &object["kind"] else {
        return None;
    };
    let spec_path = pod_spec_path(kind)?;
    let mut spec = object;
    for k in spec_path {
        spec = &spec[*k];
    }
    if !matches!(spec, Value::Object(_)) {
        return None;
    }
    let base: Vec<Value> = spec_path.iter().map(|k| key(k)).collect();
    let pod_sc_path = path_of(&base, &[key("securityContext")]);
    let pod_sc = match &spec["securityContext"] {
        sc @ Value::Object(_) => sc,
        _ => &Value::Undefined,
    };
    let mut containers = Vec::new();
    for (field, noun) in CONTAINER_FIELDS {
        let Value::Array(items) = &spec[field] else {
            continue;
        };
        for (i, c) in items.iter().enumerate() {
            if !matches!(c, Value::Object(_)) {
                continue;
            }
            let path = path_of(&base, &[key(field), Value::from(i)]);
            containers.push(container(c, field, noun, i, &path, pod_sc, &pod_sc_path));
        }
    }
    Some(obj(vec![
        ("podSpec", spec.clone()),
        ("podSpecPath", Value::from(base)),
        ("podSecurityContextPath", Value::from(pod_sc_path)),
        (
            "windows",
            Value::Bool(spec["os"]["name"] == Value::from("windows")),
        ),
        ("containers", Value::from(containers)),
    ]))
}

/// One container's fact.
fn container(
    c: &Value,
    field: &str,
    noun: &str,
    index: usize,
    path: &[Value],
    pod_sc: &Value,
    pod_sc_path: &[Value],
) -> Value {
    let name = match &c["name"] {
        Value::String(s) => s.to_string(),
        Value::Undefined => format!("{field}[{index}]"),
        other => other.to_json_str().unwrap_or_default(),
    };
    let own_sc = &c["securityContext"];
    let own_sc_path = path_of(path, &[key("securityContext")]);
    let mut effective = BTreeMap::new();
    let mut sources = BTreeMap::new();
    if let Value::Object(settings) = own_sc {
        for (k, v) in settings.iter() {
            let inherited = matches!(k, Value::String(s) if INHERITED.contains(&s.as_ref()));
            if inherited && *v == Value::Null {
                continue;
            }
            effective.insert(k.clone(), v.clone());
            sources.insert(
                k.clone(),
                Value::from(path_of(&own_sc_path, std::slice::from_ref(k))),
            );
        }
    }
    for name in INHERITED {
        let k = key(name);
        if effective.contains_key(&k) {
            continue;
        }
        let v = &pod_sc[name];
        if matches!(v, Value::Undefined | Value::Null) {
            continue;
        }
        effective.insert(k.clone(), v.clone());
        sources.insert(k.clone(), Value::from(path_of(pod_sc_path, &[k])));
    }
    let sc_path = match own_sc {
        Value::Object(_) => own_sc_path,
        _ => path.to_vec(),
    };
    let mut entries = vec![
        ("container", c.clone()),
        ("path", Value::from(path.to_vec())),
        ("field", key(field)),
        ("index", Value::from(index)),
        ("label", Value::from(format!("{noun} '{name}'"))),
        ("securityContext", Value::from(effective)),
        ("securityContextPaths", Value::from(sources)),
        ("securityContextPath", Value::from(sc_path)),
    ];
    if let Value::String(image) = &c["image"] {
        if !image.is_empty() {
            entries.push(("image", image_parts(image)));
        }
    }
    obj(entries)
}

/// An image reference in parts, as written: `registry` is the first component when
/// it names a host (has a `.` or `:`, or is `localhost`), else ""; `tag` is "" when
/// there is none; `digest` is present only when the reference has an `@`.
pub fn image_parts(image: &str) -> Value {
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
    let mut entries = vec![
        ("reference", Value::from(image)),
        ("registry", Value::from(registry)),
        ("repository", Value::from(repository)),
        ("tag", Value::from(tag)),
    ];
    if let Some(digest) = digest {
        entries.push(("digest", Value::from(digest)));
    }
    obj(entries)
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
        let fact = compute(&object).unwrap();
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
    fn objects_without_a_pod_spec_have_no_fact() {
        assert!(compute(&json(r#"{"kind": "ConfigMap"}"#)).is_none());
        assert!(compute(&json(r#"{"kind": "Pod", "spec": 5}"#)).is_none());
        assert!(compute(&Value::Null).is_none());
    }
}
