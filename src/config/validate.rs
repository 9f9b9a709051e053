//! Checks across fields: every namespace, group, user, IAM role, EKS cluster, node label, taint,
//! security group and registry belongs to at most one product.
//!
//! Overlap is decided exactly: two globs overlap when some name matches both
//! ([`super::glob::Glob::overlaps`]); `payroll-*` and `payroll-reports-*` overlap
//! (`payroll-reports-x` matches both), `payroll` and `payroll-*` do not. Registry
//! prefixes overlap when one lies under the other on whole path components; security
//! groups, node labels and taints when they are equal. Product namespace globs must
//! not overlap the shared namespaces either.

use super::error::{label, ConfigDiagnostic};
use super::glob::Glob;
use super::types::Config;
use crate::source::{ByteRange, PathSeg, SourceFile, SpanNode};

/// One thing a product claims, and where the config says so.
struct Claim<'a> {
    product: &'a str,
    /// The claim as written (`payroll-*`, `team=payroll`).
    text: String,
    path: Vec<PathSeg>,
}

fn key(s: &str) -> PathSeg {
    PathSeg::Key(s.into())
}

/// Every problem found, in file order.
pub fn check(config: &Config, file: &SourceFile, spans: &SpanNode) -> Vec<ConfigDiagnostic> {
    let at = |path: &[PathSeg]| -> ByteRange { spans.resolve(path).node.label_range() };
    let key_at = |path: &[PathSeg]| -> ByteRange {
        let node = spans.resolve(path).node;
        node.key_span.clone().unwrap_or_else(|| node.label_range())
    };
    let mut out = Vec::new();

    for name in config.products.keys() {
        if !is_product_name(name) {
            out.push(ConfigDiagnostic {
                message: format!("bad product name `{name}`"),
                primary: label(file, key_at(&[key("products"), key(name)]), "here"),
                secondary: Vec::new(),
                help: Some(
                    "product names are label values: lowercase letters, digits and `-`, at most 63 characters"
                        .into(),
                ),
            });
        }
    }
    if let Some(product) = &config.cluster.product {
        if !config.products.contains_key(product) {
            out.push(ConfigDiagnostic {
                message: format!("cluster.product `{product}` is not a declared product"),
                primary: label(
                    file,
                    at(&[key("cluster"), key("product")]),
                    "not under `products`",
                ),
                secondary: Vec::new(),
                help: Some(format!("declare it under `products: {{{product}: …}}`")),
            });
        }
    }
    for id in config.rules.keys() {
        if !is_rule_id(id) {
            out.push(ConfigDiagnostic {
                message: format!("bad rule id `{id}`"),
                primary: label(file, key_at(&[key("rules"), key(id)]), "here"),
                secondary: Vec::new(),
                help: Some("rule ids are kebab-case, as `blastwall rules` lists them".into()),
            });
        }
    }

    type Globs<'c> = fn(&'c super::types::Product) -> Vec<&'c Glob>;
    let glob_fields: [(&str, &str, Globs); 5] = [
        ("namespaces", "namespace", |p| {
            p.namespaces.iter().map(|g| &g.0).collect()
        }),
        ("groups", "group", |p| {
            p.groups.iter().map(|g| &g.0).collect()
        }),
        ("users", "user", |p| p.users.iter().map(|g| &g.0).collect()),
        ("iamRoles", "IAM role", |p| {
            p.iam_roles.iter().map(|g| &g.0).collect()
        }),
        ("clusters", "EKS cluster", |p| {
            p.clusters.iter().map(|g| &g.0).collect()
        }),
    ];
    for (field, noun, globs) in glob_fields {
        let mut claims: Vec<(Claim, &Glob)> = Vec::new();
        for (product, spec) in &config.products {
            for (i, glob) in globs(spec).into_iter().enumerate() {
                claims.push((
                    Claim {
                        product,
                        text: glob.to_string(),
                        path: vec![key("products"), key(product), key(field), PathSeg::Index(i)],
                    },
                    glob,
                ));
            }
        }
        overlaps(&claims, |a, b| a.overlaps(b), noun, file, &at, &mut out);
        if field == "namespaces" {
            for (claim, glob) in &claims {
                if let Some((i, shared)) = config
                    .shared_namespaces
                    .iter()
                    .enumerate()
                    .find(|(_, s)| s.overlaps(glob))
                {
                    let shared_path = [key("sharedNamespaces"), PathSeg::Index(i)];
                    let secondary = if spans.resolve(&shared_path).matched == 2 {
                        vec![label(
                            file,
                            at(&shared_path),
                            "shared namespace declared here",
                        )]
                    } else {
                        Vec::new()
                    };
                    out.push(ConfigDiagnostic {
                        message: format!(
                            "namespace glob `{}` of product {} overlaps the shared namespace `{}`",
                            claim.text, claim.product, shared.as_str()
                        ),
                        primary: label(file, at(&claim.path), "claimed here"),
                        secondary,
                        help: Some("shared namespaces belong to the platform, not to a product: narrow the glob".into()),
                    });
                }
            }
        }
    }

    let mut labels = Vec::new();
    let mut taints = Vec::new();
    let mut groups_of_sgs = Vec::new();
    let mut registries = Vec::new();
    for (product, spec) in &config.products {
        let base = |field: &str| vec![key("products"), key(product), key(field)];
        for (k, v) in &spec.node_labels {
            let mut path = base("nodeLabels");
            path.push(key(k));
            labels.push((
                Claim {
                    product,
                    text: format!("{k}={v}"),
                    path,
                },
                (),
            ));
        }
        for (k, v) in &spec.node_taints {
            let mut path = base("nodeTaints");
            path.push(key(k));
            taints.push((
                Claim {
                    product,
                    text: format!("{k}={v}"),
                    path,
                },
                (),
            ));
        }
        for (i, sg) in spec.security_groups.iter().enumerate() {
            let mut path = base("securityGroups");
            path.push(PathSeg::Index(i));
            groups_of_sgs.push((
                Claim {
                    product,
                    text: sg.0.clone(),
                    path,
                },
                (),
            ));
        }
        for (i, registry) in spec.registries.iter().enumerate() {
            let mut path = base("registries");
            path.push(PathSeg::Index(i));
            registries.push((
                Claim {
                    product,
                    text: registry.0.clone(),
                    path,
                },
                registry,
            ));
        }
    }
    overlaps_by_text(&labels, "node label", file, &at, &mut out);
    overlaps_by_text(&taints, "node taint", file, &at, &mut out);
    overlaps_by_text(&groups_of_sgs, "security group", file, &at, &mut out);
    overlaps(
        &registries,
        |a, b| a.overlaps(b),
        "registry",
        file,
        &at,
        &mut out,
    );

    let w = &config.webhook;
    for (field, value) in [
        ("namespace", &w.namespace),
        (
            "validatingWebhookConfiguration",
            &w.validating_webhook_configuration,
        ),
        ("deployment", &w.deployment),
        ("configMap", &w.config_map),
    ] {
        let ok = match field {
            "namespace" => is_product_name(value),
            _ => is_object_name(value),
        };
        if !ok {
            out.push(ConfigDiagnostic {
                message: format!("bad name `{value}` for webhook.{field}"),
                primary: label(file, at(&[key("webhook"), key(field)]), "here"),
                secondary: Vec::new(),
                help: Some(
                    "Kubernetes object names are lowercase letters, digits, `-` and `.` (namespaces: no `.`), at most 253 characters"
                        .into(),
                ),
            });
        }
    }

    out.sort_by_key(|d| d.primary.span.start);
    out
}

