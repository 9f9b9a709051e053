//! Object keys as shared values. A regorus object key is a `Value::String`, an
//! allocation of its own; building a review or a fact, or reading a request, made one
//! for every key of every object. The keys Kubernetes objects, AdmissionReviews and
//! facts use over and over are built once per process here, and [`key`] hands out a
//! reference-counted copy of them (any other key is built as before).
//!
//! The table is fixed: it holds the names listed below and nothing a document brings,
//! so it does not grow with what is reviewed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use regorus::Value;

/// Keys of AdmissionReviews, of the Kubernetes objects most reviewed, and of facts.
pub(crate) const KNOWN: &[&str] = &[
    // AdmissionReview request.
    "uid",
    "kind",
    "group",
    "version",
    "resource",
    "subResource",
    "requestKind",
    "requestResource",
    "requestSubResource",
    "name",
    "namespace",
    "operation",
    "userInfo",
    "username",
    "groups",
    "extra",
    "object",
    "oldObject",
    "dryRun",
    "options",
    "review",
    "facts",
    // Objects.
    "apiVersion",
    "metadata",
    "labels",
    "annotations",
    "generateName",
    "ownerReferences",
    "controller",
    "blockOwnerDeletion",
    "finalizers",
    "creationTimestamp",
    "resourceVersion",
    "generation",
    "managedFields",
    "spec",
    "status",
    "data",
    "stringData",
    "binaryData",
    "type",
    "template",
    "selector",
    "matchLabels",
    "matchExpressions",
    "replicas",
    "containers",
    "initContainers",
    "ephemeralContainers",
    "image",
    "imagePullPolicy",
    "imagePullSecrets",
    "command",
    "args",
    "env",
    "envFrom",
    "value",
    "valueFrom",
    "secretKeyRef",
    "configMapKeyRef",
    "fieldRef",
    "fieldPath",
    "key",
    "optional",
    "ports",
    "port",
    "containerPort",
    "targetPort",
    "hostPort",
    "nodePort",
    "protocol",
    "resources",
    "limits",
    "requests",
    "cpu",
    "memory",
    "volumeMounts",
    "mountPath",
    "subPath",
    "readOnly",
    "volumes",
    "configMap",
    "secret",
    "secretName",
    "emptyDir",
    "hostPath",
    "path",
    "persistentVolumeClaim",
    "claimName",
    "projected",
    "sources",
    "serviceAccountToken",
    "expirationSeconds",
    "items",
    "securityContext",
    "privileged",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "fsGroup",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "capabilities",
    "add",
    "drop",
    "seccompProfile",
    "seLinuxOptions",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "httpGet",
    "tcpSocket",
    "exec",
    "scheme",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "terminationGracePeriodSeconds",
    "restartPolicy",
    "dnsPolicy",
    "schedulerName",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "nodeSelector",
    "affinity",
    "tolerations",
    "operator",
    "effect",
    "tolerationSeconds",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "priority",
    "priorityClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "clusterIP",
    "clusterIPs",
    "ipFamilies",
    "ipFamilyPolicy",
    "sessionAffinity",
    "internalTrafficPolicy",
    "externalName",
    "endpoints",
    "interval",
    "namespaceSelector",
    "matchNames",
    "rules",
    "apiGroups",
    "resourceNames",
    "verbs",
    "nonResourceURLs",
    "roleRef",
    "subjects",
    "mapRoles",
    "mapUsers",
    "mapAccounts",
    "rolearn",
    "userarn",
    "app",
    // Facts (docs/facts.md).
    "workload",
    "rbac",
    "manifest",
    "incomplete",
    "awsAuth",
    "awsAuthAccess",
    "awsAuthOld",
    "accessConfig",
    "accessConfigChange",
    "tenancy",
    "change",
    "shared",
    "product",
    "via",
    "unowned",
    "clusterProduct",
    "owners",
    "namespaces",
    "users",
    "iamRoles",
    "securityGroups",
    "images",
    "admins",
    "nodeRoles",
    "requester",
    "identity",
    // Requester identities.
    "node",
    "eks",
    "serviceaccount",
    "anonymous",
    "user",
    "none",
    "system",
    "products",
    "admin",
    "adminVia",
    "iamRole",
    "webhookObject",
    "foundBy",
    "podSpec",
    "podSpecPath",
    "podSecurityContextPath",
    "windows",
    "pods",
    "container",
    "label",
    "field",
    "index",
    "securityContextPaths",
    "securityContextPath",
    "limitsPath",
    "reference",
    "appArmorProfile",
    "windowsOptions",
    "os",
    "registry",
    "repository",
    "tag",
    "digest",
    "msg",
    "severity",
    "related",
    "at",
    "finding",
    "rule",
];

