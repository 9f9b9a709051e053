//! `blastwall audit`: the rules over what a live cluster already holds.
//!
//! The cluster of a kubeconfig context (or the pod's own, in a cluster) is read
//! with `kube`: API discovery says which resources serve the kinds the rules
//! declare, their collections are listed page by page (at most `concurrency` at
//! once, each page judged as soon as it arrives and then dropped), and every object
//! is judged as the webhook would judge its CREATE, through [`crate::lint::lint_document`]
//! with the run's engine, config and exemptions. Only objects with findings are
//! kept, rendered as JSON, as the "file" their findings point into: memory grows
//! with the findings, not with the cluster.
//!
//! - Namespaces are read first and whole (whatever `--namespace` says): their
//!   `blastwall.dev/product` labels are the tenancy context of every other object.
//! - When a rule judges RoleBindings or ClusterRoleBindings, Roles and ClusterRoles
//!   are read first too (ClusterRoles whole; Roles in the audited namespaces), and
//!   kept only as what the RBAC facts need ([`crate::facts::rbac::Roles`]): a
//!   binding then knows what its role grants, as in `lint`. They are listed again
//!   with everything else to be judged themselves.
//! - Secrets are listed as metadata only (`PartialObjectMetadataList`), and only
//!   when a rule declares the kind; their `last-applied-configuration` annotation,
//!   which holds the data, is dropped before anything sees it.
//! - Nothing is ever written: the client only sends GET.

pub mod client;
pub mod discovery;
pub mod policyreport;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::engine::Engine;
use crate::exempt;
use crate::facts::rbac::Roles;
use crate::facts::tenancy::{NamespaceLabels, Tenancy};
use crate::facts::Context;
use crate::finding::Finding;
use crate::review::Requester;
use crate::source::{load, FileId, Limits, Problem, SourceFile};

use serde::Deserialize;

use client::{Api, ApiError, Settings};
use discovery::Resource;

/// How the API server is asked for Secrets: metadata only, never their data.
const METADATA_ONLY: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const JSON: &str = "application/json";
/// The annotation `kubectl apply` leaves: for a Secret, its data in full.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const NOT_AUDITED: &str = "these objects are not audited";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// Restarts of one list whose continue token expired (410 Gone).
const MAX_RESTARTS: u32 = 3;

/// Which cluster, and how to reach it.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// A kubeconfig file; default: `KUBECONFIG`, `~/.kube/config`, else the pod's
    /// service account (in a cluster).
    pub kubeconfig: Option<PathBuf>,
    /// A context of the kubeconfig; default: its current context.
    pub context: Option<String>,
}

/// How much to read, and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Audit only objects in these namespaces (cluster-scoped objects then are not
    /// audited); empty: everything.
    pub namespaces: Vec<String>,
    /// Objects per page (`limit`).
    pub chunk: u32,
    /// Collections listed at once.
    pub concurrency: usize,
    /// Threads judging pages.
    pub threads: usize,
    pub client: Settings,
    /// A progress line on stderr.
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            namespaces: Vec::new(),
            chunk: 500,
            concurrency: 4,
            threads: 2,
            client: Settings::default(),
            progress: false,
        }
    }
}

/// What one audit found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The kubeconfig context (or `in-cluster`), the first part of every location.
    pub context: String,
    /// One per object with findings, named `<context>/<namespace>/<kind>/<name>`
    /// (`<context>/<kind>/<name>` when cluster-scoped), its text the object as JSON.
    pub files: Vec<SourceFile>,
    /// The uid of each file's object.
    pub uids: Vec<String>,
    /// Sorted by location, position and rule.
    pub findings: Vec<Finding>,
    /// Collections or group versions that could not be read: the audit is incomplete.
    pub problems: Vec<Problem>,
    /// Objects judged.
    pub objects: usize,
    /// Objects judged per kind.
    pub per_kind: BTreeMap<String, usize>,
    /// The namespaces audited (every Namespace, or `--namespace`).
    pub namespaces: Vec<String>,
    /// Whether cluster-scoped objects were audited.
    pub cluster_scoped: bool,
    /// Requests sent, retried, and answered 429.
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
}

