//! Output formats of `blastwall access`: a human table, JSON (version 1), Mermaid and
//! Graphviz DOT graphs, and a self-contained HTML page ([`super::html`]). Renderers
//! only format an [`Answer`].
//!
//! JSON, version 1 (keys in this order; `file`/`line` absent when a step has no place):
//!
//! ```text
//! {"version":1,
//!  "query":{"kind":"matrix"|"principal"|"namespace"|"diff", ...the options given},
//!  "matrix"?:{"rows":[..],"columns":[..],
//!             "cells":[{"from","to","crossProduct","allowed","strongest":{"label","escalation"?},
//!                       "entries":[Entry]}],          // allowed: every entry is
//!             "principals":[{"name","kind","class","via","sources"?}]},
//!  "principals"?:[{"principal":{"name","kind","class","via","sources"?},"identities":[Step],"reach":[Entry]}],
//!  "namespace"?:{"name","owner","via","entries":[Entry]},
//!  "changes"?:[{"change":"gains"|"loses","principal","from","namespace","action",
//!               "crossProduct","escalation"?,"chain":[Step]}],
//!  "crossProduct"?:{"total","notAllowed"}}   // absent for --principal and --namespace
//!                                            // unless --fail-on or -f html
//! Entry: {"principal","kind","from","namespace","to","action":{"label","escalation"?},
//!         "allowed","source"?,"chain":[Step]}
//!         // source: how the principal holds the grant: "aws-auth mapRoles", "aws-auth
//!         // mapUsers", "access entry", "IRSA annotation", "node role mapped by EKS"
//! sources: the same for every identity of a principal, each once
//! Step:  {"step","text","file"?,"line"?}
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::graph::Step;
use super::query::{kind_text, Change, Entry, Matrix, PrincipalInfo};

/// Output formats of `access --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessFormat {
    /// A table, and the chain behind every cross-product cell.
    Human,
    /// One JSON document (`version: 1`).
    Json,
    /// A Mermaid flowchart: principals -> groups -> bindings -> namespaces.
    Mermaid,
    /// The same graph in Graphviz DOT.
    Dot,
    /// One self-contained HTML page: the matrix, filters, the chain behind each cell.
    Html,
}

/// The JSON version.
pub const VERSION: u32 = 1;

/// A principal's reach.
#[derive(Clone, Debug, Serialize)]
pub struct PrincipalReach {
    pub principal: PrincipalInfo,
    pub identities: Vec<Step>,
    pub reach: Vec<Entry>,
}

/// Who can act in one namespace.
#[derive(Clone, Debug, Serialize)]
pub struct NamespaceAnswer {
    pub name: String,
    pub owner: String,
    pub via: String,
    pub entries: Vec<Entry>,
}

/// What was asked.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Query {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

/// Counts of cross-product reach, for the verdict.
#[derive(Clone, Copy, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossProduct {
    /// Entries (principal, cell) where a product reaches another product.
    pub total: usize,
    /// Those the config does not allow.
    pub not_allowed: usize,
}

/// One answer of `blastwall access`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub version: u32,
    pub query: Query,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix: Option<Matrix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principals: Option<Vec<PrincipalReach>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<NamespaceAnswer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<Change>>,
    /// Present when the matrix was computed: always, except for `--principal` and
    /// `--namespace` without `--fail-on` or `-f html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_product: Option<CrossProduct>,
    /// The cluster name of the config, for titles.
    #[serde(skip)]
    pub cluster: Option<String>,
}

impl Answer {
    /// Every entry the answer holds, for the graph formats.
    fn entries(&self) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = Vec::new();
        if let Some(m) = &self.matrix {
            out.extend(m.cells.iter().flat_map(|c| c.entries.iter()));
        }
        if let Some(ps) = &self.principals {
            out.extend(ps.iter().flat_map(|p| p.reach.iter()));
        }
        if let Some(ns) = &self.namespace {
            out.extend(ns.entries.iter());
        }
        out
    }
}

