//! The real server over real TLS under faults and load: slow clients, a thousand
//! connections at once, rules that run too long. Bounds are generous; the point is
//! that nothing starves, hangs or crashes.

use crate::common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn config_map_review(uid: &str) -> Vec<u8> {
    serde_json::to_vec(&admission_review(
        uid,
        "CREATE",
        ("", "v1", "ConfigMap"),
        "configmaps",
        None,
        "payroll",
        "settings",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "settings", "namespace": "payroll"}, "data": {"a": "b"}}),
        Value::Null,
    ))
    .unwrap()
}

fn pod_review(uid: &str) -> Vec<u8> {
    serde_json::to_vec(&payroll_pod_review(uid)).unwrap()
}

/// Writes `head` at once, then `trickle` one byte every 200 ms, and collects what
/// the server answers until it closes the connection (at most `give_up`).
/// Returns (answer, when the server closed it).
async fn slow_client(
    addr: SocketAddr,
    ca: String,
    head: Vec<u8>,
    trickle: Vec<u8>,
    give_up: Duration,
) -> (String, Option<Duration>) {
    let stream = tls_connect(addr, &tls_client_config(&ca)).await;
    let started = Instant::now();
    let (mut read, mut write) = tokio::io::split(stream);
    let writer = tokio::spawn(async move {
        if write.write_all(&head).await.is_err() {
            return;
        }
        for b in trickle {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write.write_all(&[b]).await.is_err() || write.flush().await.is_err() {
                return;
            }
        }
    });
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(give_up, async {
        let mut buf = [0u8; 1024];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .map(|_| started.elapsed());
    writer.abort();
    (String::from_utf8_lossy(&answer).into_owned(), closed)
}

/// Slowloris: clients that trickle their headers or their body, and clients that
/// never start TLS, are cut off at the read timeouts, and meanwhile everyone else
/// is answered promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_do_not_starve_others() {
    let pki = pki("slowloris");
    let server = start(
        &pki,
        &[
            "--header-read-timeout",
            "1s",
            "--body-read-timeout",
            "1s",
            "--handshake-timeout",
            "1s",
        ],
    )
    .await;
    let addr = server.bound.admission;
    let give_up = Duration::from_secs(8);

    let body = config_map_review("slow-body");
    let mut slow = Vec::new();
    for _ in 0..30 {
        // Headers that never end.
        let head = b"POST /validate HTTP/1.1\r\nhost: localhost\r\n".to_vec();
        let trickle = b"x-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec();
        slow.push((
            "headers",
            tokio::spawn(slow_client(
                addr,
                pki.ca_pem.clone(),
                head,
                trickle,
                give_up,
            )),
        ));
        // Complete headers, then a body that trickles in.
        let head = format!(
            "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        slow.push((
            "body",
            tokio::spawn(slow_client(
                addr,
                pki.ca_pem.clone(),
                head,
                body.clone(),
                give_up,
            )),
        ));
    }
    // Connections that never say anything, not even a TLS hello.
    let mut silent = Vec::new();
    for _ in 0..30 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }

    // Everyone else is answered promptly while the slow clients hang on.
    for i in 0..10 {
        let uid = format!("prompt-{i}");
        let started = Instant::now();
        let (status, text) = server.post(config_map_review(&uid)).await;
        assert_eq!(status, 200, "{text}");
        assert!(text.contains(&uid), "{text}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "a review took {:?} next to slow clients",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for (kind, task) in slow {
        let (answer, closed) = task.await.unwrap();
        let closed = closed.unwrap_or_else(|| panic!("slow {kind}: still open after {give_up:?}"));
        assert!(
            closed < Duration::from_secs(6),
            "slow {kind}: closed after {closed:?}"
        );
        if kind == "body" {
            assert!(
                answer.starts_with("HTTP/1.1 408"),
                "slow body answered: {answer}"
            );
        } else {
            // hyper closes the connection, answering 408 or nothing at all.
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
                "{answer}"
            );
        }
    }
    for mut conn in silent {
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(6), conn.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a silent connection was not closed after the handshake timeout: {read:?}"
        );
    }
    let (_, metrics) = server.ops("/metrics").await;
    assert!(metrics.contains("decision=\"invalid\""), "{metrics}");
    server.stop().await;
}

