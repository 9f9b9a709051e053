//! `blastwall audit` against a stand-in API server on loopback that answers in the
//! shapes the real one sends (discovery documents and lists built from k8s-openapi
//! types; list items without `apiVersion`/`kind`; `Status` errors): paginated lists
//! with continue tokens, a token that expires (410), 429 with Retry-After, a 503
//! during discovery, a 403 on one resource, a CRD-served kind, the aws-auth
//! ConfigMap and RBAC across namespaces. Every request is recorded and checked:
//! only GETs, and Secrets only ever as metadata.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec, Secret, SecurityContext,
};
use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef,
    Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    APIGroup, APIGroupList, APIResource, APIResourceList, APIVersions, GroupVersionForDiscovery,
    LabelSelector, ObjectMeta, OwnerReference,
};
use k8s_openapi::ByteString;
use serde_json::{json, Value};

use crate::common;

/// The base64 of a Secret's value that must never be seen outside the server.
const SECRET_VALUE: &str = "aHVudGVyMi1kYXRhYmFzZS1wYXNzd29yZA==";
const SECRET_PLAIN: &str = "hunter2-database-password";

/// What the stand-in serves and how it misbehaves.
#[derive(Default)]
struct Cluster {
    /// group version → its resources.
    discovery: BTreeMap<String, Vec<APIResource>>,
    /// `group/version/plural` (core: `/v1/pods`) → objects, full (with kind).
    objects: BTreeMap<String, Vec<Value>>,
    /// Plurals answered 403.
    forbidden: Vec<String>,
    /// Plurals never answered.
    hang: Vec<String>,
    /// Faults to serve once each, by path prefix: (path, status, Retry-After).
    faults: Mutex<Vec<(String, u16, Option<u64>)>>,
    /// Plurals whose first continued page answers 410 once.
    expire: Mutex<Vec<String>>,
    /// (method, path and query, accept) of every request.
    log: Mutex<Vec<(String, String, String)>>,
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    (
        StatusCode::from_u16(code).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: Value) -> Response {
    ([("content-type", "application/json")], body.to_string()).into_response()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn query(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect()
}

async fn handle(
    State(cluster): State<Arc<Cluster>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = uri.path().to_string();
    cluster.log.lock().unwrap().push((
        method.to_string(),
        uri.path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        accept.clone(),
    ));
    if method != Method::GET {
        return status(405, "MethodNotAllowed", "the stand-in is read-only");
    }
    {
        let mut faults = cluster.faults.lock().unwrap();
        if let Some(i) = faults.iter().position(|(p, _, _)| path == *p) {
            let (_, code, retry_after) = faults.remove(i);
            let mut response = status(code, "TooManyRequests", "slow down");
            if let Some(s) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", s.to_string().parse().unwrap());
            }
            return response;
        }
    }
    // Discovery.
    if path == "/api" {
        return ok(serde_json::to_value(APIVersions {
            versions: vec!["v1".into()],
            server_address_by_client_cidrs: vec![],
        })
        .unwrap());
    }
    if path == "/apis" {
        let groups = cluster
            .discovery
            .keys()
            .filter(|gv| gv.contains('/'))
            .map(|gv| {
                let (group, version) = gv.split_once('/').unwrap();
                let v = GroupVersionForDiscovery {
                    group_version: gv.clone(),
                    version: version.into(),
                };
                APIGroup {
                    name: group.into(),
                    versions: vec![v.clone()],
                    preferred_version: Some(v),
                    server_address_by_client_cidrs: None,
                }
            })
            .collect();
        return ok(serde_json::to_value(APIGroupList { groups }).unwrap());
    }
    let gv = path
        .strip_prefix("/api/")
        .or_else(|| path.strip_prefix("/apis/"))
        .unwrap_or_default();
    if let Some(resources) = cluster.discovery.get(gv) {
        return ok(serde_json::to_value(APIResourceList {
            group_version: gv.into(),
            resources: resources.clone(),
        })
        .unwrap());
    }
    // Lists: /api/v1/pods, /api/v1/namespaces/x/pods, /apis/g/v/pods, ...
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (gv_parts, rest) = match parts.first() {
        Some(&"api") => parts[1..].split_at(1.min(parts.len() - 1)),
        Some(&"apis") if parts.len() > 2 => parts[1..].split_at(2),
        _ => return status(404, "NotFound", "no such path"),
    };
    let gv = gv_parts.join("/");
    let (namespace, plural) = match rest {
        [plural] => (None, *plural),
        ["namespaces", ns, plural] => (Some(*ns), *plural),
        _ => return status(404, "NotFound", "not a collection"),
    };
    if cluster.forbidden.iter().any(|f| f == plural) {
        return status(
            403,
            "Forbidden",
            &format!("{plural} is forbidden: User \"auditor\" cannot list resource \"{plural}\" in API group \"\" at the cluster scope"),
        );
    }
    if cluster.hang.iter().any(|h| h == plural) {
        std::future::pending::<()>().await;
    }
    let key = format!(
        "{}/{plural}",
        if gv.contains('/') {
            gv.clone()
        } else {
            format!("/{gv}")
        }
    );
    let all = cluster.objects.get(&key).cloned().unwrap_or_default();
    let mut items: Vec<Value> = all
        .into_iter()
        .filter(|o| namespace.is_none_or(|ns| o["metadata"]["namespace"] == ns))
        .collect();
    let q = query(&uri);
    let limit: usize = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let offset: usize = match q.get("continue") {
        None => 0,
        Some(token) => {
            let mut expire = cluster.expire.lock().unwrap();
            if let Some(i) = expire.iter().position(|p| p == plural) {
                expire.remove(i);
                return status(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
                );
            }
            // Tokens carry characters that must be percent-encoded.
            let Some(n) = token
                .strip_prefix("rv:42/offset=")
                .and_then(|n| n.strip_suffix("+x"))
            else {
                return status(400, "BadRequest", &format!("bad continue token {token:?}"));
            };
            n.parse().unwrap()
        }
    };
    let total = items.len();
    let page: Vec<Value> = items
        .drain(offset.min(total)..(offset.saturating_add(limit)).min(total))
        .collect();
    let next = offset + page.len();
    let mut metadata = json!({"resourceVersion": "42"});
    if next < total {
        metadata["continue"] = json!(format!("rv:42/offset={next}+x"));
    }
    let metadata_only = accept.contains("as=PartialObjectMetadataList");
    let (kind, api_version, items) = if metadata_only {
        let items: Vec<Value> = page
            .into_iter()
            .map(|o| json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}))
            .collect();
        (
            "PartialObjectMetadataList".to_string(),
            "meta.k8s.io/v1".to_string(),
            items,
        )
    } else {
        // The API server leaves kind and apiVersion out of list items.
        let kind = page
            .first()
            .and_then(|o| o["kind"].as_str())
            .map(|k| format!("{k}List"))
            .unwrap_or_else(|| "List".into());
        let items = page
            .into_iter()
            .map(|mut o| {
                let m = o.as_object_mut().unwrap();
                m.remove("kind");
                m.remove("apiVersion");
                o
            })
            .collect();
        (kind, gv.clone(), items)
    };
    ok(json!({"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items}))
}

/// A running stand-in: its address and its request log.
struct Server {
    addr: std::net::SocketAddr,
    cluster: Arc<Cluster>,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(cluster: Cluster) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let cluster = Arc::new(cluster);
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(cluster.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        Server {
            addr,
            cluster,
            _runtime: runtime,
        }
    }

    /// A kubeconfig whose context `stand-in` points at this server.
    fn kubeconfig(&self, dir: &Path) -> String {
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: stand-in\n  cluster: {{server: \"http://{}\"}}\nusers:\n- name: auditor\n  user: {{token: not-a-real-token}}\ncontexts:\n- name: stand-in\n  context: {{cluster: stand-in, user: auditor}}\ncurrent-context: stand-in\n",
                self.addr
            ),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    }

    fn requests(&self) -> Vec<(String, String, String)> {
        self.cluster.log.lock().unwrap().clone()
    }
}

fn resource(name: &str, kind: &str, namespaced: bool) -> APIResource {
    APIResource {
        name: name.into(),
        kind: kind.into(),
        namespaced,
        singular_name: kind.to_ascii_lowercase(),
        verbs: [
            "create", "delete", "get", "list", "patch", "update", "watch",
        ]
        .map(String::from)
        .to_vec(),
        ..APIResource::default()
    }
}

fn meta(namespace: Option<&str>, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(String::from),
        uid: Some(format!("uid-{}-{name}", namespace.unwrap_or("cluster"))),
        resource_version: Some("41".into()),
        managed_fields: Some(vec![Default::default()]),
        ..ObjectMeta::default()
    }
}

fn namespace(name: &str, product: Option<&str>) -> Value {
    let mut m = meta(None, name);
    if let Some(p) = product {
        m.labels = Some([("blastwall.dev/product".to_string(), p.to_string())].into());
    }
    serde_json::to_value(Namespace {
        metadata: m,
        ..Namespace::default()
    })
    .unwrap()
}

fn container(image: &str, privileged: bool) -> Container {
    Container {
        name: "app".into(),
        image: Some(image.into()),
        security_context: privileged.then(|| SecurityContext {
            privileged: Some(true),
            ..SecurityContext::default()
        }),
        ..Container::default()
    }
}

const PAYROLL_IMAGE: &str = "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:1.4.2";

fn pod(ns: &str, name: &str, privileged: bool, owner: Option<&str>) -> Value {
    let mut m = meta(Some(ns), name);
    if let Some(rs) = owner {
        m.owner_references = Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: rs.into(),
            uid: format!("uid-{rs}"),
            controller: Some(true),
            ..OwnerReference::default()
        }]);
    }
    serde_json::to_value(Pod {
        metadata: m,
        spec: Some(PodSpec {
            containers: vec![container(PAYROLL_IMAGE, privileged)],
            ..PodSpec::default()
        }),
        ..Pod::default()
    })
    .unwrap()
}

