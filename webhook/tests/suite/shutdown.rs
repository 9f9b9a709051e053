//! SIGTERM drains: the real binary finishes a request already in flight, refuses
//! new connections, reports not-ready meanwhile, and exits 0.

use crate::common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits() {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki("term");
    let mut server = Process::spawn(&pki, &[]);
    let (admission, ops) = (server.admission, server.ops);

    // Start a request and stop half-way through its body.
    let body = serde_json::to_vec(&payroll_pod_review("drain-0001")).unwrap();
    let mut stream = tls_connect(admission, &tls_client_config(&pki.ca_pem)).await;
    let head = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    stream.write_all(&body[..half]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.sigterm();

    // While draining: not ready, and no new connections.
    let mut drained = false;
    for _ in 0..100 {
        let (code, body) = plain_get(ops, "/readyz").await;
        if code == 503 && body.contains("[-] serving") {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(drained, "readiness never failed after SIGTERM");
    let client = Https::fresh_connections(&[&pki.ca_pem]);
    let mut refused = false;
    for _ in 0..100 {
        if client
            .try_post(admission, body.clone().into())
            .await
            .is_err()
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "new connections still accepted after SIGTERM");
    assert!(server.running(), "exited before the request finished");

    // The in-flight request completes.
    stream.write_all(&body[half..]).await.unwrap();
    stream.flush().await.unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    response.extend_from_slice(&buf[..n]);
                    if response.windows(4).any(|w| w == b"\r\n\r\n")
                        && String::from_utf8_lossy(&response).contains("\"allowed\"")
                    {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no response to the in-flight request");
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"uid\":\"drain-0001\""), "{text}");
    drop(stream);

    let exit = server.exit("after draining").await;
    assert!(exit.success(), "exit status {exit:?}");
    let log = server.log(Duration::from_millis(200));
    assert!(log.contains("draining in-flight requests"), "{log}");
    assert!(log.contains(r#""uid":"drain-0001""#), "{log}");
    assert!(log.contains(r#""message":"stopped""#), "{log}");
}

/// SIGTERM with many requests in flight, at different stages (headers sent, half
/// the body sent): every one of them is answered in full before the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_drops_no_in_flight_response() {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki("term-load");
    let mut server = Process::spawn(&pki, &[]);
    let admission = server.admission;

    let tls = tls_client_config(&pki.ca_pem);

    // 40 requests in flight: even ones have sent their headers, odd ones half the body.
    let mut in_flight = Vec::new();
    for i in 0..40 {
        let uid = format!("drain-load-{i:02}");
        let body = serde_json::to_vec(&payroll_pod_review(&uid)).unwrap();
        let mut stream = tls_connect(admission, &tls).await;
        let head = format!(
            "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let sent = if i % 2 == 0 { 0 } else { body.len() / 2 };
        stream.write_all(&body[..sent]).await.unwrap();
        stream.flush().await.unwrap();
        in_flight.push((uid, stream, body, sent));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.sigterm();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.running(), "exited with requests in flight");

    let mut answers = Vec::new();
    for (uid, mut stream, body, sent) in in_flight {
        answers.push(tokio::spawn(async move {
            stream.write_all(&body[sent..]).await.unwrap();
            stream.flush().await.unwrap();
            let mut response = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(15), async {
                let mut buf = [0u8; 4096];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            response.extend_from_slice(&buf[..n]);
                            if String::from_utf8_lossy(&response).contains("\"allowed\"") {
                                break;
                            }
                        }
                    }
                }
            })
            .await;
            (uid, String::from_utf8_lossy(&response).into_owned())
        }));
    }
    let mut dropped = Vec::new();
    for answer in answers {
        let (uid, text) = answer.await.unwrap();
        if !(text.starts_with("HTTP/1.1 200") && text.contains(&format!("\"uid\":\"{uid}\""))) {
            dropped.push(format!("{uid}: {text:?}"));
        }
    }
    assert!(
        dropped.is_empty(),
        "in-flight requests not answered: {dropped:#?}"
    );

    let exit = server.exit("after draining").await;
    assert!(exit.success(), "exit status {exit:?}");
}
