//! Checks of the config's `rules` and `exemptions`.
//!
//! [`check`] runs with the other config checks, on the file alone: every exemption
//! has a reason and an owner, and a scope narrower than "everything". Whether rule
//! ids exist, and whether parameters are ones the rule takes, is known only once the
//! rules are compiled: [`check_rules`] answers that, with the same line:column errors.

use serde_json::Value as Json;

use super::error::{label, ConfigDiagnostic, ConfigError};
use super::types::{Config, LabelOperator};
use crate::finding::RuleMeta;
use crate::source::{ByteRange, PathSeg, SourceFile, SpanNode};

fn key(s: &str) -> PathSeg {
    PathSeg::Key(s.into())
}

/// Where `path` is: the value, or the key of a collection.
fn at(spans: &SpanNode, path: &[PathSeg]) -> ByteRange {
    spans.resolve(path).node.label_range()
}

/// Where the key of `path` is, falling back to the value.
fn key_at(spans: &SpanNode, path: &[PathSeg]) -> ByteRange {
    let node = spans.resolve(path).node;
    node.key_span.clone().unwrap_or_else(|| node.label_range())
}

fn diagnostic(
    file: &SourceFile,
    span: ByteRange,
    message: String,
    at: &str,
    help: Option<String>,
) -> ConfigDiagnostic {
    ConfigDiagnostic {
        message,
        primary: label(file, span, at),
        secondary: Vec::new(),
        help,
    }
}

/// Problems of `exemptions` that the file alone shows.
pub fn check(config: &Config, file: &SourceFile, spans: &SpanNode) -> Vec<ConfigDiagnostic> {
    let mut out = Vec::new();
    for (i, e) in config.exemptions.iter().enumerate() {
        let base = vec![key("exemptions"), PathSeg::Index(i)];
        let field = |name: &str| {
            let mut p = base.clone();
            p.push(key(name));
            p
        };
        for (name, value) in [("reason", &e.reason), ("owner", &e.owner)] {
            if value.trim().is_empty() {
                out.push(diagnostic(
                    file,
                    at(spans, &field(name)),
                    format!("exemptions[{i}].{name} is empty"),
                    "here",
                    Some("every exemption says why it is granted (`reason`) and who answers for it (`owner`)".into()),
                ));
            }
        }
        if e.kind.as_deref().is_some_and(|k| k.trim().is_empty()) {
            out.push(diagnostic(
                file,
                at(spans, &field("kind")),
                format!("exemptions[{i}].kind is empty"),
                "here",
                None,
            ));
        }
        let unscoped = e.namespace.is_none()
            && e.kind.is_none()
            && e.name.is_none()
            && e.selector
                .as_ref()
                .is_none_or(|s| s.match_labels.is_empty() && s.match_expressions.is_empty());
        if unscoped {
            out.push(diagnostic(
                file,
                at(spans, &base),
                format!("exemptions[{i}] applies to every object"),
                "no namespace, kind, name or selector",
                Some("narrow it with `namespace`, `kind`, `name` or `selector`; to switch a rule off everywhere, set `rules.<id>.enforcement` to `off`".into()),
            ));
        }
        if let Some(selector) = &e.selector {
            for (j, expr) in selector.match_expressions.iter().enumerate() {
                let mut path = field("selector");
                path.extend([key("matchExpressions"), PathSeg::Index(j)]);
                let needs_values =
                    matches!(expr.operator, LabelOperator::In | LabelOperator::NotIn);
                if needs_values == expr.values.is_empty() {
                    let what = if needs_values {
                        "needs `values`"
                    } else {
                        "takes no `values`"
                    };
                    out.push(diagnostic(
                        file,
                        at(spans, &path),
                        format!("operator {:?} {what}", expr.operator),
                        "here",
                        None,
                    ));
                }
            }
        }
    }
    out
}