fn deployment(ns: &str, name: &str, privileged: bool) -> Value {
    serde_json::to_value(Deployment {
        metadata: meta(Some(ns), name),
        spec: Some(DeploymentSpec {
            selector: LabelSelector::default(),
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    containers: vec![container(PAYROLL_IMAGE, privileged)],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    })
    .unwrap()
}

fn aws_auth() -> Value {
    serde_json::to_value(ConfigMap {
        metadata: meta(Some("kube-system"), "aws-auth"),
        data: Some(
            [(
                "mapRoles".to_string(),
                "- rolearn: arn:aws:iam::111122223333:role/eks-node-payroll\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n- rolearn: arn:aws:iam::111122223333:role/eks-node-billing\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n- rolearn: arn:aws:iam::111122223333:role/sre-admin\n  username: sre\n  groups: [sre:admins]\n- rolearn: arn:aws:iam::111122223333:role/payroll-deployer\n  username: payroll-deployer\n  groups: [system:masters]\n".to_string(),
            )]
            .into(),
        ),
        ..ConfigMap::default()
    })
    .unwrap()
}

fn role_binding(ns: &str, name: &str, group: &str) -> Value {
    serde_json::to_value(RoleBinding {
        metadata: meta(Some(ns), name),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: "edit".into(),
        },
        subjects: Some(vec![Subject {
            kind: "Group".into(),
            name: group.into(),
            api_group: Some("rbac.authorization.k8s.io".into()),
            namespace: None,
        }]),
    })
    .unwrap()
}

fn secret() -> Value {
    let mut m = meta(Some("payroll"), "db");
    m.annotations = Some(
        [(
            "kubectl.kubernetes.io/last-applied-configuration".to_string(),
            format!("{{\"apiVersion\":\"v1\",\"data\":{{\"password\":\"{SECRET_VALUE}\"}},\"kind\":\"Secret\"}}"),
        )]
        .into(),
    );
    serde_json::to_value(Secret {
        metadata: m,
        data: Some(
            [(
                "password".to_string(),
                ByteString(SECRET_PLAIN.as_bytes().to_vec()),
            )]
            .into(),
        ),
        ..Secret::default()
    })
    .unwrap()
}

/// The cluster of most tests: two products' namespaces and one nobody owns; a
/// privileged Deployment and its pods (7 pods, paged by 3); an aws-auth that maps a
/// product role to system:masters; a RoleBinding that lets billing into payroll and
/// a ClusterRoleBinding of cluster-admin; a SecurityGroupPolicy (a CRD) attaching
/// billing's security group to payroll's pods; a Secret; ServiceAccounts forbidden.
fn cluster() -> Cluster {
    let mut c = Cluster::default();
    c.discovery.insert(
        "v1".into(),
        vec![
            resource("namespaces", "Namespace", false),
            resource("pods", "Pod", true),
            resource("pods/log", "Pod", true),
            resource("configmaps", "ConfigMap", true),
            resource("secrets", "Secret", true),
            resource("serviceaccounts", "ServiceAccount", true),
            resource("services", "Service", true),
            resource("events", "Event", true),
        ],
    );
    c.discovery.insert(
        "apps/v1".into(),
        vec![
            resource("deployments", "Deployment", true),
            resource("replicasets", "ReplicaSet", true),
        ],
    );
    c.discovery.insert(
        "rbac.authorization.k8s.io/v1".into(),
        vec![
            resource("roles", "Role", true),
            resource("rolebindings", "RoleBinding", true),
            resource("clusterroles", "ClusterRole", false),
            resource("clusterrolebindings", "ClusterRoleBinding", false),
        ],
    );
    c.discovery.insert(
        "vpcresources.k8s.aws/v1beta1".into(),
        vec![resource(
            "securitygrouppolicies",
            "SecurityGroupPolicy",
            true,
        )],
    );
    c.objects.insert(
        "/v1/namespaces".into(),
        vec![
            namespace("billing", Some("billing")),
            namespace("kube-system", None),
            namespace("payroll", Some("payroll")),
            namespace("scratch", None),
        ],
    );
    let mut pods = vec![pod("payroll", "api-7d9-a", true, Some("api-7d9"))];
    for i in 0..6 {
        pods.push(pod("payroll", &format!("worker-{i}"), false, None));
    }
    c.objects.insert("/v1/pods".into(), pods);
    c.objects.insert(
        "apps/v1/deployments".into(),
        vec![deployment("payroll", "api", true)],
    );
    c.objects.insert("/v1/configmaps".into(), vec![aws_auth()]);
    c.objects.insert("/v1/secrets".into(), vec![secret()]);
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/rolebindings".into(),
        vec![
            role_binding("payroll", "billing-debug", "billing:ops"),
            role_binding("billing", "billing-devs", "billing:devs"),
        ],
    );
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/clusterrolebindings".into(),
        vec![serde_json::to_value(ClusterRoleBinding {
            metadata: meta(None, "ops-admin"),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: "cluster-admin".into(),
            },
            subjects: Some(vec![Subject {
                kind: "Group".into(),
                name: "ops".into(),
                api_group: Some("rbac.authorization.k8s.io".into()),
                namespace: None,
            }]),
        })
        .unwrap()],
    );
    c.objects.insert(
        "vpcresources.k8s.aws/v1beta1/securitygrouppolicies".into(),
        vec![json!({
            "apiVersion": "vpcresources.k8s.aws/v1beta1", "kind": "SecurityGroupPolicy",
            "metadata": {"name": "api", "namespace": "payroll", "uid": "uid-sgp"},
            "spec": {"podSelector": {"matchLabels": {"app": "api"}},
                     "securityGroups": {"groupIds": ["sg-0f1e2d3c4b5a69788"]}}
        })],
    );
    c.forbidden.push("serviceaccounts".into());
    c.faults.lock().unwrap().extend([
        ("/apis/apps/v1/deployments".to_string(), 429, Some(1)),
        ("/apis/rbac.authorization.k8s.io/v1".to_string(), 503, None),
    ]);
    c.expire.lock().unwrap().push("pods".into());
    c
}

