//! Strings the reader of AdmissionReview bodies ([`super::fast`]) hands out as
//! shared values instead of building each anew: object keys (the known keys of
//! [`crate::facts::keys`], the very same values) and the string values the API
//! server writes into nearly every request (operations, kinds, resources, groups,
//! the fields it fills in by default). A shared value costs a reference count
//! where a new one costs an allocation, a copy, and a free when the review is
//! dropped.
//!
//! Both tables are fixed: they hold the names listed here and nothing a body
//! brings, so they do not grow with what is reviewed. A string is looked up by
//! its first eight bytes, which the reader has in hand: for a string of at most
//! eight bytes, its length and those bytes decide it.

use std::sync::LazyLock;

use regorus::Value;

use crate::facts::keys;

/// String values of requests and of the objects in them that recur from request to
/// request: what the API server sets or defaults, not what users name.
const VALUES: &[&str] = &[
    "",
    "true",
    "false",
    // Request.
    "CREATE",
    "UPDATE",
    "DELETE",
    "CONNECT",
    "CreateOptions",
    "UpdateOptions",
    "DeleteOptions",
    "PatchOptions",
    "meta.k8s.io/v1",
    "system:authenticated",
    "system:unauthenticated",
    "system:serviceaccounts",
    "system:serviceaccounts:kube-system",
    "system:masters",
    "system:nodes",
    "kube-system",
    "default",
    // Groups, versions, kinds and resources.
    "v1",
    "v1beta1",
    "apps",
    "apps/v1",
    "batch",
    "batch/v1",
    "policy",
    "policy/v1",
    "networking.k8s.io",
    "networking.k8s.io/v1",
    "rbac.authorization.k8s.io",
    "rbac.authorization.k8s.io/v1",
    "admissionregistration.k8s.io",
    "admissionregistration.k8s.io/v1",
    "monitoring.coreos.com",
    "monitoring.coreos.com/v1",
    "Pod",
    "pods",
    "Deployment",
    "deployments",
    "ReplicaSet",
    "replicasets",
    "StatefulSet",
    "statefulsets",
    "DaemonSet",
    "daemonsets",
    "Job",
    "jobs",
    "CronJob",
    "cronjobs",
    "Service",
    "services",
    "ConfigMap",
    "configmaps",
    "Secret",
    "secrets",
    "ServiceAccount",
    "serviceaccounts",
    "Namespace",
    "namespaces",
    "Node",
    "nodes",
    "Ingress",
    "ingresses",
    "NetworkPolicy",
    "networkpolicies",
    "Role",
    "roles",
    "ClusterRole",
    "clusterroles",
    "RoleBinding",
    "rolebindings",
    "ClusterRoleBinding",
    "clusterrolebindings",
    "PersistentVolumeClaim",
    "persistentvolumeclaims",
    "ServiceMonitor",
    "servicemonitors",
    "PodMonitor",
    "podmonitors",
    "PrometheusRule",
    "prometheusrules",
    "User",
    "Group",
    // Defaults and well-known values of workloads and services.
    "TCP",
    "UDP",
    "SCTP",
    "ClusterIP",
    "NodePort",
    "LoadBalancer",
    "None",
    "Cluster",
    "Local",
    "SingleStack",
    "IPv4",
    "Always",
    "IfNotPresent",
    "Never",
    "OnFailure",
    "ClusterFirst",
    "ClusterFirstWithHostNet",
    "Default",
    "default-scheduler",
    "PreemptLowerPriority",
    "File",
    "FallbackToLogsOnError",
    "/dev/termination-log",
    "RuntimeDefault",
    "Localhost",
    "Unconfined",
    "ALL",
    "NET_BIND_SERVICE",
    "Equal",
    "Exists",
    "In",
    "NotIn",
    "DoesNotExist",
    "NoSchedule",
    "PreferNoSchedule",
    "NoExecute",
    "node.kubernetes.io/not-ready",
    "node.kubernetes.io/unreachable",
    "RollingUpdate",
    "Recreate",
    "25%",
    "Opaque",
    "kubernetes.io/service-account-token",
    "kube-root-ca.crt",
    "ca.crt",
    "token",
    "namespace",
    "metadata.namespace",
    "/var/run/secrets/kubernetes.io/serviceaccount",
    "ReadWriteOnce",
    "Filesystem",
    "Ingress",
    "Egress",
    "http",
    "https",
    "metrics",
];

/// The first eight bytes of `s`, zero-padded, as a big-endian number: prefixes
/// are in the order of the strings (`str::cmp`) wherever they differ.
pub(super) fn prefix(s: &[u8]) -> u64 {
    (0..8).fold(0, |w, i| {
        (w << 8) | u64::from(s.get(i).copied().unwrap_or(0))
    })
}

