//! Which resources to list: API discovery (`/api`, `/apis` and each group's
//! preferred version, CRD-served groups included) filtered by the kinds the rules
//! declare.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList, APIVersions};

use super::client::{Api, ApiError};
use crate::engine::DeclaredKinds;

const JSON: &str = "application/json";

/// One listable resource of one group version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The plural resource name: `deployments`.
    pub plural: String,
    pub namespaced: bool,
}

impl Resource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        match self.group.is_empty() {
            true => self.version.clone(),
            false => format!("{}/{}", self.group, self.version),
        }
    }

    /// `deployments.apps`, or `pods`: as `kubectl` and RBAC messages name it.
    pub fn display(&self) -> String {
        match self.group.is_empty() {
            true => self.plural.clone(),
            false => format!("{}.{}", self.plural, self.group),
        }
    }

    /// The collection's path, all namespaces or one.
    pub fn list_path(&self, namespace: Option<&str>) -> String {
        let base = match self.group.is_empty() {
            true => format!("/api/{}", self.version),
            false => format!("/apis/{}/{}", self.group, self.version),
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{base}/namespaces/{ns}/{}", self.plural),
            _ => format!("{base}/{}", self.plural),
        }
    }
}

/// What discovery found, and the group versions it could not read.
#[derive(Debug, Default)]
pub struct Discovered {
    pub resources: Vec<Resource>,
    /// `(group version, why)` of every resource list that could not be read.
    pub failed: Vec<(String, ApiError)>,
}

/// Discovers the listable resources of the kinds (and API groups) in `kinds`, reading at most
/// `concurrency` group versions at once. Only each group's preferred version is
/// read, so an object served in two versions is listed once.
pub async fn discover(
    api: &Api,
    kinds: &DeclaredKinds,
    concurrency: usize,
) -> Result<Discovered, ApiError> {
    let core: APIVersions = get_json(api, "/api").await?;
    let groups: APIGroupList = get_json(api, "/apis").await?;
    let mut group_versions: Vec<(String, String)> = core
        .versions
        .iter()
        .filter(|v| v.as_str() == "v1")
        .map(|v| (String::new(), v.clone()))
        .collect();
    for group in &groups.groups {
        let preferred = group
            .preferred_version
            .as_ref()
            .map(|p| p.version.clone())
            .or_else(|| group.versions.first().map(|v| v.version.clone()));
        if let Some(version) = preferred {
            group_versions.push((group.name.clone(), version));
        }
    }
    let mut discovered = Discovered::default();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::new();
    for (group, version) in group_versions {
        let path = match group.is_empty() {
            true => format!("/api/{version}"),
            false => format!("/apis/{group}/{version}"),
        };
        let permit = semaphore.clone();
        tasks.push(async move {
            let _permit = permit.acquire().await;
            let list = get_json::<APIResourceList>(api, &path).await;
            (group, version, list)
        });
    }
    for (group, version, list) in join_all(tasks).await {
        let list = match list {
            Ok(list) => list,
            Err(e) => {
                let gv = match group.is_empty() {
                    true => version.clone(),
                    false => format!("{group}/{version}"),
                };
                discovered.failed.push((gv, e));
                continue;
            }
        };
        for r in list.resources {
            // Subresources (`pods/log`) and what cannot be listed are no collections.
            if r.name.contains('/') || !r.verbs.iter().any(|v| v == "list") {
                continue;
            }
            let group = r.group.clone().unwrap_or_else(|| group.clone());
            if !kinds.contains(&group, &r.kind) {
                continue;
            }
            discovered.resources.push(Resource {
                group,
                version: r.version.clone().unwrap_or_else(|| version.clone()),
                kind: r.kind,
                plural: r.name,
                namespaced: r.namespaced,
            });
        }
    }
    discovered
        .resources
        .sort_by(|a, b| (&a.kind, &a.group).cmp(&(&b.kind, &b.group)));
    Ok(discovered)
}

/// Runs `futures` concurrently on this task and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        match pending {
            true => std::task::Poll::Pending,
            false => std::task::Poll::Ready(()),
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

async fn get_json<T: serde::de::DeserializeOwned>(api: &Api, path: &str) -> Result<T, ApiError> {
    let body = api.get(path, JSON).await?;
    serde_json::from_slice(&body)
        .map_err(|e| ApiError::Transport(format!("{path}: not the answer of an API server: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        let deploy = Resource {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            plural: "deployments".into(),
            namespaced: true,
        };
        assert_eq!(deploy.list_path(None), "/apis/apps/v1/deployments");
        assert_eq!(
            deploy.list_path(Some("payroll")),
            "/apis/apps/v1/namespaces/payroll/deployments"
        );
        assert_eq!(deploy.display(), "deployments.apps");
        let ns = Resource {
            group: String::new(),
            version: "v1".into(),
            kind: "Namespace".into(),
            plural: "namespaces".into(),
            namespaced: false,
        };
        assert_eq!(ns.list_path(Some("payroll")), "/api/v1/namespaces");
        assert_eq!(ns.api_version(), "v1");
    }
}