fn config() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/tenancy/blastwall.yaml")
        .to_string_lossy()
        .into_owned()
}

/// A user rule on Secrets that quotes the whole object in its message.
const SECRET_RULE: &str = r#"package blastwall.rules.secret_owner

metadata := {
	"id": "secret-owner",
	"title": "Secret without an owner label",
	"severity": "warning",
	"category": "team",
	"kinds": ["Secret"],
	"description": "Every Secret names its owner.",
	"remediation": "Add the label owner.",
}

deny contains {"msg": sprintf("Secret has no owner label: %v", [input.review.object]), "path": ["metadata"]} if {
	not input.review.object.metadata.labels.owner
}
"#;

fn audit(dir: &Path, server: &Server, extra: &[&str]) -> common::Run {
    let kubeconfig = server.kubeconfig(dir);
    let config = config();
    let mut args = vec![
        "audit",
        "--kubeconfig",
        &kubeconfig,
        "--config",
        &config,
        "--chunk-size",
        "3",
        "--qps",
        "0",
    ];
    args.extend_from_slice(extra);
    common::run(dir, &args, None)
}

fn rules_of(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_cluster_is_judged_as_lint_judges_files_and_a_403_makes_it_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(cluster());
    let run = audit(dir.path(), &server, &["-f", "json"]);
    assert_eq!(
        run.code, 2,
        "403 on serviceaccounts: incomplete\n{}",
        run.stderr
    );
    let report = run.json();
    let found = rules_of(&report);
    let has = |rule: &str, file: &str| found.contains(&(rule.to_string(), file.to_string()));
    // Workloads: the Deployment and its Pod (created by the ReplicaSet controller).
    assert!(
        has("privileged-container", "stand-in/payroll/Deployment/api"),
        "{found:?}"
    );
    assert!(
        has("privileged-container", "stand-in/payroll/Pod/api-7d9-a"),
        "{found:?}"
    );
    // aws-auth, RBAC across namespaces, a CRD-served kind, tenancy by label.
    assert!(
        has(
            "aws-auth-system-masters",
            "stand-in/kube-system/ConfigMap/aws-auth"
        ),
        "{found:?}"
    );
    assert!(
        has(
            "cross-product-binding",
            "stand-in/payroll/RoleBinding/billing-debug"
        ),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, f)| f == "stand-in/billing/RoleBinding/billing-devs"),
        "{found:?}"
    );
    assert!(
        has(
            "cluster-admin-binding",
            "stand-in/ClusterRoleBinding/ops-admin"
        ),
        "{found:?}"
    );
    assert!(
        has(
            "cross-product-security-group",
            "stand-in/payroll/SecurityGroupPolicy/api"
        ),
        "{found:?}"
    );
    assert!(
        has("unowned-namespace", "stand-in/Namespace/scratch"),
        "{found:?}"
    );
    // Each pod judged once, although the pods' list restarted after a 410.
    let privileged_pods = found
        .iter()
        .filter(|(r, f)| r == "privileged-container" && f.contains("/Pod/"))
        .count();
    assert_eq!(privileged_pods, 1, "{found:?}");
    // Locations and paths where lint has file and line.
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "privileged-container" && f["file"] == "stand-in/payroll/Deployment/api"
        })
        .unwrap();
    assert_eq!(
        finding["path"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    assert!(finding["line"].as_u64().unwrap() > 1);
    assert_eq!(finding["object"]["apiVersion"], "apps/v1");
    // The 403: which resource, which verb.
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("cannot list serviceaccounts (v1) in all namespaces: 403 Forbidden"),
        "{message}"
    );
    assert!(
        message.contains("needs the verb `list` on `serviceaccounts`"),
        "{message}"
    );
    // 4 namespaces + 7 pods + 1 deployment + 1 configmap + 2 rolebindings + 1 crb + 1 sgp
    assert_eq!(report["summary"]["documents"], 17);

    // The requests: GETs only; the 429, 503 and 410 retried or restarted.
    let requests = server.requests();
    assert!(requests.iter().all(|(m, _, _)| m == "GET"), "{requests:?}");
    let count = |path: &str| {
        requests
            .iter()
            .filter(|(_, p, _)| p.starts_with(path))
            .count()
    };
    assert_eq!(count("/apis/apps/v1/deployments?"), 2, "429 then the list");
    assert_eq!(
        count("/apis/rbac.authorization.k8s.io/v1"),
        1 + 1 + 2 + 4,
        "503, discovery, clusterroles and roles for the role index, then roles, rolebindings, clusterroles, clusterrolebindings"
    );
    let pod_lists: Vec<&String> = requests
        .iter()
        .map(|(_, p, _)| p)
        .filter(|p| p.starts_with("/api/v1/pods?"))
        .collect();
    assert_eq!(
        pod_lists,
        [
            "/api/v1/pods?limit=3",
            "/api/v1/pods?limit=3&continue=rv%3A42%2Foffset%3D3%2Bx",
            "/api/v1/pods?limit=3",
            "/api/v1/pods?limit=3&continue=rv%3A42%2Foffset%3D3%2Bx",
            "/api/v1/pods?limit=3&continue=rv%3A42%2Foffset%3D6%2Bx",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .iter()
        .collect::<Vec<_>>(),
        "first page, expired token (410), restart, then to the end"
    );
    // No rule declares Secrets: they are not even listed; nor are Events.
    assert_eq!(count("/api/v1/secrets"), 0, "{requests:?}");
    assert_eq!(count("/api/v1/events"), 0, "{requests:?}");
    assert!(run.stderr.contains("retried"), "{}", run.stderr);
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let strings = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    PolicyRule {
        api_groups: Some(strings(groups)),
        resources: Some(strings(resources)),
        verbs: strings(verbs),
        ..PolicyRule::default()
    }
}

fn binding_of(ns: Option<&str>, name: &str, kind: &str, role: &str) -> Value {
    let role_ref = RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.into(),
        name: role.into(),
    };
    let subjects = Some(vec![Subject {
        kind: "Group".into(),
        name: format!("{name}-group"),
        api_group: Some("rbac.authorization.k8s.io".into()),
        namespace: None,
    }]);
    match ns {
        None => serde_json::to_value(ClusterRoleBinding {
            metadata: meta(None, name),
            role_ref,
            subjects,
        }),
        Some(ns) => serde_json::to_value(RoleBinding {
            metadata: meta(Some(ns), name),
            role_ref,
            subjects,
        }),
    }
    .unwrap()
}