/// Checks that every rule id the config names (`rules.<id>`, `exemptions[].rule`) is
/// one of `rules`, and that `rules.<id>.params` are parameters the rule declares, with
/// values of the type of their defaults.
pub fn check_rules(config: &Config, rules: &[RuleMeta]) -> Result<(), ConfigError> {
    let fallback;
    let (file, spans) = match &config.source {
        Some(source) => (&source.file, &source.spans),
        None => {
            fallback = (
                SourceFile::new("<config>".into(), None, String::new()),
                SpanNode::default(),
            );
            (&fallback.0, &fallback.1)
        }
    };
    let find = |id: &str| rules.iter().find(|r| r.id == id);
    let mut out = Vec::new();
    for (id, settings) in &config.rules {
        let path = vec![key("rules"), key(id)];
        let Some(meta) = find(id) else {
            out.push(unknown_rule(file, key_at(spans, &path), id, rules));
            continue;
        };
        if let Some(params) = &settings.params {
            let mut params_path = path.clone();
            params_path.push(key("params"));
            out.extend(check_params(file, spans, &params_path, meta, params));
        }
    }
    for (i, e) in config.exemptions.iter().enumerate() {
        let single = e.rule.0.len() == 1;
        for (j, id) in e.rule.0.iter().enumerate() {
            if find(id).is_none() {
                let mut path = vec![key("exemptions"), PathSeg::Index(i), key("rule")];
                if !single {
                    path.push(PathSeg::Index(j));
                }
                out.push(unknown_rule(file, at(spans, &path), id, rules));
            }
        }
    }
    if out.is_empty() {
        return Ok(());
    }
    out.sort_by_key(|d| d.primary.span.start);
    Err(ConfigError::Invalid {
        file: file.name.clone(),
        text: file.text.clone(),
        diagnostics: out,
    })
}

fn unknown_rule(
    file: &SourceFile,
    span: ByteRange,
    id: &str,
    rules: &[RuleMeta],
) -> ConfigDiagnostic {
    let help = match suggest_rule(id, rules) {
        Some(near) => format!("did you mean `{near}`? `blastwall rules` lists every rule"),
        None => "`blastwall rules` lists every rule".into(),
    };
    diagnostic(
        file,
        span,
        format!("unknown rule `{id}`"),
        "no rule has this id",
        Some(help),
    )
}

