//! Namespace labels for the tenancy facts: a metadata-only reflector over the
//! cluster's Namespaces, or a fixed set for runs without a cluster.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use blastwall::facts::tenancy::{NamespaceLabels, NamespaceLookup};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::ListParams;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Api, Client};

enum Source {
    Fixed(NamespaceLabels),
    Cluster(Store<PartialObjectMeta<Namespace>>),
}

/// What rules may know about Namespaces, and whether it can be trusted yet.
pub struct NamespaceCache {
    source: Source,
    synced: AtomicBool,
    started: Instant,
    /// Milliseconds after `started` of the last answer from the API server (a watch
    /// event or a probe).
    last_heard_ms: AtomicU64,
    /// Whether the last attempt to reach the API server failed.
    failing: AtomicBool,
    /// Failed attempts (watch errors and probes) since start.
    errors: AtomicU64,
}

impl NamespaceLookup for NamespaceCache {
    fn label(&self, namespace: &str, key: &str) -> Option<String> {
        match &self.source {
            Source::Fixed(map) => map.label(namespace, key),
            Source::Cluster(store) => store
                .get(&ObjectRef::new(namespace))
                .and_then(|ns| ns.metadata.labels.as_ref()?.get(key).cloned()),
        }
    }

    fn labels(&self, namespace: &str) -> Option<std::collections::BTreeMap<String, String>> {
        match &self.source {
            Source::Fixed(map) => map.labels(namespace),
            Source::Cluster(store) => store
                .get(&ObjectRef::new(namespace))
                .map(|ns| ns.metadata.labels.clone().unwrap_or_default()),
        }
    }
}

impl NamespaceCache {
    /// A cache that never changes (standalone runs and tests); ready at once.
    pub fn fixed(labels: NamespaceLabels) -> NamespaceCache {
        NamespaceCache {
            source: Source::Fixed(labels),
            synced: AtomicBool::new(true),
            started: Instant::now(),
            last_heard_ms: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            errors: AtomicU64::new(0),
        }
    }

    /// Reads `kubectl get ns -o json` output, or `{"<ns>": {"<label>": "<value>"}}`.
    pub fn from_file(path: &Path) -> anyhow::Result<NamespaceCache> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut labels = NamespaceLabels::new();
        if let Some(items) = json.get("items").and_then(|i| i.as_array()) {
            for item in items {
                let Some(name) = item["metadata"]["name"].as_str() else {
                    continue;
                };
                labels.insert(name.to_string(), string_map(&item["metadata"]["labels"]));
            }
        } else if let Some(map) = json.as_object() {
            for (name, l) in map {
                labels.insert(name.clone(), string_map(l));
            }
        } else {
            anyhow::bail!("{}: expected a NamespaceList or an object", path.display());
        }
        Ok(NamespaceCache::fixed(labels))
    }

    /// Starts watching the cluster's Namespaces (metadata only). The returned future
    /// drives the watch and must be spawned; it reconnects with backoff on errors.
    /// Every `probe` it also lists one Namespace, so that a healthy watch on a
    /// cluster where nothing changes still counts as heard from, and a lost API
    /// server shows as a growing cache age while the cache keeps serving.
    pub fn watch(
        client: Client,
        probe: Duration,
    ) -> (Arc<NamespaceCache>, impl std::future::Future<Output = ()>) {
        let (reader, writer) = reflector::store::<PartialObjectMeta<Namespace>>();
        let cache = Arc::new(NamespaceCache {
            source: Source::Cluster(reader),
            synced: AtomicBool::new(false),
            started: Instant::now(),
            last_heard_ms: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            errors: AtomicU64::new(0),
        });
        let api: Api<PartialObjectMeta<Namespace>> = Api::all(client);
        let watch = {
            let cache = Arc::clone(&cache);
            let api = api.clone();
            async move {
                let stream = watcher(api, watcher::Config::default().any_semantic())
                    .default_backoff()
                    .reflect(writer);
                futures::pin_mut!(stream);
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(event) => {
                            cache.heard();
                            if matches!(event, watcher::Event::InitDone)
                                && !cache.synced.swap(true, Ordering::Relaxed)
                            {
                                tracing::info!(namespaces = cache.len(), "namespace cache synced");
                            }
                        }
                        Err(e) => {
                            cache.failed();
                            tracing::warn!(
                                error = %e,
                                cache_age_seconds = cache.age_seconds(),
                                "namespace watch failed; serving from the cache and retrying"
                            );
                        }
                    }
                }
            }
        };
        let probing = {
            let cache = Arc::clone(&cache);
            async move {
                let mut tick = tokio::time::interval(probe.max(Duration::from_millis(100)));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    match api.list_metadata(&ListParams::default().limit(1)).await {
                        Ok(_) => cache.heard(),
                        Err(e) => {
                            cache.failed();
                            tracing::warn!(
                                error = %e,
                                cache_age_seconds = cache.age_seconds(),
                                "API server not reachable; serving Namespaces from the cache"
                            );
                        }
                    }
                }
            }
        };
        let driver = async move {
            futures::join!(watch, probing);
        };
        (cache, driver)
    }

    fn heard(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_heard_ms.store(ms.max(1), Ordering::Relaxed);
        self.failing.store(false, Ordering::Relaxed);
    }

    fn failed(&self) {
        self.failing.store(true, Ordering::Relaxed);
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the API server could not be reached on the last attempt.
    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// Failed attempts to reach the API server since start.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Whether the first full list has arrived.
    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Relaxed)
    }

    /// Seconds since the API server was last heard from (0 for a fixed cache).
    pub fn age_seconds(&self) -> f64 {
        match self.source {
            Source::Fixed(_) => 0.0,
            Source::Cluster(_) => {
                let last = self.last_heard_ms.load(Ordering::Relaxed);
                let now = self.started.elapsed().as_millis() as u64;
                now.saturating_sub(last) as f64 / 1000.0
            }
        }
    }

    pub fn len(&self) -> usize {
        match &self.source {
            Source::Fixed(map) => map.len(),
            Source::Cluster(store) => store.state().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn string_map(value: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    value
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
