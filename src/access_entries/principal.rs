//! What an access entry's principal ARN names: an IAM role (with its path), an IAM
//! user, or something EKS rejects (an STS session, a service-linked role, an
//! account root, text that is no IAM ARN).

use regorus::Value;

/// The kinds of principal an ARN can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Role,
    User,
    /// `arn:aws:sts::…:assumed-role/…`: a session, rejected by EKS.
    AssumedRole,
    /// `role/aws-service-role/…`: rejected by EKS.
    ServiceLinkedRole,
    /// `arn:aws:iam::…:root`.
    Root,
    /// Not an IAM role or user ARN.
    Invalid,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::AssumedRole => "assumed-role",
            Kind::ServiceLinkedRole => "service-linked-role",
            Kind::Root => "root",
            Kind::Invalid => "invalid",
        }
    }
}

/// A principal ARN taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub kind: Kind,
    pub account: String,
    /// The IAM path between `role/` (or `user/`) and the name, with its slashes:
    /// `aws-reserved/sso.amazonaws.com/eu-west-1/`; empty for none.
    pub path: String,
    pub name: String,
}

/// The path IAM Identity Center gives the roles of its permission sets.
pub const SSO_PATH_PREFIX: &str = "aws-reserved/sso.amazonaws.com/";

impl Principal {
    pub fn parse(arn: &str) -> Principal {
        let invalid = || Principal {
            kind: Kind::Invalid,
            account: String::new(),
            path: String::new(),
            name: String::new(),
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [prefix, _partition, service, _region, account, resource] = parts.as_slice() else {
            return invalid();
        };
        if *prefix != "arn" {
            return invalid();
        }
        let account = account.to_string();
        let (kind, rest) = match (*service, resource.split_once('/')) {
            ("iam", Some(("role", rest))) => (Kind::Role, rest),
            ("iam", Some(("user", rest))) => (Kind::User, rest),
            ("sts", Some(("assumed-role", rest))) => (Kind::AssumedRole, rest),
            ("iam", None) if *resource == "root" => {
                return Principal {
                    kind: Kind::Root,
                    account,
                    path: String::new(),
                    name: String::new(),
                }
            }
            _ => return invalid(),
        };
        if kind == Kind::AssumedRole {
            let name = rest.split('/').next().unwrap_or_default().to_string();
            return Principal {
                kind,
                account,
                path: String::new(),
                name,
            };
        }
        let (path, name) = match rest.rfind('/') {
            Some(i) => (rest[..=i].to_string(), rest[i + 1..].to_string()),
            None => (String::new(), rest.to_string()),
        };
        let kind = if kind == Kind::Role && path.starts_with("aws-service-role/") {
            Kind::ServiceLinkedRole
        } else {
            kind
        };
        if name.is_empty() {
            return invalid();
        }
        Principal {
            kind,
            account,
            path,
            name,
        }
    }

    /// An IAM Identity Center role written without its `aws-reserved/sso.amazonaws.com/<region>/`
    /// path: aws-auth wants it that way, EKS access entries reject it.
    pub fn sso_without_path(&self) -> bool {
        self.kind == Kind::Role
            && self.name.starts_with("AWSReservedSSO_")
            && !self.path.starts_with(SSO_PATH_PREFIX)
    }

    pub fn to_value(&self) -> Value {
        super::facts::obj(vec![
            ("kind", Value::from(self.kind.as_str())),
            ("account", Value::from(self.account.as_str())),
            ("path", Value::from(self.path.as_str())),
            ("name", Value::from(self.name.as_str())),
            ("ssoWithoutPath", Value::Bool(self.sso_without_path())),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_keep_their_path_and_sso_roles_need_theirs() {
        let p = Principal::parse("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_0123");
        assert_eq!(p.kind, Kind::Role);
        assert_eq!(p.path, "aws-reserved/sso.amazonaws.com/eu-west-1/");
        assert_eq!(p.name, "AWSReservedSSO_Dev_0123");
        assert!(!p.sso_without_path());
        let p = Principal::parse("arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_abc");
        assert!(p.sso_without_path());
        assert_eq!(p.account, "111122223333");
    }

    #[test]
    fn sessions_service_linked_roles_users_and_roots_are_told_apart() {
        let kind = |arn: &str| Principal::parse(arn).kind;
        assert_eq!(
            kind("arn:aws:sts::111122223333:assumed-role/dev/alice"),
            Kind::AssumedRole
        );
        assert_eq!(
            kind("arn:aws:iam::111122223333:role/aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers"),
            Kind::ServiceLinkedRole
        );
        assert_eq!(kind("arn:aws:iam::111122223333:user/jenkins"), Kind::User);
        assert_eq!(kind("arn:aws-cn:iam::111122223333:root"), Kind::Root);
        assert_eq!(kind("payments-dev"), Kind::Invalid);
        assert_eq!(kind("arn:aws:iam::111122223333:role/"), Kind::Invalid);
        assert_eq!(kind("arn:aws:s3:::bucket"), Kind::Invalid);
    }
}
