//! `blastwall access` at scale: a generated cluster of 10 products, 1,000 namespaces,
//! 1,000 IAM roles in aws-auth and 50,000 RoleBindings (each to a group and a
//! ServiceAccount, to `edit`, `view` or `admin`; one in fifty binds another product's
//! group). Prints how long each stage takes, so the figure in the README can be
//! checked:
//!
//! ```sh
//! cargo bench --bench access_scale                 # 50,000 bindings
//! BLASTWALL_BINDINGS=100000 cargo bench --bench access_scale
//! ```
//!
//! Not a timed test: nothing here fails on a slow machine.

use std::fmt::Write as _;
use std::time::Instant;

use blastwall::access;
use blastwall::source::{load, Limits};

const PRODUCTS: usize = 10;

fn config() -> String {
    let mut c = String::from("apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n");
    for p in 0..PRODUCTS {
        let _ = writeln!(
            c,
            "  p{p}: {{namespaces: [\"p{p}-*\"], groups: [\"p{p}:*\"], iamRoles: [\"arn:aws:iam::210987654321:role/p{p}-*\"]}}"
        );
    }
    c.push_str("admins: {groups: [\"sre:admins\"]}\n");
    c
}

fn aws_auth() -> String {
    let mut s = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n",
    );
    for i in 0..1000 {
        let p = i % PRODUCTS;
        let _ = write!(
            s,
            "    - rolearn: arn:aws:iam::210987654321:role/p{p}-r{i}\n      username: p{p}-r{i}:{{{{SessionName}}}}\n      groups: [\"p{p}:team{}\"]\n",
            i % 100
        );
    }
    s
}

fn bindings(n: usize) -> String {
    let mut s = String::with_capacity(n * 330);
    for i in 0..n {
        let p = i % PRODUCTS;
        let ns = format!("p{p}-ns{}", (i / PRODUCTS) % 100);
        let group_product = if i % 50 == 0 { (p + 1) % PRODUCTS } else { p };
        let role = ["edit", "view", "admin"][i % 3];
        let _ = write!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b{i}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects:\n- {{kind: Group, name: \"p{group_product}:team{}\", apiGroup: rbac.authorization.k8s.io}}\n- {{kind: ServiceAccount, name: sa{}, namespace: {ns}}}\n",
            i % 100,
            i % 20
        );
    }
    s
}

fn main() {
    let n: usize = std::env::var("BLASTWALL_BINDINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let config = blastwall::config::parse("blastwall.yaml", config()).expect("config");
    let rbac = bindings(n);
    let bytes = rbac.len();
    let limits = Limits {
        max_file_bytes: usize::MAX,
        ..Limits::default()
    };

    let started = Instant::now();
    let mut loaded = load::load_str("rbac.yaml", rbac, &limits);
    let auth = load::load_str("aws-auth.yaml", aws_auth(), &limits);
    loaded.files.extend(auth.files);
    let offset = loaded.files.len() - 1;
    loaded
        .documents
        .extend(auth.documents.into_iter().map(|mut d| {
            d.file = blastwall::source::FileId(offset);
            d
        }));
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems.first());
    let read = started.elapsed();

    let t = Instant::now();
    let graph = access::build(&loaded, Some(&config));
    let built = t.elapsed();

    let t = Instant::now();
    let matrix = graph.matrix();
    let matrix_time = t.elapsed();

    let t = Instant::now();
    let who = graph.who_can("p3-ns7", Some("create"), Some("pods/exec"));
    let who_time = t.elapsed();

    let t = Instant::now();
    let p = graph.find_principals("arn:aws:iam::210987654321:role/p3-r3");
    let reach = graph.reach(p[0]);
    let reach_time = t.elapsed();

    println!(
        "{n} bindings ({:.1} MB of YAML), {} principals, {} namespaces",
        bytes as f64 / 1e6,
        graph.principals.len(),
        graph.namespaces.len()
    );
    println!("  read YAML with spans   {read:>10.2?}");
    println!("  build the graph        {built:>10.2?}");
    println!(
        "  product matrix         {matrix_time:>10.2?}  ({} cells)",
        matrix.cells.len()
    );
    println!(
        "  --namespace p3-ns7 --verb create --resource pods/exec {who_time:>10.2?}  ({} principals)",
        who.len()
    );
    println!(
        "  --principal …role/p3-r3 {reach_time:>10.2?}  ({} grants)",
        reach.len()
    );
    println!("  total                  {:>10.2?}", started.elapsed());
}