/// FxHash (rustc's): a multiply and a rotate per 8 bytes. The table's keys are
/// fixed and few, so a hash that resists crafted collisions buys nothing here.
#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with [`Fx`] hashing, for small fixed tables of names.
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The known keys in an open-addressing table of [`SLOTS`] slots, probed from
/// [`slot`]: a lookup is a few arithmetic steps and one comparison, cheaper than
/// allocating the key (a general-purpose hash map costs about as much as that).
struct Table {
    slots: Vec<Option<(&'static str, Value)>>,
}

const SLOTS: usize = 1024;

/// Where probing for `name` starts: its length and three of its bytes, mixed.
fn slot(name: &[u8]) -> usize {
    let n = name.len();
    let (first, mid, last) = match n {
        0 => (0, 0, 0),
        _ => (name[0], name[n / 2], name[n - 1]),
    };
    let h = (n as u32)
        .wrapping_mul(0x9E37_79B9)
        .wrapping_add(u32::from(first).wrapping_mul(0x85EB_CA6B))
        .wrapping_add(u32::from(mid).wrapping_mul(0xC2B2_AE35))
        .wrapping_add(u32::from(last).wrapping_mul(0x27D4_EB2F));
    ((h ^ (h >> 15)) as usize) & (SLOTS - 1)
}

impl Table {
    fn new() -> Table {
        let mut slots: Vec<Option<(&'static str, Value)>> = vec![None; SLOTS];
        for name in KNOWN {
            let mut i = slot(name.as_bytes());
            while slots[i].is_some() {
                i = (i + 1) & (SLOTS - 1);
            }
            slots[i] = Some((name, Value::from(*name)));
        }
        Table { slots }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        let mut i = slot(name.as_bytes());
        loop {
            match &self.slots[i] {
                None => return None,
                Some((known, value)) if same_bytes(known.as_bytes(), name.as_bytes()) => {
                    return Some(value)
                }
                Some(_) => i = (i + 1) & (SLOTS - 1),
            }
        }
    }
}

static TABLE: LazyLock<Table> = LazyLock::new(Table::new);

/// `Value::from(name)`, shared when `name` is one of the known keys.
pub fn key(name: &str) -> Value {
    match TABLE.get(name) {
        Some(v) => v.clone(),
        None => Value::from(name),
    }
}

/// [`key`] of a string literal, looked up once per process (per place it is
/// written) instead of at each use.
macro_rules! static_key {
    ($name:literal) => {{
        static KEY: std::sync::LazyLock<regorus::Value> =
            std::sync::LazyLock::new(|| $crate::facts::keys::key($name));
        KEY.clone()
    }};
}
pub(crate) use static_key;

/// `{}`, shared: an empty object built once per process rather than allocated per
/// use.
pub fn empty_object() -> Value {
    static EMPTY: LazyLock<Value> = LazyLock::new(Value::new_object);
    EMPTY.clone()
}

/// `[]`, shared.
pub fn empty_array() -> Value {
    static EMPTY: LazyLock<Value> = LazyLock::new(|| Value::from(Vec::<Value>::new()));
    EMPTY.clone()
}

/// `""`, shared.
pub fn empty_string() -> Value {
    static EMPTY: LazyLock<Value> = LazyLock::new(|| Value::from(""));
    EMPTY.clone()
}

/// An object of `entries` with shared keys (a later entry replaces an earlier one
/// of the same key). The entries are put in order by their keys' bytes first, an
/// inline comparison, so that the object's own sort (comparing `Value`s) finds
/// them sorted.
pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut entries: Vec<(&str, Value)> = entries.into_iter().collect();
    entries.sort_by(|(a, _), (b, _)| bytes_cmp(a.as_bytes(), b.as_bytes()));
    Value::object_from_entries(entries.into_iter().map(|(k, v)| (key(k), v)).collect())
}

/// The fields of an object built over and over (a fact of every review): its keys
/// built once, in the order objects keep them, so that building one looks up and
/// sorts no key.
pub struct Shape {
    names: &'static [&'static str],
    /// `(index in names, key)`, sorted by key.
    sorted: std::sync::OnceLock<Vec<(usize, Value)>>,
}

