//! `facts.tenancy.awsAuth`: what the tenancy config expects of the aws-auth ConfigMap,
//! checked against its parsed entries (`facts.awsAuth`), for the rules that need to
//! look at all entries at once:
//!
//! ```text
//! {
//!   "readable": true,          // false when mapRoles cannot be read (a parse error, not a
//!                              // list, not a string): the authenticator reads none of it,
//!                              // and the aws-auth rules say so; nothing below is judged
//!   "nodeRolesMissing": [{"role": "<nodeRoles glob>", "via": "nodeRoles: <glob>"}],
//!   "adminRoles": ["<admins.iamRoles glob>", …],
//!   "adminMapped": true,       // some admin role keeps admin rights (below)
//!   "adminEntries": [{"arn", "path", "groupsPath"?, "groups"}]  // admin-role entries in force
//! }
//! ```
//!
//! An entry is in force unless a later entry of the same section has the same ARN
//! (the authenticator keeps the last). An admin role keeps admin rights when its
//! entry maps it to one of `admins.groups` or `system:masters`, or to one of
//! `admins.users` as username; with neither admin groups nor users configured, any
//! group will do.

use std::collections::BTreeSet;

use regorus::Value;

use super::tenancy::{obj, Tenancy};

/// The group Kubernetes grants every permission to.
const MASTERS: &str = "system:masters";

/// `facts.tenancy.awsAuth` for the parsed aws-auth facts `aws_auth`.
pub fn fact(tenancy: &Tenancy, aws_auth: &Value) -> Value {
    let section = &aws_auth["sections"]["mapRoles"];
    let readable = section["parseError"] == Value::Undefined
        && section["notList"] == Value::Undefined
        && (section["present"] != Value::Bool(true) || section["type"] == Value::from("string"));
    let config = tenancy.config();
    let admin_roles: Vec<Value> = config
        .admins
        .iam_roles
        .iter()
        .map(|g| Value::from(g.as_str()))
        .collect();
    if !readable {
        return obj(vec![
            ("readable", Value::Bool(false)),
            ("nodeRolesMissing", Value::from(Vec::<Value>::new())),
            ("adminRoles", Value::from(admin_roles)),
            ("adminMapped", Value::Bool(true)),
            ("adminEntries", Value::from(Vec::<Value>::new())),
        ]);
    }

    let entries = in_force(aws_auth);
    let missing: Vec<Value> = tenancy
        .node_roles()
        .iter()
        .filter(|p| !entries.iter().any(|e| p.matches(e.arn)))
        .map(|p| {
            obj(vec![
                ("role", Value::from(p.as_str())),
                ("via", Value::from(format!("nodeRoles: {}", p.as_str()))),
            ])
        })
        .collect();

    let any_group_will_do = config.admins.groups.is_empty() && config.admins.users.is_empty();
    let mut admin_mapped = false;
    let mut admin_entries = Vec::new();
    for e in entries
        .iter()
        .filter(|e| tenancy.admin_role(e.arn).is_some())
    {
        let rights = e
            .groups
            .iter()
            .any(|g| *g == MASTERS || tenancy.admin_group(g).is_some())
            || e.username.is_some_and(|u| tenancy.admin_user(u).is_some())
            || (any_group_will_do && !e.groups.is_empty());
        admin_mapped |= rights;
        let mut fields = vec![
            ("arn", Value::from(e.arn)),
            ("path", e.path.clone()),
            (
                "groups",
                Value::from(e.groups.iter().map(|g| Value::from(*g)).collect::<Vec<_>>()),
            ),
        ];
        if let Some(p) = e.groups_path {
            fields.push(("groupsPath", p.clone()));
        }
        admin_entries.push(obj(fields));
    }
    obj(vec![
        ("readable", Value::Bool(true)),
        ("nodeRolesMissing", Value::from(missing)),
        ("adminRoles", Value::from(admin_roles)),
        ("adminMapped", Value::Bool(admin_mapped)),
        ("adminEntries", Value::from(admin_entries)),
    ])
}

/// A `mapRoles` entry the authenticator keeps.
struct Entry<'a> {
    arn: &'a str,
    path: &'a Value,
    username: Option<&'a str>,
    groups: Vec<&'a str>,
    groups_path: Option<&'a Value>,
}