/// Writes `answer` in `format`.
pub fn write(answer: &Answer, format: AccessFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        AccessFormat::Human => out.write_all(human(answer).as_bytes()),
        AccessFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, answer)?;
            out.write_all(b"\n")
        }
        AccessFormat::Mermaid => out.write_all(mermaid(answer).as_bytes()),
        AccessFormat::Dot => out.write_all(dot(answer).as_bytes()),
        AccessFormat::Html => out.write_all(super::html::page(answer).as_bytes()),
    }
}

fn place_text(step: &Step) -> String {
    step.place
        .as_ref()
        .map(|p| format!("  {p}"))
        .unwrap_or_default()
}

fn chain_lines(chain: &[Step], indent: &str, out: &mut String) {
    for step in chain {
        let _ = writeln!(
            out,
            "{indent}{:<12} {}{}",
            step.step,
            step.text,
            place_text(step)
        );
    }
}

fn action_text(e: &Entry) -> String {
    match e.action.escalation {
        Some(esc) => format!(
            "{} (escalation: {})",
            e.action.label,
            serde_json::to_value(esc)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
        None => e.action.label.clone(),
    }
}

/// The human format.
pub fn human(answer: &Answer) -> String {
    let mut out = String::new();
    if let Some(m) = &answer.matrix {
        matrix_table(m, &mut out);
    }
    if let Some(ps) = &answer.principals {
        for p in ps {
            let _ = writeln!(
                out,
                "{} {} ({}: {})",
                kind_text(p.principal.kind),
                p.principal.name,
                p.principal.class,
                p.principal.via
            );
            if !p.identities.is_empty() {
                out.push_str("  known as:\n");
                for s in &p.identities {
                    let _ = writeln!(out, "    {}{}", s.text, place_text(s));
                }
            }
            if p.reach.is_empty() {
                out.push_str("  can do nothing the inputs grant\n");
            }
            let mut last = None;
            for e in &p.reach {
                if last != Some(&e.namespace) {
                    let _ = writeln!(out, "  in {} ({}):", namespace_text(&e.namespace), e.to);
                    last = Some(&e.namespace);
                }
                let _ = writeln!(out, "    {}", action_text(e));
                chain_lines(&e.chain[1..], "      ", &mut out);
            }
            out.push('\n');
        }
    }
    if let Some(ns) = &answer.namespace {
        let what = match (&answer.query.verb, &answer.query.resource) {
            (None, None) => "act".to_string(),
            (v, r) => format!(
                "{} {}",
                v.as_deref().unwrap_or("(any verb)"),
                r.as_deref().unwrap_or("(any resource)")
            ),
        };
        let _ = writeln!(
            out,
            "Who can {what} in namespace {} ({}: {}):",
            ns.name, ns.owner, ns.via
        );
        if ns.entries.is_empty() {
            out.push_str("  nobody the inputs name\n");
        }
        for e in &ns.entries {
            let _ = writeln!(
                out,
                "  [{}] {} {}: {}",
                e.from,
                kind_text(e.kind),
                e.principal,
                action_text(e)
            );
            chain_lines(&e.chain[1..], "      ", &mut out);
        }
    }
    if let Some(changes) = &answer.changes {
        let _ = writeln!(
            out,
            "Compared with {}: {} change(s) in reach",
            answer.query.base.as_deref().unwrap_or("the base"),
            changes.len()
        );
        for c in changes {
            let mark = if c.cross_product {
                " [cross-product]"
            } else {
                ""
            };
            let _ = writeln!(out, "  {}{mark}", c.sentence());
            chain_lines(&c.chain[1..], "      ", &mut out);
        }
    }
    if let Some(cp) = answer.cross_product {
        let _ = writeln!(
            out,
            "{} cross-product reach, {} not allowed by the config",
            cp.total, cp.not_allowed
        );
    }
    out
}

fn namespace_text(ns: &str) -> String {
    match ns {
        "*" => "every namespace".to_string(),
        "(cluster)" => "the cluster (cluster-scoped resources)".to_string(),
        ns => format!("namespace {ns}"),
    }
}

fn matrix_table(m: &Matrix, out: &mut String) {
    let cells: BTreeMap<(&str, &str), &super::query::Cell> = m
        .cells
        .iter()
        .map(|c| ((c.from.as_str(), c.to.as_str()), c))
        .collect();
    let text = |row: &str, col: &str| -> String {
        match cells.get(&(row, col)) {
            None => "-".to_string(),
            Some(c) => {
                // Reach across products the config allows is shown apart from the rest.
                let mark = match (c.cross_product, c.allowed) {
                    (true, false) => "!",
                    (true, true) => "~",
                    _ => "",
                };
                format!("{}{mark} ({})", c.strongest.label, c.entries.len())
            }
        }
    };
    let mut widths = vec![m.rows.iter().map(|r| r.len()).max().unwrap_or(4).max(9)];
    for col in &m.columns {
        let w = m
            .rows
            .iter()
            .map(|r| text(r, col).chars().count())
            .max()
            .unwrap_or(1)
            .max(col.len());
        widths.push(w);
    }
    out.push_str("Strongest action of each product (rows) in each product's namespaces (columns),\nwith the number of principals; ! marks cross-product reach, ~ cross-product reach\nthe config allows (allowedClusterRoles).\n\n");
    let _ = write!(out, "{:<w$}", "from \\ to", w = widths[0]);
    for (i, col) in m.columns.iter().enumerate() {
        let _ = write!(out, "  {:<w$}", col, w = widths[i + 1]);
    }
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "{:<w$}", row, w = widths[0]);
        for (i, col) in m.columns.iter().enumerate() {
            let _ = write!(out, "  {:<w$}", text(row, col), w = widths[i + 1]);
        }
        out.push('\n');
    }
    let cross: Vec<&super::query::Cell> = m.cells.iter().filter(|c| c.cross_product).collect();
    if !cross.is_empty() {
        out.push_str("\nCross-product reach:\n");
    }
    for c in cross {
        let _ = writeln!(out, "  {} → {}:", c.from, c.to);
        for e in &c.entries {
            let allowed = if e.allowed {
                " [allowed by the config]"
            } else {
                ""
            };
            let via = e.source.map(|s| format!(" (via {s})")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} {}{via}: {} in {}{allowed}",
                kind_text(e.kind),
                e.principal,
                action_text(e),
                namespace_text(&e.namespace)
            );
            chain_lines(&e.chain[1..], "      ", out);
        }
    }
    out.push('\n');
}