impl Shape {
    /// The shape of objects with the fields `names` (each once).
    pub const fn new(names: &'static [&'static str]) -> Shape {
        Shape {
            names,
            sorted: std::sync::OnceLock::new(),
        }
    }

    /// The object whose field `names[i]` is `values[i]`, left out where `None`:
    /// equal to [`object`] of the same fields.
    pub fn object<const N: usize>(&self, mut values: [Option<Value>; N]) -> Value {
        debug_assert_eq!(N, self.names.len(), "{:?}", self.names);
        let sorted = self.sorted.get_or_init(|| {
            let mut sorted: Vec<(usize, Value)> = self
                .names
                .iter()
                .enumerate()
                .map(|(i, name)| (i, key(name)))
                .collect();
            sorted.sort_by(|a, b| a.1.cmp(&b.1));
            sorted
        });
        // Sized at once: collecting a filtered iterator grows the vector step by step.
        let mut entries = Vec::with_capacity(N);
        for (i, k) in sorted {
            if let Some(v) = values.get_mut(*i).and_then(Option::take) {
                entries.push((k.clone(), v));
            }
        }
        // In key order by construction, and the names are unique: no sort needed
        // (checked in debug builds).
        Value::object_from_sorted_entries(entries)
    }
}

/// Whether `a` and `b` are the same bytes, compared inline eight bytes at a time:
/// keys are short, and a call to `memcmp` costs more than the comparison.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_ne_bytes(w)
    };
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    if !(&mut x).zip(&mut y).all(|(p, q)| word(p) == word(q)) {
        return false;
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// The byte order of two strings (`str::cmp`), compared inline: keys mostly differ
/// in their first bytes, where a call to `memcmp` costs more than the comparison.
pub fn bytes_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_equal_fresh_values_and_known_ones_are_shared() {
        for name in KNOWN.iter().copied().chain(["notAKnownKey", "", "é"]) {
            assert_eq!(key(name), Value::from(name));
        }
        let (Value::String(a), Value::String(b)) = (key("metadata"), key("metadata")) else {
            panic!("a key is a string");
        };
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        let mut seen = std::collections::BTreeSet::new();
        assert!(KNOWN.iter().all(|k| seen.insert(*k)), "a key listed twice");
    }

    #[test]
    fn bytes_compare_as_strings_do() {
        let words = [
            "", "a", "ab", "b", "a\0", "é", "e", "kind", "kinds", "Kind", "😀",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    bytes_cmp(a.as_bytes(), b.as_bytes()),
                    a.cmp(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn shapes_build_the_objects_of_their_fields() {
        static SHAPE: Shape = Shape::new(&["path", "label", "zzz", "a", "container"]);
        let values = || {
            [
                Some(Value::from(1)),
                Some(Value::from("x")),
                None,
                Some(Value::Null),
                Some(Value::new_object()),
            ]
        };
        let plain = object([
            ("path", Value::from(1)),
            ("label", Value::from("x")),
            ("a", Value::Null),
            ("container", Value::new_object()),
        ]);
        for _ in 0..2 {
            assert_eq!(SHAPE.object(values()), plain);
        }
        assert_eq!(
            SHAPE.object([None, None, None, None, None]),
            Value::new_object()
        );
    }

    #[test]
    fn objects_keep_the_last_of_repeated_keys() {
        let built = object([
            ("b", Value::from(1)),
            ("a", Value::Null),
            ("b", Value::from(2)),
        ]);
        let plain = Value::from_json_str(r#"{"a": null, "b": 2}"#).unwrap();
        assert_eq!(built, plain);
    }

    #[test]
    fn objects_equal_those_built_from_fresh_keys() {
        let built = object([("kind", Value::from("Pod")), ("zzz", Value::Null)]);
        let plain = Value::from_json_str(r#"{"kind": "Pod", "zzz": null}"#).unwrap();
        assert_eq!(built, plain);
    }
}