/// [`cluster`] with roles of its own: `god` (`*` on everything), `agg` (aggregating
/// `part`, every write verb on everything), `reader` (read-only on everything) and
/// the Role `payroll/ns-admin` (`*` on everything), each bound; the bindings' list is
/// paged (chunk 3) and the roles' too.
fn cluster_with_roles() -> Cluster {
    let mut c = cluster();
    c.forbidden.clear();
    let cluster_role = |name: &str, labels: Option<(&str, &str)>, rules: Vec<PolicyRule>| {
        let mut m = meta(None, name);
        m.labels = labels.map(|(k, v)| [(k.to_string(), v.to_string())].into());
        serde_json::to_value(ClusterRole {
            metadata: m,
            rules: Some(rules),
            aggregation_rule: None,
        })
        .unwrap()
    };
    let mut agg = cluster_role("agg", None, vec![]);
    agg["aggregationRule"] = serde_json::to_value(AggregationRule {
        cluster_role_selectors: Some(vec![LabelSelector {
            match_labels: Some([("tier".to_string(), "top".to_string())].into()),
            ..LabelSelector::default()
        }]),
    })
    .unwrap();
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/clusterroles".into(),
        vec![
            cluster_role("god", None, vec![rule(&["*"], &["*"], &["*"])]),
            agg,
            cluster_role(
                "part",
                Some(("tier", "top")),
                vec![rule(
                    &["*"],
                    &["*"],
                    &["create", "update", "patch", "delete"],
                )],
            ),
            cluster_role(
                "reader",
                None,
                vec![rule(&["*"], &["*"], &["get", "list", "watch"])],
            ),
        ],
    );
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/roles".into(),
        vec![serde_json::to_value(Role {
            metadata: meta(Some("payroll"), "ns-admin"),
            rules: Some(vec![rule(&["*"], &["*"], &["*"])]),
        })
        .unwrap()],
    );
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/clusterrolebindings".into(),
        vec![
            binding_of(None, "to-god", "ClusterRole", "god"),
            binding_of(None, "to-agg", "ClusterRole", "agg"),
            binding_of(None, "to-reader", "ClusterRole", "reader"),
            binding_of(None, "to-missing", "ClusterRole", "missing"),
        ],
    );
    c.objects.insert(
        "rbac.authorization.k8s.io/v1/rolebindings".into(),
        vec![
            binding_of(Some("payroll"), "payroll-god", "ClusterRole", "god"),
            binding_of(Some("payroll"), "payroll-admin", "Role", "ns-admin"),
            binding_of(Some("payroll"), "payroll-reader", "ClusterRole", "reader"),
        ],
    );
    c
}