/// [`prefix`] of `bytes[start..start + len]`, read as one word where the body has
/// eight bytes from `start` (every string but one at its very end).
#[inline]
pub(super) fn prefix_at(bytes: &[u8], start: usize, len: usize) -> u64 {
    match bytes.get(start..start + 8) {
        Some(chunk) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_be_bytes(word);
            match len {
                0..8 => w & !(u64::MAX >> (8 * len)),
                _ => w,
            }
        }
        None => prefix(bytes.get(start..start + len).unwrap_or_default()),
    }
}

/// A fixed set of strings as shared values, found by their length and prefix.
pub(super) struct Table {
    /// Open addressing over [`SLOTS`] slots: 0 for none, else an index into
    /// `entries` plus one.
    slots: Box<[u16]>,
    entries: Vec<Entry>,
}

struct Entry {
    prefix: u64,
    name: &'static str,
    value: Value,
}

const SLOTS: usize = 1024;

fn slot(prefix: u64, len: usize) -> usize {
    ((prefix ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize & (SLOTS - 1)
}

impl Table {
    fn new(names: impl IntoIterator<Item = &'static str>, value: fn(&str) -> Value) -> Table {
        let mut table = Table {
            slots: vec![0; SLOTS].into_boxed_slice(),
            entries: Vec::new(),
        };
        for name in names {
            let prefix = prefix(name.as_bytes());
            if table.get(name.as_bytes(), prefix).is_some() {
                continue;
            }
            let mut i = slot(prefix, name.len());
            while table.slots[i] != 0 {
                i = (i + 1) & (SLOTS - 1);
            }
            table.entries.push(Entry {
                prefix,
                name,
                value: value(name),
            });
            // At most SLOTS - 1 names: the lists above are far shorter.
            table.slots[i] = table.entries.len() as u16;
        }
        table
    }

    /// The shared value of `s`, whose [`prefix`] is `prefix`, if it is listed.
    #[inline]
    pub(super) fn get(&self, s: &[u8], prefix: u64) -> Option<&Value> {
        let mut i = slot(prefix, s.len());
        loop {
            let at = usize::from(*self.slots.get(i)?);
            let entry = self.entries.get(at.checked_sub(1)?)?;
            let name = entry.name.as_bytes();
            if entry.prefix == prefix
                && name.len() == s.len()
                && (s.len() <= 8 || keys::same_bytes(&name[8..], &s[8..]))
            {
                return Some(&entry.value);
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }
}

/// The known object keys, as [`keys::key`] hands them out.
pub(super) static KEYS: LazyLock<Table> =
    LazyLock::new(|| Table::new(keys::KNOWN.iter().copied(), keys::key));

/// The recurring string values listed above.
pub(super) static STRINGS: LazyLock<Table> =
    LazyLock::new(|| Table::new(VALUES.iter().copied(), |s| Value::from(s)));

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn listed_strings_are_found_and_others_are_not() {
        for (table, names) in [(&*KEYS, keys::KNOWN), (&*STRINGS, VALUES)] {
            for name in names {
                let found = table.get(name.as_bytes(), prefix(name.as_bytes()));
                assert_eq!(found, Some(&Value::from(*name)), "{name}");
                for other in [format!("{name}x"), format!("x{name}"), format!("{name}\0")] {
                    if !names.contains(&other.as_str()) {
                        let found = table.get(other.as_bytes(), prefix(other.as_bytes()));
                        assert_eq!(found, None, "{other:?}");
                    }
                }
            }
        }
        // The keys are the very values the facts use.
        let Some(Value::String(a)) = KEYS.get(b"metadata", prefix(b"metadata")) else {
            panic!("metadata is a known key");
        };
        let Value::String(b) = keys::key("metadata") else {
            panic!("a key is a string");
        };
        assert!(std::sync::Arc::ptr_eq(a, &b));
    }

    proptest! {
        #[test]
        fn prefixes_order_as_their_strings_and_read_as_one_word(
            a in prop::collection::vec(prop::sample::select(vec![0u8, 1, b'a', b'b', 0x7f, 0x80, 0xff]), 0..12),
            b in prop::collection::vec(prop::sample::select(vec![0u8, 1, b'a', b'b', 0x7f, 0x80, 0xff]), 0..12),
            tail in prop::collection::vec(any::<u8>(), 0..10),
        ) {
            let (pa, pb) = (prefix(&a), prefix(&b));
            if pa != pb {
                prop_assert_eq!(pa.cmp(&pb), a.cmp(&b));
            }
            let mut body = a.clone();
            body.extend_from_slice(&tail);
            prop_assert_eq!(prefix_at(&body, 0, a.len()), pa);
        }
    }
}