/// A DNS subdomain name, as most Kubernetes object names must be.
fn is_object_name(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_product_name)
}

/// Reports each pair of claims by different products that `overlap`.
fn overlaps<T: ?Sized>(
    claims: &[(Claim, &T)],
    overlap: impl Fn(&T, &T) -> bool,
    noun: &str,
    file: &SourceFile,
    at: &dyn Fn(&[PathSeg]) -> ByteRange,
    out: &mut Vec<ConfigDiagnostic>,
) {
    for (j, (later, b)) in claims.iter().enumerate() {
        let earlier = claims[..j]
            .iter()
            .find(|(c, a)| c.product != later.product && overlap(a, b));
        if let Some((first, _)) = earlier {
            out.push(overlap_diagnostic(first, later, noun, file, at));
        }
    }
}

/// Like [`overlaps`] for claims that collide only when written the same.
fn overlaps_by_text(
    claims: &[(Claim, ())],
    noun: &str,
    file: &SourceFile,
    at: &dyn Fn(&[PathSeg]) -> ByteRange,
    out: &mut Vec<ConfigDiagnostic>,
) {
    for (j, (later, _)) in claims.iter().enumerate() {
        let earlier = claims[..j]
            .iter()
            .find(|(c, _)| c.product != later.product && c.text == later.text);
        if let Some((first, _)) = earlier {
            out.push(overlap_diagnostic(first, later, noun, file, at));
        }
    }
}

fn overlap_diagnostic(
    first: &Claim,
    later: &Claim,
    noun: &str,
    file: &SourceFile,
    at: &dyn Fn(&[PathSeg]) -> ByteRange,
) -> ConfigDiagnostic {
    let message = if first.text == later.text {
        format!(
            "{noun} `{}` is claimed by two products, {} and {}",
            later.text, first.product, later.product
        )
    } else {
        format!(
            "{noun} `{}` of product {} overlaps `{}` of product {}",
            later.text, later.product, first.text, first.product
        )
    };
    ConfigDiagnostic {
        message,
        primary: label(
            file,
            at(&later.path),
            format!("claimed by {} here", later.product),
        ),
        secondary: vec![label(
            file,
            at(&first.path),
            format!("also claimed by {} here", first.product),
        )],
        help: Some(format!(
            "every {noun} must belong to exactly one product: narrow or remove one of the two"
        )),
    }
}

fn is_product_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn is_rule_id(id: &str) -> bool {
    is_product_name(id)
}
