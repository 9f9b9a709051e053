//! `blastwall access`: who can reach which product, from IAM principal to RBAC verb.
//!
//! The model is a graph read from the same inputs `lint` reads:
//!
//! ```text
//! IAM principal ──identity edge──► username, groups (or a ServiceAccount, for IRSA)
//!     (aws-auth mapRoles/mapUsers, access entries, node roles EKS maps, IRSA annotations)
//!   ──► RoleBinding / ClusterRoleBinding subject ──► Role / ClusterRole
//!     (the EKS defaults known without being in the files; aggregation resolved)
//!   ──► rule (verbs, resources, resourceNames; wildcards match everything)
//!   ──► namespace (or every namespace, or the cluster) ──► the product that owns it
//! ```
//!
//! Every edge keeps the file and line it is declared on. Identity formats only
//! produce [`model::IdentityEdge`]s (principal → username and groups, with a place):
//! a reader of EKS access entries adds its edges to [`read::Inputs::identities`], and
//! an access policy becomes a binding of the principal's username to a built-in
//! ClusterRole, so nothing downstream changes.
//!
//! Escalation paths count as reach and are named ([`action::Escalation`]); reach
//! gained by impersonating a named group or user, or a ServiceAccount, is followed
//! one step. What the model does not see: IAM policies, admission webhooks that deny
//! what RBAC allows, the Node authorizer, and anything not in the inputs.

pub mod action;
pub mod graph;
pub mod html;
pub mod model;
pub mod query;
pub mod read;
pub mod render;

pub use graph::Graph;
pub use read::Inputs;

use std::sync::Arc;

use crate::config::Config;
use crate::facts::roles::RolePattern;
use crate::facts::tenancy::Tenancy;
use crate::source::{Loaded, PathSeg};
use model::{IdentityEdge, IdentitySource, Place, PrincipalKind};

/// The graph of `loaded`, with product ownership from `config` when there is one.
pub fn build(loaded: &Loaded, config: Option<&Config>) -> Graph {
    let named = config.and_then(|c| c.cluster.name.as_deref());
    let run = crate::access_entries::run::RunIndex::build(loaded, named);
    let cluster = run.as_ref().and_then(|r| r.cluster()).or(named);
    let mut inputs = Inputs::read_for(loaded, cluster);
    if let Some(run) = &run {
        entries_win(&mut inputs, run.cluster_mode());
    }
    if let Some(config) = config {
        eks_node_roles(&mut inputs, config);
    }
    let tenancy = config.map(|c| Arc::new(Tenancy::new(c.clone())));
    Graph::build(inputs, tenancy)
}

/// What EKS reads of aws-auth beside access entries, by the cluster's
/// authentication mode (`mode`, when the run declares it): in API mode nothing (its
/// mappings are dropped); in CONFIG_MAP mode no access entry (EKS rejects them);
/// otherwise, for a principal that has an access entry, the entry alone (its aws-auth
/// mapping is dropped).
fn entries_win(inputs: &mut Inputs, mode: Option<&str>) {
    let aws_auth = |e: &IdentityEdge| {
        matches!(
            e.source,
            IdentitySource::AwsAuthMapRoles | IdentitySource::AwsAuthMapUsers
        )
    };
    match mode {
        Some("API") => inputs.identities.retain(|e| !aws_auth(e)),
        Some("CONFIG_MAP") => {
            inputs
                .identities
                .retain(|e| e.source != IdentitySource::AccessEntry);
            inputs.bindings.retain(|b| b.access_policy.is_none());
        }
        _ => {
            let key = crate::access_entries::run::principal_key;
            let entries: std::collections::BTreeSet<String> = inputs
                .identities
                .iter()
                .filter(|e| e.source == IdentitySource::AccessEntry)
                .map(|e| key(&e.arn))
                .collect();
            inputs
                .identities
                .retain(|e| !aws_auth(e) || !entries.contains(&key(&e.arn)));
        }
    }
}

/// EKS maps the node role of a managed node group itself (in aws-auth on a
/// CONFIG_MAP cluster, as an access entry otherwise), so a node role of the config
/// that the files do not map is still a node: an edge placed at its `nodeRoles`
/// line of the config.
fn eks_node_roles(inputs: &mut Inputs, config: &Config) {
    for (i, glob) in config.node_roles.iter().enumerate() {
        let pattern = RolePattern::new(glob);
        let mapped = inputs.identities.iter().any(|e| {
            matches!(
                e.source,
                IdentitySource::AwsAuthMapRoles | IdentitySource::AccessEntry
            ) && pattern.matches(&e.arn)
        });
        if mapped {
            continue;
        }
        let place = config.source.as_ref().map(|source| {
            let path = [PathSeg::Key("nodeRoles".into()), PathSeg::Index(i)];
            let node = source.spans.resolve(&path).node;
            Place {
                file: Arc::from(source.file.name.as_str()),
                line: source.file.line_col(node.span.start).0,
            }
        });
        inputs.identities.push(IdentityEdge {
            arn: glob.as_str().to_string(),
            kind: PrincipalKind::IamRole,
            source: IdentitySource::EksNodeRole,
            username: Some("system:node:{{EC2PrivateDNSName}}".into()),
            groups: vec!["system:bootstrappers".into(), "system:nodes".into()],
            service_account: None,
            node: true,
            place,
            label: format!("config nodeRoles[{i}], mapped by EKS (managed node group)"),
            cluster: None,
        });
    }
}

#[cfg(test)]
mod tests;