#[test]
fn bindings_are_judged_knowing_the_roles_of_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(cluster_with_roles());
    let run = audit(dir.path(), &server, &["-f", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let admin: BTreeMap<String, String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "cluster-admin-binding")
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let files: Vec<&str> = admin.keys().map(String::as_str).collect();
    assert_eq!(
        files,
        [
            "stand-in/ClusterRoleBinding/to-agg",
            "stand-in/ClusterRoleBinding/to-god",
            "stand-in/payroll/RoleBinding/payroll-admin",
            "stand-in/payroll/RoleBinding/payroll-god",
        ],
        "read-only and unknown roles are no cluster-admin: {admin:#?}"
    );
    let god = &admin["stand-in/ClusterRoleBinding/to-god"];
    assert!(
        god.contains("grants ClusterRole god (defined at stand-in/ClusterRole/god) to group to-god-group, and that role amounts to cluster-admin"),
        "{god}"
    );
    let agg = &admin["stand-in/ClusterRoleBinding/to-agg"];
    assert!(
        agg.contains("it aggregates ClusterRole part (defined at stand-in/ClusterRole/part)"),
        "{agg}"
    );
    let ns_admin = &admin["stand-in/payroll/RoleBinding/payroll-admin"];
    assert!(
        ns_admin.contains("Role ns-admin (defined at stand-in/payroll/Role/ns-admin)"),
        "{ns_admin}"
    );
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);

    // With -n, ClusterRoles are still read whole for the index, Roles only there,
    // and cluster-scoped objects are not judged.
    let before = server.requests().len();
    let run = audit(dir.path(), &server, &["-f", "json", "-n", "payroll"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = rules_of(&run.json());
    let admin: Vec<&str> = found
        .iter()
        .filter(|(r, _)| r == "cluster-admin-binding")
        .map(|(_, f)| f.as_str())
        .collect();
    assert_eq!(
        admin,
        [
            "stand-in/payroll/RoleBinding/payroll-admin",
            "stand-in/payroll/RoleBinding/payroll-god"
        ]
    );
    let requests = server.requests().split_off(before);
    assert!(requests
        .iter()
        .any(|(_, p, _)| p
            .starts_with("/apis/rbac.authorization.k8s.io/v1/namespaces/payroll/roles?")));
    assert!(requests
        .iter()
        .any(|(_, p, _)| p.starts_with("/apis/rbac.authorization.k8s.io/v1/clusterroles?")));
    assert!(!requests
        .iter()
        .any(|(_, p, _)| p.starts_with("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")));
}

#[test]
fn a_role_index_that_cannot_be_read_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster_with_roles();
    c.forbidden.push("clusterroles".into());
    let server = Server::start(c);
    let run = audit(dir.path(), &server, &["-f", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("cannot list clusterroles")
                && m.ends_with(
                    "bindings to them are judged knowing only the built-in cluster-admin"
                )),
        "{messages:?}"
    );
    let found = rules_of(&report);
    assert!(
        !found
            .iter()
            .any(|(r, f)| r == "cluster-admin-binding" && f.contains("to-god")),
        "{found:?}"
    );
    // The Role of the namespace is still known.
    assert!(found.contains(&(
        "cluster-admin-binding".to_string(),
        "stand-in/payroll/RoleBinding/payroll-admin".to_string()
    )));
}