/// What judging needs beyond the object: the run's engine, exemptions and config.
pub struct Judge<'a> {
    pub engine: &'a Engine,
    pub exemptions: &'a exempt::Run<'a>,
    pub tenancy: Option<Arc<Tenancy>>,
}

/// Audits the cluster of `target`. Errors that stop the audit before any object is
/// read (no kubeconfig, discovery refused) are `Err`; collections that cannot be read
/// are problems of the [`Outcome`].
pub fn run(target: &Target, options: &Options, judge: &Judge) -> anyhow::Result<Outcome> {
    // Err: a provider is already installed (a second run in one process).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (client, context) = runtime.block_on(connect(target))?;
    let api = Arc::new(Api::new(client, options.client.clone()));

    // Which collections: the kinds the rules declare (in the API groups they name),
    // and Namespaces always. Rules of every kind judge what these bring.
    let mut kinds = judge.engine.kinds();
    kinds.insert("Namespace", None);
    // Bindings are judged knowing the roles they bind.
    let role_index = kinds.contains(RBAC_GROUP, "RoleBinding")
        || kinds.contains(RBAC_GROUP, "ClusterRoleBinding");
    if role_index {
        kinds.insert("Role", Some(RBAC_GROUP));
        kinds.insert("ClusterRole", Some(RBAC_GROUP));
    }
    let discovered = runtime
        .block_on(discovery::discover(&api, &kinds, options.concurrency))
        .map_err(|e| anyhow::anyhow!("API discovery failed: {e}"))?;
    let mut problems: Vec<Problem> = discovered
        .failed
        .iter()
        .map(|(gv, e)| problem(format!(
            "cannot read the resources of {gv} (API discovery): {e}; kinds it serves are not audited"
        )))
        .collect();

    // Namespaces first, whole: the tenancy context of everything else.
    let namespace_resource = discovered
        .resources
        .iter()
        .find(|r| r.kind == "Namespace" && r.group.is_empty())
        .cloned();
    let mut namespace_objects = Vec::new();
    if let Some(resource) = &namespace_resource {
        let mut pager = Pager::new(resource.list_path(None), JSON, options.chunk);
        loop {
            match runtime.block_on(pager.next(&api)) {
                Ok(Some(items)) => namespace_objects.extend(items),
                Ok(None) => break,
                Err(e) => {
                    problems.push(list_problem(resource, None, &e, NOT_AUDITED));
                    break;
                }
            }
        }
    }
    let mut labels = NamespaceLabels::new();
    for ns in &namespace_objects {
        let name = ns["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut map = BTreeMap::new();
        if let Some(l) = ns["metadata"]["labels"].as_object() {
            for (k, v) in l {
                if let Some(v) = v.as_str() {
                    map.insert(k.clone(), v.to_string());
                }
            }
        }
        labels.insert(name, map);
    }
    let audited_namespaces: Vec<String> = match options.namespaces.is_empty() {
        true => {
            let mut all: Vec<String> = labels.keys().cloned().collect();
            all.sort();
            all
        }
        false => options.namespaces.clone(),
    };
    let roles = match role_index {
        true => Some(Arc::new(runtime.block_on(role_index_of(
            &api,
            &discovered.resources,
            &context,
            options,
            &mut problems,
        )))),
        false => None,
    };
    let ctx = match &judge.tenancy {
        Some(t) => Context {
            tenancy: Some(t.clone()),
            namespaces: Some(Arc::new(labels)),
            roles,
            ..Context::default()
        },
        None => Context {
            roles,
            ..Context::default()
        },
    };

    let shared = Shared {
        context: context.clone(),
        judge,
        ctx,
        limits: Limits::default(),
        collected: Mutex::new(Collected::default()),
        progress: Progress::new(options.progress),
    };

    // Everything else, page by page: listed on the runtime, judged on threads.
    let (tx, rx) = tokio::sync::mpsc::channel::<Page>(options.threads.max(1) * 2);
    let rx = Mutex::new(rx);
    // A page whose judging panics is lost, but its thread goes on receiving: were
    // it to stop, the listers would wait for room in the channel for ever.
    let panicked = AtomicUsize::new(0);
    let listing = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..options.threads.max(1))
            .map(|_| {
                scope.spawn(|| loop {
                    let page = match rx.lock() {
                        Ok(mut rx) => rx.blocking_recv(),
                        Err(_) => None,
                    };
                    let Some(page) = page else { break };
                    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        shared.judge_page(page)
                    }));
                    if judged.is_err() {
                        panicked.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        if let Some(resource) = &namespace_resource {
            let wanted: Vec<serde_json::Value> = namespace_objects
                .drain(..)
                .filter(|ns| {
                    options.namespaces.is_empty()
                        || options
                            .namespaces
                            .iter()
                            .any(|n| ns["metadata"]["name"].as_str() == Some(n))
                })
                .collect();
            let page = Page {
                resource: Arc::new(resource.clone()),
                items: wanted,
            };
            let _ = tx.blocking_send(page);
        }
        let jobs = jobs(&discovered.resources, &options.namespaces);
        let errors = runtime.block_on(list_all(api.clone(), jobs, options, tx));
        for worker in workers {
            if worker.join().is_err() {
                panicked.fetch_add(1, Ordering::Relaxed);
            }
        }
        errors
    });
    shared.progress.finish();
    for (resource, namespace, error) in listing {
        problems.push(list_problem(
            &resource,
            namespace.as_deref(),
            &error,
            NOT_AUDITED,
        ));
    }
    let panicked = panicked.into_inner();
    if panicked > 0 {
        problems.push(problem(format!(
            "{panicked} page(s) of objects could not be judged (an internal error): those objects are not audited"
        )));
    }

    let collected = shared
        .collected
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut outcome = collected.into_outcome(context);
    outcome.problems.splice(0..0, problems);
    outcome.namespaces = audited_namespaces;
    outcome.cluster_scoped = options.namespaces.is_empty();
    outcome.requests = api.stats.requests.load(Ordering::Relaxed);
    outcome.retries = api.stats.retries.load(Ordering::Relaxed);
    outcome.throttled = api.stats.throttled.load(Ordering::Relaxed);
    Ok(outcome)
}