/// Lets this process hold `n` more descriptors (each connection is two here: the
/// client's and the server's end).
fn raise_open_file_limit(n: u64) -> u64 {
    // SAFETY: plain data in and out.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        let want = (limit.rlim_cur as u64).max(n).min(limit.rlim_max as u64);
        limit.rlim_cur = want as libc::rlim_t;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        want
    }
}

/// A thousand clients connect and post at once: each is served (200 echoing its
/// uid, possibly answered by the failure mode if it waited past the deadline) or
/// refused before its request was sent; none hangs; the server is healthy after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_connections_are_served_or_refused_cleanly() {
    const N: usize = 1000;
    let limit = raise_open_file_limit(4 * N as u64 + 256);
    assert!(
        limit >= 2 * N as u64 + 64,
        "open-file limit {limit} is too low for {N} connections"
    );
    let pki = pki("thousand");
    let server = start(&pki, &["--handshake-timeout", "30s"]).await;
    let addr = server.bound.admission;
    let client = Https::fresh_connections(&[&pki.ca_pem]);
    let barrier = Arc::new(tokio::sync::Barrier::new(N));
    let mut tasks = Vec::new();
    for i in 0..N {
        let (client, barrier) = (client.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            let uid = format!("many-{i:04}");
            barrier.wait().await;
            let result = tokio::time::timeout(
                Duration::from_secs(90),
                client.try_post(addr, config_map_review(&uid).into()),
            )
            .await;
            match result {
                Err(_) => Err(format!("{uid}: no answer within 90s")),
                Ok(Ok((200, body))) if body.contains(&uid) => Ok(true),
                Ok(Err(e)) if e.starts_with("connect:") => Ok(false),
                Ok(other) => Err(format!("{uid}: {other:?}")),
            }
        }));
    }
    let mut served = 0;
    let mut refused = 0;
    let mut failures = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(true) => served += 1,
            Ok(false) => refused += 1,
            Err(e) => failures.push(e),
        }
    }
    eprintln!("{N} connections: {served} served, {refused} refused");
    assert!(
        failures.is_empty(),
        "{} unclean: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(served > 0);

    let (status, _) = server.ops("/healthz").await;
    assert_eq!(status, 200);
    let resp = server
        .review(&serde_json::from_slice(&config_map_review("after")).unwrap())
        .await;
    assert_eq!(resp["response"]["uid"], "after");
    assert_eq!(resp["response"]["allowed"], true, "{resp}");
    assert!(
        resp["response"]["warnings"].is_null(),
        "answered by the rules: {resp}"
    );
    server.stop().await;
}

