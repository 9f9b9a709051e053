//! Certificate rotation while requests flow: none is lost, new handshakes get the new
//! certificate, and a bad pair on disk leaves the good one serving.

use crate::common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;

/// Swaps the files the way kubelet updates a mounted Secret: write a new timestamped
/// directory, point `..data` at it with an atomic rename, `tls.crt` → `..data/tls.crt`.
fn kubelet_swap(dir: &Path, generation: u32, cert: &str, key: &str) {
    let target = format!("..2026_11_28_{generation:02}");
    std::fs::create_dir(dir.join(&target)).unwrap();
    std::fs::write(dir.join(&target).join("tls.crt"), cert).unwrap();
    std::fs::write(dir.join(&target).join("tls.key"), key).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    for file in ["tls.crt", "tls.key"] {
        let link = dir.join(format!("{file}.tmp"));
        std::os::unix::fs::symlink(format!("..data/{file}"), &link).unwrap();
        std::fs::rename(&link, dir.join(file)).unwrap();
    }
}

fn review(uid: &str) -> Vec<u8> {
    serde_json::to_vec(&payroll_pod_review(uid)).unwrap()
}

async fn reloads(server: &Server, result: &str) -> u64 {
    let (_, metrics) = server.ops("/metrics").await;
    let prefix = format!("blastwall_webhook_certificate_reloads_total{{reason=\"{result}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.trim().parse().ok())
        .unwrap_or(0)
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_under_load_loses_no_request_and_bad_pairs_are_refused() {
    let a = pki("a");
    let b = pki("b");
    let server = start(&a, &["--cert-reload-interval", "50ms"]).await;
    let addr = server.bound.admission;

    // Load: keep-alive clients and clients that handshake on every request, all
    // trusting both CAs, run through the rotation.
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for i in 0..4 {
        let client = if i % 2 == 0 {
            Https::trusting(&[&a.ca_pem, &b.ca_pem])
        } else {
            Https::fresh_connections(&[&a.ca_pem, &b.ca_pem])
        };
        let (stop, ok, failures) = (stop.clone(), ok.clone(), failures.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let uid = format!("rot-{i}-{n}");
                match client.try_post(addr, review(&uid).into()).await {
                    Ok((200, body)) if body.contains(&uid) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    other => failures.lock().unwrap().push(format!("{uid}: {other:?}")),
                }
            }
        }));
    }

    let only_a = Https::fresh_connections(&[&a.ca_pem]);
    let only_b = Https::fresh_connections(&[&b.ca_pem]);
    assert!(only_a.try_post(addr, review("pre").into()).await.is_ok());
    assert!(only_b.try_post(addr, review("pre").into()).await.is_err());

    let dir = server.dir.path().to_path_buf();
    until("load is flowing", async || ok.load(Ordering::Relaxed) > 20).await;
    kubelet_swap(&dir, 1, &b.cert_pem, &b.key_pem);
    until("new handshakes present certificate B", async || {
        only_b.try_post(addr, review("b").into()).await.is_ok()
    })
    .await;
    assert!(only_a.try_post(addr, review("a").into()).await.is_err());
    let after_swap = ok.load(Ordering::Relaxed);
    until("load continues after the swap", async || {
        ok.load(Ordering::Relaxed) > after_swap + 20
    })
    .await;

    // A certificate whose key does not match, then garbage: refused, B keeps serving.
    let c = pki("c");
    // (The first swap may have shown a new certificate with the old key for a moment.)
    let errors_before = reloads(&server, "error").await;
    kubelet_swap(&dir, 2, &c.cert_pem, &b.key_pem);
    until("the mismatched pair is refused", async || {
        reloads(&server, "error").await > errors_before
    })
    .await;
    assert!(only_b.try_post(addr, review("b-kept").into()).await.is_ok());
    kubelet_swap(&dir, 3, "not a certificate", "not a key");
    until("the garbage pair is refused", async || {
        reloads(&server, "error").await > errors_before + 1
    })
    .await;
    assert!(only_b
        .try_post(addr, review("still-b").into())
        .await
        .is_ok());

    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "lost requests: {failures:#?}");
    assert!(ok.load(Ordering::Relaxed) > 40);
    assert_eq!(reloads(&server, "ok").await, 1);
    server.stop().await;
}