/// The Roles and ClusterRoles of the cluster, as the RBAC facts keep them: every
/// ClusterRole, and the Roles of every namespace (or of `--namespace`'s). Lists that
/// cannot be read are problems: bindings to those roles then know only the built-in
/// `cluster-admin`.
async fn role_index_of(
    api: &Api,
    resources: &[Resource],
    context: &str,
    options: &Options,
    problems: &mut Vec<Problem>,
) -> Roles {
    let mut roles = Roles::default();
    for kind in ["ClusterRole", "Role"] {
        let Some(resource) = resources
            .iter()
            .find(|r| r.kind == kind && r.group == RBAC_GROUP)
        else {
            continue;
        };
        let scopes: Vec<Option<&str>> = match (resource.namespaced, options.namespaces.is_empty()) {
            (true, false) => options
                .namespaces
                .iter()
                .map(|n| Some(n.as_str()))
                .collect(),
            _ => vec![None],
        };
        for namespace in scopes {
            let mut pager = Pager::new(resource.list_path(namespace), JSON, options.chunk);
            loop {
                match pager.next(api).await {
                    Ok(Some(items)) => {
                        for item in items {
                            let object = complete(resource, item);
                            let Ok(value) = regorus::Value::deserialize(&object) else {
                                continue;
                            };
                            roles.add(&value, || location(context, resource, &object));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        problems.push(list_problem(
                            resource,
                            namespace,
                            &e,
                            "bindings to them are judged knowing only the built-in cluster-admin",
                        ));
                        break;
                    }
                }
            }
        }
    }
    roles
}

/// Where an object is reported: `<context>/<namespace>/<kind>/<name>`, or
/// `<context>/<kind>/<name>` when cluster-scoped.
fn location(context: &str, resource: &Resource, object: &serde_json::Value) -> String {
    let meta = &object["metadata"];
    let name = meta["name"].as_str().unwrap_or_default();
    match meta["namespace"].as_str().filter(|n| !n.is_empty()) {
        None => format!("{context}/{}/{name}", resource.kind),
        Some(namespace) => format!("{context}/{namespace}/{}/{name}", resource.kind),
    }
}

/// The client of `target`, and the name of its context.
async fn connect(target: &Target) -> anyhow::Result<(kube::Client, String)> {
    use kube::config::{Config, KubeConfigOptions, Kubeconfig};
    let options = KubeConfigOptions {
        context: target.context.clone(),
        cluster: None,
        user: None,
    };
    let home_config = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".kube").join("config"))
        .filter(|p| p.exists());
    let kubeconfig = match &target.kubeconfig {
        Some(path) => Some(
            Kubeconfig::read_from(path)
                .map_err(|e| anyhow::anyhow!("cannot read kubeconfig {}: {e}", path.display()))?,
        ),
        None if std::env::var_os("KUBECONFIG").is_some() || home_config.is_some() => Some(
            Kubeconfig::read().map_err(|e| anyhow::anyhow!("cannot read the kubeconfig: {e}"))?,
        ),
        None => None,
    };
    let (mut config, name) = match kubeconfig {
        Some(kubeconfig) => {
            let name = options
                .context
                .clone()
                .or_else(|| kubeconfig.current_context.clone())
                .unwrap_or_default();
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| anyhow::anyhow!("kubeconfig context `{name}`: {e}"))?;
            (config, name)
        }
        None if target.context.is_some() => {
            anyhow::bail!("--context needs a kubeconfig: none found (KUBECONFIG, ~/.kube/config)")
        }
        None => {
            let config = Config::incluster().map_err(|e| {
                anyhow::anyhow!(
                    "no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster: {e}"
                )
            })?;
            (config, "in-cluster".to_string())
        }
    };
    // Retries are ours: they honour Retry-After and are counted.
    config.default_retry = false;
    // The timeout per request is ours too (body included), with a clear message.
    config.read_timeout = None;
    let client = kube::Client::try_from(config)
        .map_err(|e| anyhow::anyhow!("cannot make a client for context `{name}`: {e}"))?;
    Ok((client, name))
}