/// A rule that never finishes is cut off at the deadline for every request, and
/// its evaluations really stop: with every evaluation slot taken by it, a review
/// it does not apply to is still decided by the rules right after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runaway_rules_free_their_evaluation_slots_at_the_deadline() {
    let rules = runaway_rule();
    let dir = rules.path().display().to_string();
    let pki = pki("runaway");
    let server = start(
        &pki,
        &[
            "--rules",
            &dir,
            "--timeout",
            "2s",
            "--failure-mode",
            "deny",
            "--max-concurrent-evaluations",
            "2",
        ],
    )
    .await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let client = server.client.clone();
        let addr = server.bound.admission;
        tasks.push(tokio::spawn(async move {
            let uid = format!("runaway-{i}");
            let (status, text) = client.post(addr, pod_review(&uid).into()).await;
            (uid, status, text)
        }));
    }
    for task in tasks {
        let (uid, status, text) = task.await.unwrap();
        assert_eq!(status, 200, "{text}");
        let resp: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(resp["response"]["uid"], uid.as_str());
        assert_eq!(resp["response"]["allowed"], false, "{resp}");
        assert_eq!(resp["response"]["status"]["code"], 500, "{resp}");
    }
    // Six requests, two slots, 2 s each: they were not served one rule-length
    // after another (the rule alone would run for hours).
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );

    // The slots come back once the cut-off evaluations unwind: a later review is
    // answered by the rules. A busy machine may need a few tries; slots that never
    // come back fail every one.
    let mut answered = Value::Null;
    for attempt in 0..10 {
        let resp = server
            .review(
                &serde_json::from_slice(&config_map_review(&format!("after-{attempt}"))).unwrap(),
            )
            .await;
        answered = resp;
        if answered["response"]["allowed"] == true && answered["response"]["warnings"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(answered["response"]["allowed"], true, "{answered}");
    assert!(
        answered["response"]["warnings"].is_null(),
        "not answered by the rules: {answered}"
    );
    let (_, metrics) = server.ops("/metrics").await;
    // Each of the six was cut off (a later review that waited out a slot adds one).
    let timeouts: u64 = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix(r#"blastwall_webhook_evaluation_errors_total{reason="timeout"} "#)
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(
        timeouts >= 6
            || metrics.contains(r#"blastwall_webhook_evaluation_errors_total{reason="error"}"#),
        "{metrics}"
    );
    server.stop().await;
}

/// Evaluation runs on threads of its own: with every evaluation slot held by a rule
/// that does not finish, health probes and new TLS connections are still served,
/// and a review waiting for a slot gets the failure mode's answer at its deadline
/// (never evaluated), as do the reviews that hold the slots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_evaluation_slots_starve_neither_probes_nor_handshakes() {
    let rules = runaway_rule();
    let dir = rules.path().display().to_string();
    let pki = pki("busy-slots");
    // The deadline only bounds how long the test takes: the probes below must be
    // answered while the reviews are still waiting for it.
    let server = start(
        &pki,
        &[
            "--rules",
            &dir,
            "--timeout",
            "8s",
            "--failure-mode",
            "allow",
            "--max-concurrent-evaluations",
            "2",
        ],
    )
    .await;
    // Two reviews take both slots, the third waits for one.
    let mut reviews = Vec::new();
    for i in 0..3 {
        let client = server.client.clone();
        let addr = server.bound.admission;
        reviews.push(tokio::spawn(async move {
            let uid = format!("busy-{i}");
            let (status, text) = client.post(addr, pod_review(&uid).into()).await;
            (uid, status, text)
        }));
    }
    // Time for the reviews to reach the server (were they slower, the probes would
    // just be asked sooner: the test would show less, not fail).
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(server.ops("/healthz").await.0, 200);
    assert_eq!(server.ops("/readyz").await.0, 200);
    // A new connection to the admission port: handshake and an answer that needs
    // no evaluation.
    let mut tls = tls_connect(server.bound.admission, &tls_client_config(&pki.ca_pem)).await;
    tls.write_all(b"GET /validate HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        reviews.iter().all(|r| !r.is_finished()),
        "the probes were answered only after the reviews' deadline"
    );

    let mut reasons = Vec::new();
    for review in reviews {
        let (uid, status, text) = review.await.unwrap();
        assert_eq!(status, 200, "{text}");
        let resp: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(resp["response"]["uid"], uid.as_str());
        assert_eq!(resp["response"]["allowed"], true, "{resp}");
        let warning = resp["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .to_string();
        assert!(warning.ends_with("allowed by failure mode"), "{warning}");
        reasons.push(warning);
    }
    let waited = reasons
        .iter()
        .filter(|w| w.contains("no evaluation slot free within the 8s deadline"))
        .count();
    let cut_off = reasons
        .iter()
        .filter(|w| w.contains("no answer within the 8s deadline"))
        .count();
    assert_eq!((waited, cut_off), (1, 2), "{reasons:#?}");
    server.stop().await;
}

/// A directory with one rule that never finishes on a Pod (about 2.7e10 steps).
fn runaway_rule() -> tempfile::TempDir {
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("runaway.rego"),
        r#"package blastwall.rules.runaway

metadata := {"id": "runaway", "title": "Runaway", "severity": "error", "category": "test",
  "description": "Never finishes on a Pod.", "remediation": "None.", "kinds": ["Pod"]}

deny contains {"msg": "counted"} if {
	input.review.object.kind == "Pod"
	r := numbers.range(1, 3000)
	count([1 | some a in r; some b in r; some c in r; a + b + c < 0]) == 0
}
"#,
    )
    .unwrap();
    rules
}