#[test]
fn allow_partial_reports_the_403_and_exits_by_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(cluster());
    let run = audit(
        dir.path(),
        &server,
        &["--allow-partial", "--color", "never"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("--> stand-in/payroll/Deployment/api:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("note: in Deployment payroll/api at `spec.template.spec.containers[0].securityContext.privileged`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("error: cannot list serviceaccounts"),
        "{}",
        run.stdout
    );
}

#[test]
fn namespace_narrows_to_namespaced_objects_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster();
    c.forbidden.clear();
    let server = Server::start(c);
    let run = audit(
        dir.path(),
        &server,
        &["-f", "json", "-n", "billing", "-n", "kube-system"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = rules_of(&run.json());
    assert!(
        found
            .iter()
            .all(|(_, f)| f.starts_with("stand-in/kube-system/")
                || f.starts_with("stand-in/billing/")
                || f == "stand-in/Namespace/billing"
                || f == "stand-in/Namespace/kube-system"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(r, _)| r == "aws-auth-system-masters"),
        "{found:?}"
    );
    let requests = server.requests();
    // Namespaces whole (ownership), then only the two namespaces' collections.
    assert!(requests
        .iter()
        .any(|(_, p, _)| p == "/api/v1/namespaces?limit=3"));
    assert!(requests
        .iter()
        .any(|(_, p, _)| p.starts_with("/api/v1/namespaces/billing/pods?")));
    assert!(!requests
        .iter()
        .any(|(_, p, _)| p.starts_with("/api/v1/pods?")));
    assert!(!requests
        .iter()
        .any(|(_, p, _)| p.contains("clusterrolebindings")));
}

#[test]
fn secrets_are_listed_as_metadata_only_and_no_value_reaches_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(policy.join("secret_owner.rego"), SECRET_RULE).unwrap();
    let server = Server::start(cluster());
    for format in ["human", "json", "sarif", "github", "junit", "policyreport"] {
        let run = audit(
            dir.path(),
            &server,
            &[
                "--rules",
                "policy",
                "-f",
                format,
                "--allow-partial",
                "--severity-threshold",
                "warning",
            ],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(
            run.stdout.contains("secret-owner"),
            "{format}: {}",
            run.stdout
        );
        for leaked in [SECRET_VALUE, SECRET_PLAIN, "last-applied-configuration"] {
            assert!(
                !run.stdout.contains(leaked),
                "{format} leaks {leaked}: {}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(leaked),
                "{format} leaks {leaked}: {}",
                run.stderr
            );
        }
    }
    let secret_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|(_, p, _)| p.contains("secrets"))
        .collect();
    assert_eq!(secret_requests.len(), 6, "{secret_requests:?}");
    for (_, _, accept) in secret_requests {
        assert_eq!(
            accept,
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
        );
    }
}

#[test]
fn policyreports_one_per_namespace_ready_for_kubectl_apply() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(cluster());
    let run = audit(
        dir.path(),
        &server,
        &["-f", "policyreport", "--allow-partial"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: cannot list serviceaccounts"),
        "{}",
        run.stderr
    );
    let list = run.json();
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().unwrap();
    let names: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().into(),
                i["metadata"]["namespace"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("PolicyReport", "billing"),
            ("PolicyReport", "kube-system"),
            ("PolicyReport", "payroll"),
            ("PolicyReport", "scratch"),
            ("ClusterPolicyReport", ""),
        ]
        .map(|(k, n)| (k.to_string(), n.to_string()))
    );
    for item in items {
        assert_eq!(item["apiVersion"], "wgpolicyk8s.io/v1alpha2");
        assert_eq!(item["metadata"]["name"], "blastwall");
        assert_eq!(
            item["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "blastwall"
        );
        let results = item["results"].as_array().unwrap();
        let fails = results.iter().filter(|r| r["result"] == "fail").count() as u64;
        assert_eq!(item["summary"]["fail"], fails);
    }
    let payroll = &items[2]["results"];
    let priv_deploy = payroll
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["policy"] == "privileged-container" && r["resources"][0]["kind"] == "Deployment"
        })
        .unwrap();
    assert_eq!(priv_deploy["result"], "fail");
    assert_eq!(priv_deploy["severity"], "high");
    assert_eq!(priv_deploy["source"], "blastwall");
    assert_eq!(
        priv_deploy["resources"][0],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "namespace": "payroll", "uid": "uid-payroll-api"})
    );
    assert_eq!(
        priv_deploy["properties"]["path"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    // kube-system's report has the aws-auth findings; billing's is empty.
    assert!(items[1]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["policy"] == "aws-auth-system-masters"));
    assert_eq!(items[0]["results"], json!([]));
}

