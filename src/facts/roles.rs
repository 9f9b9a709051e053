//! Matching IAM role ARNs against the config's role globs.
//!
//! An IAM role's name is unique within its account whatever its path, so
//! `arn:aws:iam::111122223333:role/teams/payroll-dev` and
//! `arn:aws:iam::111122223333:role/payroll-dev` name the same role. The ARNs blastwall
//! sees differ on this: EKS's `canonicalArn` and aws-auth never carry the path, IRSA
//! annotations and access entries may. A [`RolePattern`] therefore matches an ARN
//! written with or without the path, and a pattern written with a path (with no
//! wildcard in the path, and a name that is not all wildcards) matches the ARN
//! without it.

use crate::config::glob::{Alphabet, Glob};

/// A role ARN glob from the config, with its path-less form. Matching ignores ASCII
/// case, as IAM does for role names (and aws-iam-authenticator for ARNs).
#[derive(Clone, Debug)]
pub struct RolePattern {
    /// As the config writes it.
    written: String,
    /// Lowercased.
    glob: Glob,
    /// `role/<name>` for a glob written `role/<path>/<name>` with no wildcard in the path.
    pathless: Option<Glob>,
}

impl RolePattern {
    pub fn new(glob: &Glob) -> RolePattern {
        let written = glob.as_str().to_string();
        let text = written.to_ascii_lowercase();
        let text = text.as_str();
        let name = &text[text.len().min(text.rfind('/').map_or(0, |i| i + 1))..];
        let pathless = strip_path(text)
            .filter(|_| !path_of(text).contains(['*', '?']))
            // `role/teams/*` without its path would be every role of the account.
            .filter(|_| name.chars().any(|c| c != '*' && c != '?'))
            .and_then(|text| Glob::parse(&text, Alphabet::Subject).ok());
        RolePattern {
            glob: Glob::parse(text, Alphabet::Subject).unwrap_or_else(|_| glob.clone()),
            written,
            pathless,
        }
    }

    /// The glob as the config writes it.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// Whether `arn` names a role this pattern covers, with or without an IAM path.
    pub fn matches(&self, arn: &str) -> bool {
        let arn = arn.to_ascii_lowercase();
        let arn = arn.as_str();
        let stripped = strip_path(arn);
        let candidates = std::iter::once(arn).chain(stripped.as_deref());
        for candidate in candidates {
            if self.glob.matches(candidate)
                || self.pathless.as_ref().is_some_and(|g| g.matches(candidate))
            {
                return true;
            }
        }
        false
    }
}

/// The IAM path of a role ARN (`teams/` of `role/teams/x`), or "".
fn path_of(arn: &str) -> &str {
    let Some((_, resource)) = arn.rsplit_once(":role/") else {
        return "";
    };
    match resource.rfind('/') {
        Some(i) => &resource[..=i],
        None => "",
    }
}

/// `arn:…:role/<path>/<name>` → `arn:…:role/<name>`; `None` when the ARN has no path
/// or is not an IAM role ARN.
pub fn strip_path(arn: &str) -> Option<String> {
    let (head, resource) = arn.rsplit_once(":role/")?;
    if !head.contains(":iam:") {
        return None;
    }
    let (_, name) = resource.rsplit_once('/')?;
    Some(format!("{head}:role/{name}"))
}

/// The IAM role behind an ARN EKS reports for a caller: an STS session
/// (`arn:aws:sts::A:assumed-role/R/session` → `arn:aws:iam::A:role/R`) or the role
/// itself (`arn:aws:iam::A:role/[path/]R`, kept as written). `None` for users, root,
/// federated users and anything that is not an ARN.
pub fn role_of(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, _region, account, resource] = parts[..] else {
        return None;
    };
    if prefix != "arn" || partition.is_empty() || account.is_empty() {
        return None;
    }
    match service {
        "sts" => {
            let rest = resource.strip_prefix("assumed-role/")?;
            let role = rest.split('/').next().filter(|r| !r.is_empty())?;
            Some(format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        "iam" => {
            let name = resource.strip_prefix("role/")?;
            (!name.is_empty() && !name.ends_with('/')).then(|| arn.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> RolePattern {
        RolePattern::new(&Glob::parse(text, Alphabet::Subject).unwrap())
    }

    #[test]
    fn sessions_resolve_to_their_role() {
        assert_eq!(
            role_of("arn:aws:sts::111122223333:assumed-role/payroll-dev/alice").as_deref(),
            Some("arn:aws:iam::111122223333:role/payroll-dev")
        );
        assert_eq!(
            role_of("arn:aws-cn:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com")
                .as_deref(),
            Some("arn:aws-cn:iam::111122223333:role/AWSReservedSSO_Admin_0123")
        );
        assert_eq!(
            role_of("arn:aws:iam::111122223333:role/teams/payroll-dev").as_deref(),
            Some("arn:aws:iam::111122223333:role/teams/payroll-dev")
        );
        assert_eq!(role_of("arn:aws:iam::111122223333:user/alice"), None);
        assert_eq!(role_of("arn:aws:iam::111122223333:root"), None);
        assert_eq!(
            role_of("arn:aws:sts::111122223333:federated-user/alice"),
            None
        );
        assert_eq!(role_of("arn:aws:sts::111122223333:assumed-role/"), None);
        assert_eq!(role_of("alice"), None);
    }

    #[test]
    fn paths_are_stripped_from_role_arns_only() {
        assert_eq!(
            strip_path("arn:aws:iam::111122223333:role/a/b/x").as_deref(),
            Some("arn:aws:iam::111122223333:role/x")
        );
        assert_eq!(strip_path("arn:aws:iam::111122223333:role/x"), None);
        assert_eq!(
            strip_path("arn:aws:sts::111122223333:role/a/x"),
            None,
            "not an IAM ARN"
        );
    }

    #[test]
    fn a_role_matches_with_or_without_its_path() {
        let plain = pattern("arn:aws:iam::111122223333:role/payroll-*");
        assert!(plain.matches("arn:aws:iam::111122223333:role/payroll-dev"));
        assert!(plain.matches("arn:aws:iam::111122223333:role/teams/payroll-dev"));
        assert!(!plain.matches("arn:aws:iam::111122223333:role/billing-dev"));
        assert!(!plain.matches("arn:aws:iam::444455556666:role/payroll-dev"));
        assert!(plain.matches("arn:aws:iam::111122223333:role/Payroll-Dev"));

        let with_path = pattern("arn:aws:iam::111122223333:role/teams/payroll-*");
        assert!(with_path.matches("arn:aws:iam::111122223333:role/payroll-dev"));
        assert!(with_path.matches("arn:aws:iam::111122223333:role/teams/payroll-dev"));
        assert!(!with_path.matches("arn:aws:iam::111122223333:role/billing-dev"));

        // A wildcard in the path must not widen to every role of the account.
        let wild_path = pattern("arn:aws:iam::111122223333:role/teams/*");
        assert!(wild_path.matches("arn:aws:iam::111122223333:role/teams/anything"));
        assert!(!wild_path.matches("arn:aws:iam::111122223333:role/anything"));
    }
}
