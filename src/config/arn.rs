//! IAM role ARNs and ARN globs, checked for shape when the config is read.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::glob::{Alphabet, Glob};

/// An IAM role ARN, possibly with `*` / `?` in the role name:
/// `arn:aws:iam::111122223333:role/payroll-*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArnGlob(pub Glob);

impl std::ops::Deref for RoleArnGlob {
    type Target = Glob;
    fn deref(&self) -> &Glob {
        &self.0
    }
}

impl RoleArnGlob {
    pub fn parse(text: &str) -> Result<RoleArnGlob, String> {
        check_role_arn(text)?;
        Glob::parse(text, Alphabet::Subject).map(RoleArnGlob)
    }
}

/// Why `text` is not an IAM role ARN (glob), in words a user can act on.
fn check_role_arn(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Err(format!(
            "bad IAM role ARN `{text}`: expected arn:aws:iam::<12-digit account>:role/<name>"
        ));
    };
    let bad = |why: &str| Err(format!("bad IAM role ARN `{text}`: {why}"));
    if arn != "arn" {
        return bad("it must start with `arn:`");
    }
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") && !partition.starts_with("aws-iso") {
        return bad("the partition must be aws, aws-cn, aws-us-gov or aws-iso*");
    }
    if service == "sts" || resource.starts_with("assumed-role/") {
        return bad(
            "this is an assumed-role session ARN; name the role itself: arn:aws:iam::<account>:role/<name>",
        );
    }
    if service != "iam" {
        return bad("the service must be `iam`");
    }
    if !region.is_empty() {
        return bad("IAM ARNs have no region: write `iam::` followed by the account");
    }
    if !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
        return bad("the account must be 12 digits");
    }
    let Some(name) = resource.strip_prefix("role/") else {
        return bad("the resource must be `role/<name>`");
    };
    if name.is_empty() {
        return bad("the role name is empty");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-/*?".contains(*c)))
    {
        return bad(&format!("`{c}` cannot occur in a role name"));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for RoleArnGlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        RoleArnGlob::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for RoleArnGlob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl JsonSchema for RoleArnGlob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RoleArnGlob".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An IAM role ARN, `arn:aws:iam::<12-digit account>:role/<name>`; the name may use `*` and `?`.",
            "pattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/*?-]+$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_and_globs_parse() {
        let arn = RoleArnGlob::parse("arn:aws:iam::111122223333:role/payroll-*").unwrap();
        assert!(arn.matches("arn:aws:iam::111122223333:role/payroll-deploy"));
        assert!(!arn.matches("arn:aws:iam::444455556666:role/payroll-deploy"));
        assert!(RoleArnGlob::parse("arn:aws-cn:iam::111122223333:role/ops/x").is_ok());
    }

    #[test]
    fn bad_arns_say_what_is_wrong() {
        let err = |t: &str| RoleArnGlob::parse(t).unwrap_err();
        assert!(err("arn:aws:iam::1111:role/x").contains("12 digits"));
        assert!(err("arn:aws:sts::111122223333:assumed-role/x/y").contains("assumed-role"));
        assert!(err("arn:aws:iam:us-east-1:111122223333:role/x").contains("no region"));
        assert!(err("arn:aws:iam::111122223333:user/x").contains("role/<name>"));
        assert!(err("payroll-deploy").contains("expected arn:aws:iam"));
    }
}