fn check_params(
    file: &SourceFile,
    spans: &SpanNode,
    path: &[PathSeg],
    meta: &RuleMeta,
    params: &serde_json::Map<String, Json>,
) -> Vec<ConfigDiagnostic> {
    let declared = meta.params.as_ref().filter(|p| !p.is_empty());
    let Some(declared) = declared else {
        return vec![diagnostic(
            file,
            key_at(spans, path),
            format!("rule `{}` takes no params", meta.id),
            "not a parameter of the rule",
            None,
        )];
    };
    let mut out = Vec::new();
    for (name, value) in params {
        let mut here = path.to_vec();
        here.push(key(name));
        let Some(default) = declared.get(name) else {
            let names: Vec<String> = declared.keys().map(|k| format!("`{k}`")).collect();
            out.push(diagnostic(
                file,
                key_at(spans, &here),
                format!("rule `{}` has no parameter `{name}`", meta.id),
                "unknown parameter",
                Some(format!("its parameters are {}", names.join(", "))),
            ));
            continue;
        };
        if let Some((problem, item)) = type_mismatch(default, value) {
            if let Some(i) = item {
                here.push(PathSeg::Index(i));
            }
            out.push(diagnostic(
                file,
                at(spans, &here),
                format!("rules.{}.params.{name}: {problem}", meta.id),
                "here",
                Some(format!("the default is {default}")),
            ));
        }
    }
    out
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

/// Why `value` cannot stand in for `default`, if it cannot: another type, or a list
/// with an item (whose index comes with the reason) of another type than the
/// default's items (strings, when the default is an empty list).
fn type_mismatch(default: &Json, value: &Json) -> Option<(String, Option<usize>)> {
    if std::mem::discriminant(default) != std::mem::discriminant(value) {
        let why = format!("expected {}, found {}", kind(default), kind(value));
        return Some((why, None));
    }
    let (Json::Array(defaults), Json::Array(items)) = (default, value) else {
        return None;
    };
    let string = Json::String(String::new());
    let item_kind = defaults.first().unwrap_or(&string);
    items
        .iter()
        .position(|item| std::mem::discriminant(item) != std::mem::discriminant(item_kind))
        .map(|i| {
            let why = format!(
                "expected a list of {}s, found {} in it",
                kind(item_kind).trim_start_matches("a "),
                kind(&items[i])
            );
            (why, Some(i))
        })
}

/// The rule a user most likely meant by the unknown id `id`: the nearest by edit
/// distance when it is near enough to be a typo, else the only rule whose id holds
/// `id` (`privileged` → `privileged-container`).
pub fn suggest_rule<'a>(id: &str, rules: &'a [RuleMeta]) -> Option<&'a str> {
    if let Some(near) = closest(id, rules.iter().map(|r| r.id.as_str())) {
        return Some(near);
    }
    let lower = id.to_ascii_lowercase();
    let mut holding = rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|r| lower.len() >= 3 && r.contains(lower.as_str()));
    match (holding.next(), holding.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// The id nearest to `id` by edit distance, if it is near enough to be a typo.
fn closest<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    ids.map(|c| (edit_distance(id, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 4) && *d < c.len())
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const HEAD: &str = "apiVersion: blastwall.dev/v1alpha1\nkind: Config\n";

    fn rule(id: &str, params: Option<Json>) -> RuleMeta {
        RuleMeta {
            id: id.into(),
            title: "t".into(),
            severity: Severity::Error,
            category: "workload".into(),
            description: "d".into(),
            remediation: "r".into(),
            example: None,
            source: String::new(),
            exemptible: true,
            params: params.and_then(|p| p.as_object().cloned()),
            kinds: None,
            checks_pods: false,
        }
    }

    fn rules() -> Vec<RuleMeta> {
        vec![
            rule("host-path-volume", None),
            rule(
                "dangerous-capabilities",
                Some(serde_json::json!({"capabilities": ["ALL"]})),
            ),
        ]
    }

    fn errors(body: &str) -> Vec<String> {
        let err = match crate::config::parse("c.yaml", format!("{HEAD}{body}")) {
            Ok(config) => match check_rules(&config, &rules()) {
                Ok(()) => return Vec::new(),
                Err(e) => e,
            },
            Err(e) => e,
        };
        err.to_string().lines().map(str::to_string).collect()
    }

    const VALID: &str = "reason: r\n    owner: o\n    expires: 2030-01-01\n";

    #[test]
    fn unknown_rule_ids_are_errors_at_their_place_with_a_suggestion() {
        let body = format!(
            "rules:\n  host-path-volumes: {{enforcement: {{ci: off}}}}\nexemptions:\n  - rule: [host-path-volume, no-such-rule]\n    namespace: x\n    {VALID}"
        );
        assert_eq!(
            errors(&body),
            [
                "c.yaml:4:3: unknown rule `host-path-volumes`",
                "c.yaml:6:30: unknown rule `no-such-rule`"
            ]
        );
        let err = check_rules(
            &crate::config::parse(
                "c.yaml",
                format!("{HEAD}rules:\n  host-path-volumes: {{}}\n"),
            )
            .unwrap(),
            &rules(),
        )
        .unwrap_err();
        assert!(
            err.render(false)
                .contains("did you mean `host-path-volume`?"),
            "{}",
            err.render(false)
        );
    }

    #[test]
    fn params_must_be_declared_and_typed_like_their_defaults() {
        assert_eq!(
            errors("rules:\n  host-path-volume: {params: {paths: [/proc]}}\n"),
            ["c.yaml:4:22: rule `host-path-volume` takes no params"]
        );
        assert_eq!(
            errors("rules:\n  dangerous-capabilities:\n    params:\n      caps: [SYS_ADMIN]\n      capabilities: SYS_ADMIN\n"),
            [
                "c.yaml:6:7: rule `dangerous-capabilities` has no parameter `caps`",
                "c.yaml:7:21: rules.dangerous-capabilities.params.capabilities: expected a list, found a string",
            ]
        );
        assert_eq!(
            errors("rules:\n  dangerous-capabilities: {params: {capabilities: [1]}}\n"),
            ["c.yaml:4:52: rules.dangerous-capabilities.params.capabilities: expected a list of strings, found a number in it"]
        );
        assert!(
            errors("rules:\n  dangerous-capabilities: {params: {capabilities: []}}\n").is_empty()
        );
    }

    #[test]
    fn exemptions_need_a_reason_an_owner_and_a_scope() {
        assert_eq!(
            errors("exemptions:\n  - {rule: host-path-volume, reason: \" \", owner: sre, expires: 2030-01-01}\n"),
            [
                "c.yaml:4:5: exemptions[0] applies to every object",
                "c.yaml:4:38: exemptions[0].reason is empty",
            ]
        );
        assert_eq!(
            errors("exemptions:\n  - rule: host-path-volume\n    selector: {matchExpressions: [{key: a, operator: In}]}\n    reason: r\n    owner: o\n    expires: 2030-02-30\n"),
            ["c.yaml:8:14: exemptions[0].expires: bad date `2030-02-30`: there is no such day"]
        );
        assert_eq!(
            errors("exemptions:\n  - rule: host-path-volume\n    selector: {matchExpressions: [{key: a, operator: In}]}\n    reason: r\n    owner: o\n    expires: 2030-02-28\n"),
            ["c.yaml:5:35: operator In needs `values`"]
        );
        assert_eq!(
            errors("exemptions:\n  - rule: []\n    kind: Pod\n    reason: r\n    owner: o\n    expires: 2030-02-28\n"),
            ["c.yaml:4:5: exemptions[0].rule: the list of rule ids is empty"]
        );
    }

    #[test]
    fn typos_are_suggested_only_when_close() {
        let ids = ["host-path-volume", "host-port", "privileged-container"];
        assert_eq!(
            closest("host-path-volumes", ids.into_iter()),
            Some("host-path-volume")
        );
        assert_eq!(closest("privileged", ids.into_iter()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