/// One collection to list: a resource, in all namespaces or one.
type Job = (Resource, Option<String>);

/// Every resource but Namespaces (read first), in every namespace or in each of
/// `namespaces` (cluster-scoped resources are then left out).
fn jobs(resources: &[Resource], namespaces: &[String]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for r in resources {
        if r.kind == "Namespace" && r.group.is_empty() {
            continue;
        }
        if namespaces.is_empty() {
            jobs.push((r.clone(), None));
        } else if r.namespaced {
            jobs.extend(namespaces.iter().map(|ns| (r.clone(), Some(ns.clone()))));
        }
    }
    jobs
}

/// Lists every job, `concurrency` at a time, sending each page to the judges.
/// Returns the jobs that could not be listed to the end.
async fn list_all(
    api: Arc<Api>,
    jobs: Vec<Job>,
    options: &Options,
    tx: tokio::sync::mpsc::Sender<Page>,
) -> Vec<(Resource, Option<String>, ApiError)> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (resource, namespace) in jobs {
        let api = api.clone();
        let tx = tx.clone();
        let semaphore = semaphore.clone();
        let chunk = options.chunk;
        set.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let secrets = resource.kind == "Secret" && resource.group.is_empty();
            let accept = if secrets { METADATA_ONLY } else { JSON };
            let mut pager = Pager::new(resource.list_path(namespace.as_deref()), accept, chunk);
            let resource = Arc::new(resource);
            loop {
                match pager.next(&api).await {
                    Ok(Some(items)) => {
                        let page = Page {
                            resource: resource.clone(),
                            items,
                        };
                        if tx.send(page).await.is_err() {
                            return None;
                        }
                    }
                    Ok(None) => return None,
                    Err(e) => return Some(((*resource).clone(), namespace, e)),
                }
            }
        });
    }
    drop(tx);
    let mut errors = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(Some(error)) = joined {
            errors.push(error);
        }
    }
    errors.sort_by(|a, b| (a.0.display(), &a.1).cmp(&(b.0.display(), &b.1)));
    errors
}