/// The nodes and edges the graph formats draw.
struct GraphView {
    /// id → (label, class (row or column label), kind)
    nodes: BTreeMap<String, (String, String, &'static str)>,
    /// (from id, to id) → (label, cross-product)
    edges: BTreeMap<(String, String), (String, bool)>,
    classes: Vec<String>,
}

fn graph_view(answer: &Answer) -> GraphView {
    let mut v = GraphView {
        nodes: BTreeMap::new(),
        edges: BTreeMap::new(),
        classes: Vec::new(),
    };
    let class = |c: &str, v: &mut GraphView| {
        if !v.classes.iter().any(|x| x == c) {
            v.classes.push(c.to_string());
        }
    };
    let mut sources: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in answer.entries() {
        let cross = e.from != e.to
            && answer
                .matrix
                .as_ref()
                .map(|m| m.rows.contains(&e.to))
                .unwrap_or(true)
            && !["admins", "nodes", "system", "unknown"].contains(&e.from.as_str())
            && !["shared", "unowned", "cluster", "every namespace"].contains(&e.to.as_str())
            && !e.allowed;
        let principal = format!("p:{}", e.principal);
        class(&e.from, &mut v);
        class(&e.to, &mut v);
        // Where the principal's identity comes from: aws-auth, an access entry, IRSA.
        let sources = sources.entry(principal.clone()).or_default();
        if let Some(source) = e.source {
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        let via = if sources.is_empty() {
            String::new()
        } else {
            format!(" (via {})", sources.join(", "))
        };
        v.nodes.insert(
            principal.clone(),
            (
                format!("{} {}{via}", kind_text(e.kind), e.principal),
                e.from.clone(),
                "principal",
            ),
        );
        let mut prev = principal;
        for step in &e.chain {
            let id = match step.step {
                "subject" => format!("s:{}", step.text),
                "binding" => format!("b:{}", step.text.split(" → ").next().unwrap_or("")),
                _ => continue,
            };
            let label = match step.step {
                "binding" => step.text.split(" → ").next().unwrap_or("").to_string(),
                _ => step.text.clone(),
            };
            v.nodes
                .entry(id.clone())
                .or_insert((label, String::new(), step.step));
            let edge = v
                .edges
                .entry((prev.clone(), id.clone()))
                .or_insert((String::new(), false));
            edge.1 |= cross;
            prev = id;
        }
        let ns = format!("n:{}", e.namespace);
        let ns_label = match e.namespace.as_str() {
            "*" => "every namespace".to_string(),
            n => n.to_string(),
        };
        v.nodes
            .insert(ns.clone(), (ns_label, e.to.clone(), "namespace"));
        let edge = v.edges.entry((prev, ns)).or_insert((String::new(), false));
        if edge.0.is_empty() {
            edge.0 = e.action.label.clone();
        }
        edge.1 |= cross;
    }
    v
}

const PALETTE: &[&str] = &[
    "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
];

fn colour(class: &str, classes: &[String]) -> &'static str {
    match class {
        "admins" => "#444444",
        "nodes" => "#7f7f7f",
        "system" | "shared" | "cluster" => "#a0a0a0",
        "unknown" | "unowned" | "" => "#c0b090",
        _ => {
            let products: Vec<&String> = classes
                .iter()
                .filter(|c| {
                    ![
                        "admins", "nodes", "system", "shared", "cluster", "unknown", "unowned", "",
                    ]
                    .contains(&c.as_str())
                        && c.as_str() != "every namespace"
                })
                .collect();
            let i = products.iter().position(|c| *c == class).unwrap_or(0);
            PALETTE[i % PALETTE.len()]
        }
    }
}

const RED: &str = "#d62728";

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Mermaid flowchart of the answer's chains.
pub fn mermaid(answer: &Answer) -> String {
    let v = graph_view(answer);
    let ids: BTreeMap<&String, String> = v
        .nodes
        .keys()
        .enumerate()
        .map(|(i, k)| (k, format!("n{i}")))
        .collect();
    let mut out = String::from("flowchart LR\n");
    for (key, (label, class, kind)) in &v.nodes {
        let id = &ids[key];
        let label = mermaid_text(label);
        let shape = match *kind {
            "principal" => format!("{id}([\"{label}\"])"),
            "namespace" => format!("{id}[(\"{label}\")]"),
            _ => format!("{id}[\"{label}\"]"),
        };
        let _ = writeln!(out, "  {shape}");
        if !class.is_empty() {
            let _ = writeln!(
                out,
                "  style {id} fill:{},color:#ffffff",
                colour(class, &v.classes)
            );
        }
    }
    for (i, ((from, to), (label, cross))) in v.edges.iter().enumerate() {
        let arrow = match label.is_empty() {
            true => "-->".to_string(),
            false => format!("-->|\"{}\"|", mermaid_text(label)),
        };
        let _ = writeln!(out, "  {} {arrow} {}", ids[from], ids[to]);
        if *cross {
            let _ = writeln!(out, "  linkStyle {i} stroke:{RED},stroke-width:3px");
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The answer's chains in Graphviz DOT.
pub fn dot(answer: &Answer) -> String {
    let v = graph_view(answer);
    let mut out = String::from(
        "digraph access {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fillcolor=\"#eeeeee\"];\n",
    );
    for (key, (label, class, kind)) in &v.nodes {
        let shape = match *kind {
            "principal" => ", shape=ellipse",
            "namespace" => ", shape=cylinder",
            _ => "",
        };
        let fill = match class.is_empty() {
            true => String::new(),
            false => format!(
                ", fillcolor=\"{}\", fontcolor=\"#ffffff\"",
                colour(class, &v.classes)
            ),
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\"{shape}{fill}];",
            dot_text(key),
            dot_text(label)
        );
    }
    for ((from, to), (label, cross)) in &v.edges {
        let mut attrs = Vec::new();
        if !label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(label)));
        }
        if *cross {
            attrs.push(format!("color=\"{RED}\", penwidth=2.5"));
        }
        let attrs = match attrs.is_empty() {
            true => String::new(),
            false => format!(" [{}]", attrs.join(", ")),
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\"{attrs};",
            dot_text(from),
            dot_text(to)
        );
    }
    out.push_str("}\n");
    out
}
