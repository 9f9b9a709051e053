//! SIGTERM drains: the real binary finishes a request already in flight, refuses
//! new connections, reports not-ready meanwhile, and exits 0.

use crate::common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rustls::pki_types::ServerName;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits() {
    blastwall_webhook::tls::install_crypto_provider();
    let pki = pki("term");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), &pki.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &pki.key_pem).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_blastwall-webhook"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--no-kube",
        ])
        .arg("--tls-cert")
        .arg(dir.path().join("tls.crt"))
        .arg("--tls-key")
        .arg(dir.path().join("tls.key"))
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The JSON start-up line says where it listens.
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let (admission, ops) = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("no start-up line");
        log.push(line.clone());
        let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if v["message"] == "blastwall-webhook listening" {
            let a: std::net::SocketAddr = v["admission"].as_str().unwrap().parse().unwrap();
            let o: std::net::SocketAddr = v["ops"].as_str().unwrap().parse().unwrap();
            break (a, o);
        }
    };

    // Start a request and stop half-way through its body.
    let body = serde_json::to_vec(&admission_review(
        "drain-0001",
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "payroll",
        "p",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        pod("payroll", "p", &[PAYROLL_IMAGE]),
        Value::Null,
    ))
    .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).unwrap())
        .unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
    let tcp = tokio::net::TcpStream::connect(admission).await.unwrap();
    let mut stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let head = format!(
        "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let half = body.len() / 2;
    stream.write_all(&body[..half]).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

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
    assert!(
        child.try_wait().unwrap().is_none(),
        "exited before the request finished"
    );

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

    let mut exit = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            exit = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exit = exit.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("did not exit after draining");
    });
    assert!(exit.success(), "exit status {exit:?}");
    while let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(200)) {
        log.push(line);
    }
    let log = log.join("\n");
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
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), &pki.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &pki.key_pem).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_blastwall-webhook"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
            "--no-kube",
        ])
        .arg("--tls-cert")
        .arg(dir.path().join("tls.crt"))
        .arg("--tls-key")
        .arg(dir.path().join("tls.key"))
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let admission: std::net::SocketAddr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("no start-up line");
        let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if v["message"] == "blastwall-webhook listening" {
            break v["admission"].as_str().unwrap().parse().unwrap();
        }
    };

    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(pki.ca_pem.as_bytes()).unwrap())
        .unwrap();
    let tls = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );

    // 40 requests in flight: even ones have sent their headers, odd ones half the body.
    let mut in_flight = Vec::new();
    for i in 0..40 {
        let uid = format!("drain-load-{i:02}");
        let body = serde_json::to_vec(&admission_review(
            &uid,
            "CREATE",
            ("", "v1", "Pod"),
            "pods",
            None,
            "payroll",
            "p",
            eks_user("alice", &["payroll:dev"], "payroll-dev"),
            pod("payroll", "p", &[PAYROLL_IMAGE]),
            Value::Null,
        ))
        .unwrap();
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&tls));
        let tcp = tokio::net::TcpStream::connect(admission).await.unwrap();
        let mut stream = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .unwrap();
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
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "exited with requests in flight"
    );

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

    let mut exit = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            exit = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exit = exit.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("did not exit after draining");
    });
    assert!(exit.success(), "exit status {exit:?}");
}