/// A paginated list: `limit` and `continue`; a continue token that expired (410
/// Gone) restarts the list from the top, and objects already seen are skipped.
struct Pager {
    path: String,
    accept: &'static str,
    chunk: u32,
    cont: Option<String>,
    done: bool,
    restarts: u32,
    seen: HashSet<String>,
}

impl Pager {
    fn new(path: String, accept: &'static str, chunk: u32) -> Pager {
        Pager {
            path,
            accept,
            chunk: chunk.max(1),
            cont: None,
            done: false,
            restarts: 0,
            seen: HashSet::new(),
        }
    }

    /// The next page's items, `None` after the last.
    async fn next(&mut self, api: &Api) -> Result<Option<Vec<serde_json::Value>>, ApiError> {
        #[derive(serde::Deserialize, Default)]
        struct ListMeta {
            #[serde(rename = "continue", default)]
            cont: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct ListPage {
            #[serde(default)]
            metadata: Option<ListMeta>,
            #[serde(default)]
            items: Option<Vec<serde_json::Value>>,
        }
        loop {
            if self.done {
                return Ok(None);
            }
            let mut path = format!("{}?limit={}", self.path, self.chunk);
            if let Some(cont) = &self.cont {
                path.push_str("&continue=");
                path.push_str(&percent_encode(cont));
            }
            match api.get(&path, self.accept).await {
                Ok(body) => {
                    let page: ListPage = serde_json::from_slice(&body)
                        .map_err(|e| ApiError::Transport(format!("{path}: not a list: {e}")))?;
                    self.cont = page
                        .metadata
                        .unwrap_or_default()
                        .cont
                        .filter(|c| !c.is_empty());
                    self.done = self.cont.is_none();
                    let items = page
                        .items
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|item| self.seen.insert(identity(item)))
                        .collect();
                    return Ok(Some(items));
                }
                Err(e) if e.code() == Some(410) && self.cont.is_some() => {
                    if self.restarts >= MAX_RESTARTS {
                        return Err(e);
                    }
                    self.restarts += 1;
                    self.cont = None;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// What tells two listed objects apart: the uid, else namespace and name.
fn identity(item: &serde_json::Value) -> String {
    let meta = &item["metadata"];
    match meta["uid"].as_str() {
        Some(uid) if !uid.is_empty() => uid.to_string(),
        _ => format!(
            "{}/{}",
            meta["namespace"].as_str().unwrap_or_default(),
            meta["name"].as_str().unwrap_or_default()
        ),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn problem(message: String) -> Problem {
    Problem {
        file: None,
        span: None,
        message,
    }
}

/// A collection that could not be listed: which, where, and what is missing.
/// `consequence` says what is missing for it (`these objects are not audited`).
fn list_problem(
    resource: &Resource,
    namespace: Option<&str>,
    error: &ApiError,
    consequence: &str,
) -> Problem {
    let scope = match namespace {
        Some(ns) => format!("in namespace {ns}"),
        None if resource.namespaced => "in all namespaces".to_string(),
        None => "(cluster-scoped)".to_string(),
    };
    let what = resource.display();
    let hint = match error.code() {
        Some(403) => format!(
            "; the audit needs the verb `list` on `{what}`{}",
            match namespace {
                Some(ns) => format!(" in namespace {ns}"),
                None => " (a ClusterRole)".into(),
            }
        ),
        Some(410) => {
            "; its continue token kept expiring: the list changed faster than it could be read"
                .into()
        }
        _ => String::new(),
    };
    problem(format!(
        "cannot list {what} ({}) {scope}: {error}{hint}; {consequence}",
        resource.api_version()
    ))
}

/// One page of one collection, for the judges.
struct Page {
    resource: Arc<Resource>,
    items: Vec<serde_json::Value>,
}

/// What judging threads share.
struct Shared<'a> {
    context: String,
    judge: &'a Judge<'a>,
    ctx: Context,
    limits: Limits,
    collected: Mutex<Collected>,
    progress: Progress,
}

/// An object with findings: its text and its findings (pointing at file 0).
struct Kept {
    file: SourceFile,
    uid: String,
    findings: Vec<Finding>,
}

#[derive(Default)]
struct Collected {
    kept: Vec<Kept>,
    problems: Vec<Problem>,
    objects: usize,
    per_kind: BTreeMap<String, usize>,
}

impl Collected {
    /// Files in order of location, findings pointing at them, sorted as lint sorts.
    fn into_outcome(mut self, context: String) -> Outcome {
        self.kept.sort_by(|a, b| a.file.name.cmp(&b.file.name));
        let mut outcome = Outcome {
            context,
            objects: self.objects,
            per_kind: self.per_kind,
            problems: self.problems,
            ..Outcome::default()
        };
        for (index, kept) in self.kept.into_iter().enumerate() {
            for mut f in kept.findings {
                f.file = Some(FileId(index));
                outcome.findings.push(f);
            }
            outcome.files.push(kept.file);
            outcome.uids.push(kept.uid);
        }
        crate::lint::sort(&mut outcome.findings);
        outcome
    }
}

impl Shared<'_> {
    fn judge_page(&self, page: Page) {
        let mut kept = Vec::new();
        let mut problems = Vec::new();
        let count = page.items.len();
        for item in page.items {
            match self.judge_object(&page.resource, item) {
                Ok(Some(k)) => kept.push(k),
                Ok(None) => {}
                Err(p) => problems.push(p),
            }
        }
        let findings: usize = kept.iter().map(|k| k.findings.len()).sum();
        if let Ok(mut c) = self.collected.lock() {
            c.objects += count;
            *c.per_kind.entry(page.resource.display()).or_default() += count;
            c.kept.extend(kept);
            c.problems.extend(problems);
            self.progress.update(&c, findings);
        }
    }

    /// Judges one listed object as the CREATE of it; its findings and text if any.
    fn judge_object(
        &self,
        resource: &Resource,
        item: serde_json::Value,
    ) -> Result<Option<Kept>, Problem> {
        let object = complete(resource, item);
        let meta = &object["metadata"];
        let uid = meta["uid"].as_str().unwrap_or_default().to_string();
        let location = location(&self.context, resource, &object);
        let requester = requester(&object);
        let text = serde_json::to_string_pretty(&object)
            .map_err(|e| problem(format!("{location}: cannot render the object: {e}")))?;
        drop(object);
        let mut loaded = load::load_str(&location, text, &self.limits);
        if let Some(p) = loaded.problems.first() {
            return Err(problem(format!("{location}: {}", p.message)));
        }
        let mut findings = Vec::new();
        for doc in &loaded.documents {
            crate::lint::lint_document(
                self.judge.engine,
                &loaded,
                &self.ctx,
                Some(self.judge.exemptions),
                &requester,
                doc,
                &mut findings,
            )
            .map_err(|e| problem(format!("{location}: {e}")))?;
        }
        if findings.is_empty() {
            return Ok(None);
        }
        crate::source::redact::secret_values(&mut loaded);
        let Some(file) = loaded.files.pop() else {
            return Ok(None);
        };
        Ok(Some(Kept {
            file,
            uid,
            findings,
        }))
    }
}

/// The object as the API server would have it in a review: list items carry no
/// `apiVersion` and `kind`; `managedFields` are bookkeeping no rule reads; of a
/// Secret only its metadata, without the annotation that repeats its data.
fn complete(resource: &Resource, item: serde_json::Value) -> serde_json::Value {
    let secret = resource.kind == "Secret" && resource.group.is_empty();
    let mut out = serde_json::Map::new();
    out.insert("apiVersion".into(), resource.api_version().into());
    out.insert("kind".into(), resource.kind.clone().into());
    if let serde_json::Value::Object(fields) = item {
        for (k, v) in fields {
            if k == "apiVersion" || k == "kind" || (secret && k != "metadata") {
                continue;
            }
            out.insert(k, v);
        }
    }
    if let Some(meta) = out.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.remove("managedFields");
        if secret {
            if let Some(annotations) = meta.get_mut("annotations").and_then(|a| a.as_object_mut()) {
                annotations.remove(LAST_APPLIED);
            }
        }
    }
    serde_json::Value::Object(out)
}

/// Who creates `object`: the controller that owns it (a Pod of a ReplicaSet is
/// created by the ReplicaSet controller), else nobody in particular, as in `lint`.
fn requester(object: &serde_json::Value) -> Requester {
    let controller = object["metadata"]["ownerReferences"]
        .as_array()
        .and_then(|owners| owners.iter().find(|o| o["controller"] == true));
    let Some(kind) = controller.and_then(|o| o["kind"].as_str()) else {
        return Requester::default();
    };
    let account = match kind {
        "ReplicaSet" => "replicaset-controller",
        "Deployment" => "deployment-controller",
        "StatefulSet" => "statefulset-controller",
        "DaemonSet" => "daemon-set-controller",
        "Job" => "job-controller",
        "CronJob" => "cronjob-controller",
        "ReplicationController" => "replication-controller",
        _ => return Requester::default(),
    };
    Requester {
        username: format!("system:serviceaccount:kube-system:{account}"),
        groups: vec![
            "system:serviceaccounts".into(),
            "system:serviceaccounts:kube-system".into(),
            "system:authenticated".into(),
        ],
    }
}

/// The progress line on stderr: objects listed per kind, findings so far.
struct Progress {
    enabled: bool,
    findings: AtomicUsize,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            findings: AtomicUsize::new(0),
        }
    }

    fn update(&self, collected: &Collected, new_findings: usize) {
        let findings = self.findings.fetch_add(new_findings, Ordering::Relaxed) + new_findings;
        if !self.enabled {
            return;
        }
        let kinds: Vec<String> = collected
            .per_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        eprint!(
            "\r\x1b[Kaudit: {} objects ({}), {} findings",
            collected.objects,
            kinds.join(", "),
            findings
        );
    }

    fn finish(&self) {
        if self.enabled {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods() -> Resource {
        Resource {
            group: String::new(),
            version: "v1".into(),
            kind: "Pod".into(),
            plural: "pods".into(),
            namespaced: true,
        }
    }

    #[test]
    fn continue_tokens_are_percent_encoded() {
        assert_eq!(percent_encode("eyJ2Ijoi+/=="), "eyJ2Ijoi%2B%2F%3D%3D");
    }

    #[test]
    fn list_items_get_their_kind_and_lose_managed_fields() {
        let item = serde_json::json!({"metadata":{"name":"p","namespace":"a","managedFields":[{"manager":"kubectl"}]},"spec":{}});
        let object = complete(&pods(), item);
        assert_eq!(object["apiVersion"], "v1");
        assert_eq!(object["kind"], "Pod");
        assert_eq!(object["metadata"].get("managedFields"), None);
        assert_eq!(object["metadata"]["name"], "p");
    }

    #[test]
    fn a_secret_keeps_only_metadata_without_last_applied() {
        let secret = Resource {
            kind: "Secret".into(),
            plural: "secrets".into(),
            ..pods()
        };
        let item = serde_json::json!({"metadata":{"name":"s","annotations":{LAST_APPLIED:"{\"data\":{\"k\":\"c2VjcmV0\"}}","team":"x"}},"data":{"k":"c2VjcmV0"}});
        let text = complete(&secret, item).to_string();
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(text.contains("\"team\""), "{text}");
    }

    #[test]
    fn pods_of_a_replicaset_are_created_by_its_controller() {
        let pod = serde_json::json!({"metadata":{"ownerReferences":[{"kind":"ReplicaSet","name":"api-1","controller":true}]}});
        assert_eq!(
            requester(&pod).username,
            "system:serviceaccount:kube-system:replicaset-controller"
        );
        assert_eq!(requester(&serde_json::json!({})).username, "");
    }

    #[test]
    fn with_namespaces_only_namespaced_collections_are_listed_there() {
        let crb = Resource {
            group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRoleBinding".into(),
            plural: "clusterrolebindings".into(),
            namespaced: false,
            ..pods()
        };
        let all = jobs(&[pods(), crb.clone()], &[]);
        assert_eq!(all.len(), 2);
        let narrowed = jobs(&[pods(), crb], &["a".into(), "b".into()]);
        assert_eq!(
            narrowed
                .iter()
                .map(|(r, ns)| (r.plural.as_str(), ns.as_deref()))
                .collect::<Vec<_>>(),
            vec![("pods", Some("a")), ("pods", Some("b"))]
        );
    }
}