#[test]
fn a_list_that_never_answers_times_out_and_the_rest_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cluster();
    c.forbidden.clear();
    c.hang.push("rolebindings".into());
    let server = Server::start(c);
    let run = audit(
        dir.path(),
        &server,
        &["-f", "json", "--request-timeout", "2s", "--retries", "1"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    // (The stand-in answers everything else at once; a client starved of CPU on a
    // busy machine could still time out elsewhere, so only this error is required.)
    let errors = report["errors"].as_array().unwrap();
    let message = errors
        .iter()
        .filter_map(|e| e["message"].as_str())
        .find(|m| m.contains("rolebindings"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(
        message.starts_with("cannot list rolebindings.rbac.authorization.k8s.io (rbac.authorization.k8s.io/v1) in all namespaces: no answer within 2s"),
        "{message}"
    );
    // Tried twice (one retry), and everything else judged.
    let tries = server
        .requests()
        .iter()
        .filter(|(_, p, _)| p.starts_with("/apis/rbac.authorization.k8s.io/v1/rolebindings?"))
        .count();
    assert_eq!(tries, 2);
    assert!(rules_of(&report)
        .iter()
        .any(|(r, _)| r == "aws-auth-system-masters"));
}

#[test]
fn an_unreachable_api_server_is_an_error_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster: {{server: \"http://127.0.0.1:{port}\"}}\nusers:\n- name: u\n  user: {{}}\ncontexts:\n- name: gone\n  context: {{cluster: gone, user: u}}\ncurrent-context: gone\n"),
    )
    .unwrap();
    let run = common::run(
        dir.path(),
        &[
            "audit",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--no-config",
            "--retries",
            "1",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("API discovery failed"),
        "{}",
        run.stderr
    );
    let run = common::run(
        dir.path(),
        &[
            "audit",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--no-config",
            "--context",
            "nope",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

/// Not a timed test: prints the peak RSS and time of auditing 20,000 Pods (in 20
/// namespaces; clean but for 1 in 100, privileged) served by the stand-in. Run it with the release
/// binary:
///
/// ```sh
/// cargo build --release --features audit --bin blastwall
/// BLASTWALL_AUDIT_BIN=target/release/blastwall \
///   cargo test --test suite audit::twenty -- --ignored --nocapture
/// ```
///
/// `BLASTWALL_AUDIT_OBJECTS` changes the number of Pods.
#[test]
#[ignore = "a benchmark figure, run on demand"]
fn twenty_thousand_objects_audit_in_bounded_memory() {
    let n: usize = std::env::var("BLASTWALL_AUDIT_OBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let mut c = Cluster::default();
    c.discovery.insert(
        "v1".into(),
        vec![
            resource("namespaces", "Namespace", false),
            resource("pods", "Pod", true),
        ],
    );
    c.objects.insert(
        "/v1/namespaces".into(),
        (0..20)
            .map(|i| namespace(&format!("payroll-{i}"), Some("payroll")))
            .collect(),
    );
    c.objects.insert(
        "/v1/pods".into(),
        (0..n)
            .map(|i| {
                let mut p = pod(
                    &format!("payroll-{}", i % 20),
                    &format!("pod-{i}"),
                    false,
                    None,
                );
                // Clean but for one Pod in a hundred, which is privileged.
                p["spec"]["containers"][0]["resources"] =
                    json!({"limits": {"cpu": "500m", "memory": "256Mi"}});
                p["spec"]["containers"][0]["securityContext"] = json!({
                    "allowPrivilegeEscalation": false, "runAsNonRoot": true,
                    "privileged": i % 100 == 0
                });
                p
            })
            .collect(),
    );
    // The baseline, in the same run: `blastwall lint` of the same objects in one file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pods.json");
    let list = json!({"apiVersion": "v1", "kind": "List", "items": c.objects["/v1/pods"]});
    std::fs::write(&file, list.to_string()).unwrap();
    let server = Server::start(c);
    let kubeconfig = server.kubeconfig(dir.path());
    let config = config();
    let binary = std::env::var("BLASTWALL_AUDIT_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_blastwall").to_string());
    let report = dir.path().join("report.json");
    let report = report.to_str().unwrap();
    for (what, args) in [
        (
            "audit",
            vec![
                "audit",
                "--kubeconfig",
                &kubeconfig,
                "--config",
                &config,
                "--qps",
                "0",
                "-f",
                "json",
                "-o",
                report,
            ],
        ),
        (
            "lint of the same Pods in one file",
            vec![
                "lint",
                file.to_str().unwrap(),
                "--config",
                &config,
                "-f",
                "json",
                "-o",
                report,
            ],
        ),
    ] {
        let (code, elapsed, peak_kb, stderr) = measure(&binary, &args);
        let findings = serde_json::from_slice::<Value>(&std::fs::read(report).unwrap()).unwrap()
            ["findings"]
            .as_array()
            .map_or(0, Vec::len);
        eprintln!("{what} of {n} Pods: exit {code:?}, {elapsed:?}, peak RSS {peak_kb} KB, {findings} findings\n{stderr}");
        assert_eq!(code, Some(1), "{stderr}");
    }
    eprintln!("({binary})");
}

/// Runs `binary args`: its exit code, wall time, peak RSS (the largest VmHWM seen
/// while it runs, as tests/common does) and stderr.
fn measure(binary: &str, args: &[&str]) -> (Option<i32>, std::time::Duration, u64, String) {
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(binary)
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr_pipe, &mut text).unwrap();
        text
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    (
        status.code(),
        started.elapsed(),
        peak_kb,
        reader.join().unwrap(),
    )
}
