//! The EKS access policies known to blastwall, as dated data: AWS adds policies
//! over time, so a name missing here is a warning (`access-entry-unknown-policy`),
//! not an error.

/// When [`KNOWN`] was last compared with AWS's list.
pub const KNOWN_AS_OF: &str = "2026-08";

/// Every access policy name seen in AWS's documentation and `list-access-policies`
/// output up to [`KNOWN_AS_OF`] (December 2024: 15, May 2025: 19, 2026: 34).
pub const KNOWN: [&str; 34] = [
    "AIDevOpsAgentAccessPolicy",
    "AmazonAIOpsAssistantPolicy",
    "AmazonARCRegionSwitchScalingPolicy",
    "AmazonEKSACKPolicy",
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSArgoCDClusterPolicy",
    "AmazonEKSArgoCDPolicy",
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSEventPolicy",
    "AmazonEKSHybridPolicy",
    "AmazonEKSKROPolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSNetworkingPolicy",
    "AmazonEKSPodIdentityPolicy",
    "AmazonEKSSecretAdminPolicy",
    "AmazonEKSSecretReaderPolicy",
    "AmazonEKSViewPolicy",
    "AmazonEMRJobPolicy",
    "AmazonSagemakerHyperpodClusterPolicy",
    "AmazonSagemakerHyperpodControllerPolicy",
    "AmazonSagemakerHyperpodInferenceMonitoringPolicy",
    "AmazonSagemakerHyperpodSpacePolicy",
    "AmazonSagemakerHyperpodSpaceTemplatePolicy",
    "AmazonSagemakerHyperpodSystemNamespacePolicy",
    "AmazonSagemakerHyperpodUserClusterPolicy",
];

/// Full rights over everything, at any scope: `cluster-admin`.
pub const CLUSTER_ADMIN: &str = "AmazonEKSClusterAdminPolicy";

/// Policies that are admin-grade at cluster scope: every namespace administered, or
/// every Secret read.
pub const ADMIN_AT_CLUSTER_SCOPE: [&str; 4] = [
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSSecretReaderPolicy",
    "AmazonEKSSecretAdminPolicy",
];

/// Policies that only read (View): a cluster-wide scope of these reaches no Secret.
pub const READ_ONLY: [&str; 1] = ["AmazonEKSViewPolicy"];

/// The name of an access policy ARN (`arn:<partition>:eks::aws:cluster-access-policy/<Name>`),
/// or `None` when the text is not such an ARN.
pub fn name_of(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":cluster-access-policy/")?;
    let parts: Vec<&str> = head.split(':').collect();
    let well_formed = matches!(parts.as_slice(), ["arn", _, "eks", "", "aws"]);
    (well_formed && !name.is_empty() && !name.contains('/')).then_some(name)
}

pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name)
}

/// Whether policy `name` at scope `scope` (`cluster`/`namespace`) is admin-grade.
pub fn admin_grade(name: &str, scope: Option<&str>) -> bool {
    name == CLUSTER_ADMIN || (scope == Some("cluster") && ADMIN_AT_CLUSTER_SCOPE.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_come_from_well_formed_arns_only() {
        assert_eq!(
            name_of("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"),
            Some("AmazonEKSViewPolicy")
        );
        assert_eq!(
            name_of("arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"),
            Some("AmazonEKSEditPolicy")
        );
        assert_eq!(name_of("AmazonEKSViewPolicy"), None);
        assert_eq!(
            name_of("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"),
            None
        );
    }

    #[test]
    fn admin_grade_depends_on_scope_except_for_cluster_admin() {
        assert!(admin_grade(CLUSTER_ADMIN, Some("namespace")));
        assert!(admin_grade("AmazonEKSAdminPolicy", Some("cluster")));
        assert!(!admin_grade("AmazonEKSAdminPolicy", Some("namespace")));
        assert!(!admin_grade("AmazonEKSViewPolicy", Some("cluster")));
        assert!(KNOWN.windows(2).all(|w| w[0] < w[1]), "keep KNOWN sorted");
    }
}