/// The `mapRoles` entries with an ARN that no later entry replaces.
fn in_force(aws_auth: &Value) -> Vec<Entry<'_>> {
    let Value::Array(all) = &aws_auth["entries"] else {
        return Vec::new();
    };
    let roles: Vec<&Value> = all
        .iter()
        .filter(|e| e["section"] == Value::from("mapRoles") && e["isMap"] == Value::Bool(true))
        .collect();
    // Entries a later one with the same ARN replaces, by index.
    let replaced: BTreeSet<&Value> = roles
        .iter()
        .map(|e| &e["duplicateOf"]["index"])
        .filter(|i| **i != Value::Undefined)
        .collect();
    let mut out = Vec::new();
    for e in roles {
        if replaced.contains(&e["index"]) {
            continue;
        }
        let Value::String(arn) = &e["arn"] else {
            continue;
        };
        let groups = match &e["groups"] {
            Value::Array(items) => items
                .iter()
                .filter_map(|g| match g {
                    Value::String(s) => Some(s.as_ref()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(Entry {
            arn,
            path: &e["path"],
            username: match &e["username"] {
                Value::String(s) => Some(s.as_ref()),
                _ => None,
            },
            groups,
            groups_path: match &e["groupsPath"] {
                Value::Undefined => None,
                p => Some(p),
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn tenancy(extra: &str) -> Tenancy {
        let text = format!(
            "apiVersion: blastwall.dev/v1alpha1\nkind: Config\nproducts:\n  payroll: {{groups: [\"payroll:*\"], iamRoles: [\"arn:aws:iam::111122223333:role/payroll-*\"]}}\nnodeRoles:\n  - arn:aws:iam::111122223333:role/eks-node-a\n  - arn:aws:iam::111122223333:role/eks-node-b-*\n{extra}"
        );
        Tenancy::new(crate::config::parse("c.yaml", text).unwrap())
    }

    const ADMINS: &str =
        "admins: {groups: [\"sre:admins\"], iamRoles: [\"arn:aws:iam::111122223333:role/sre-admin\"]}\n";

    /// The tenancy aws-auth fact of a ConfigMap whose mapRoles is `map_roles`.
    fn fact_of(t: &Tenancy, map_roles: &str) -> Value {
        let mut data = BTreeMap::new();
        data.insert(Value::from("mapRoles"), Value::from(map_roles));
        let object = obj(vec![
            ("apiVersion", Value::from("v1")),
            ("kind", Value::from("ConfigMap")),
            (
                "metadata",
                obj(vec![
                    ("name", Value::from("aws-auth")),
                    ("namespace", Value::from("kube-system")),
                ]),
            ),
            ("data", Value::from(data)),
        ]);
        fact(t, &crate::awsauth::facts(&object).unwrap())
    }

    fn roles(v: &Value) -> Vec<String> {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| match &i["role"] {
                    Value::String(s) => s.to_string(),
                    _ => String::new(),
                })
                .collect(),
            _ => panic!("not a list: {v:?}"),
        }
    }

    const NODE: &str = "  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n";

    #[test]
    fn node_roles_must_be_mapped_and_globs_need_one_match() {
        let t = tenancy("");
        let f = fact_of(&t, "[]");
        assert_eq!(
            roles(&f["nodeRolesMissing"]),
            [
                "arn:aws:iam::111122223333:role/eks-node-a",
                "arn:aws:iam::111122223333:role/eks-node-b-*"
            ]
        );
        let text = format!(
            "- rolearn: arn:aws:iam::111122223333:role/EKS-Node-A\n{NODE}- rolearn: arn:aws:iam::111122223333:role/eks-node-b-spot\n{NODE}"
        );
        let f = fact_of(&t, &text);
        assert_eq!(roles(&f["nodeRolesMissing"]), Vec::<String>::new());
        assert_eq!(f["readable"], Value::Bool(true));
    }

    #[test]
    fn an_unreadable_map_roles_is_left_to_the_aws_auth_rules() {
        let t = tenancy(ADMINS);
        let f = fact_of(&t, "- rolearn: [unclosed\n");
        assert_eq!(f["readable"], Value::Bool(false));
        assert_eq!(roles(&f["nodeRolesMissing"]), Vec::<String>::new());
        assert_eq!(f["adminMapped"], Value::Bool(true));
        let f = fact_of(&t, "rolearn: x\n");
        assert_eq!(f["readable"], Value::Bool(false));
    }

    #[test]
    fn an_admin_role_counts_only_with_admin_rights() {
        let t = tenancy(ADMINS);
        let admin = "- rolearn: arn:aws:iam::111122223333:role/sre-admin\n  username: sre:{{SessionName}}\n";
        let f = fact_of(&t, &format!("{admin}  groups: [sre:admins]\n"));
        assert_eq!(f["adminMapped"], Value::Bool(true));
        assert_eq!(
            f["adminEntries"][0]["groupsPath"],
            Value::from(vec![
                Value::from("data"),
                Value::from("mapRoles"),
                Value::from(0u64),
                Value::from("groups")
            ])
        );
        let f = fact_of(&t, &format!("{admin}  groups: [system:masters]\n"));
        assert_eq!(f["adminMapped"], Value::Bool(true));
        let f = fact_of(&t, &format!("{admin}  groups: [viewers]\n"));
        assert_eq!(f["adminMapped"], Value::Bool(false));
        assert_eq!(
            f["adminEntries"][0]["groups"],
            Value::from(vec![Value::from("viewers")])
        );
        // A later entry with the same ARN replaces the first.
        let f = fact_of(
            &t,
            &format!("{admin}  groups: [sre:admins]\n{admin}  groups: [viewers]\n"),
        );
        assert_eq!(f["adminMapped"], Value::Bool(false));
        let f = fact_of(
            &t,
            "- rolearn: arn:aws:iam::111122223333:role/payroll-dev\n  groups: [sre:admins]\n",
        );
        assert_eq!(f["adminMapped"], Value::Bool(false));
        assert_eq!(f["adminEntries"], Value::from(Vec::<Value>::new()));
    }

    #[test]
    fn without_admin_groups_any_group_gives_an_admin_role_its_rights() {
        let t = tenancy("admins: {iamRoles: [\"arn:aws:iam::111122223333:role/sre-admin\"]}\n");
        let f = fact_of(
            &t,
            "- rolearn: arn:aws:iam::111122223333:role/sre-admin\n  groups: [platform:admins]\n",
        );
        assert_eq!(f["adminMapped"], Value::Bool(true));
        let f = fact_of(&t, "- rolearn: arn:aws:iam::111122223333:role/sre-admin\n");
        assert_eq!(f["adminMapped"], Value::Bool(false));
    }
}
