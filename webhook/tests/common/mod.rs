//! Test harness: certificates made on the spot, the real server on 127.0.0.1, and an
//! HTTPS client that verifies the server against the test CA.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use blastwall_webhook::cli::Args;
use blastwall_webhook::Bound;
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use serde_json::{json, Value};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A CA and a serving certificate for `localhost` / `127.0.0.1` signed by it.
pub struct Pki {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

pub fn pki(name: &str) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, format!("{name} webhook"));
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A running in-process server and what tests need to talk to it.
pub struct Server {
    pub bound: Bound,
    pub dir: tempfile::TempDir,
    pub client: Https,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls.crt")
    }
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("tls.key")
    }

    pub async fn post(&self, body: impl Into<Bytes>) -> (u16, String) {
        self.client.post(self.bound.admission, body.into()).await
    }

    pub async fn review(&self, review: &Value) -> Value {
        let (status, text) = self.post(serde_json::to_vec(review).unwrap()).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn ops(&self, path: &str) -> (u16, String) {
        plain_get(self.bound.ops, path).await
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Starts the real server with `extra` flags, certificates from `pki`, --no-kube.
pub async fn start(pki: &Pki, extra: &[&str]) -> Server {
    start_args(pki, extra, true).await
}

/// [`start`], with or without `--no-kube`.
pub async fn start_args(pki: &Pki, extra: &[&str], no_kube: bool) -> Server {
    blastwall_webhook::tls::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), &pki.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &pki.key_pem).unwrap();
    let cert = dir.path().join("tls.crt").display().to_string();
    let key = dir.path().join("tls.key").display().to_string();
    let mut argv = vec![
        "blastwall-webhook",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    if no_kube {
        argv.push("--no-kube");
    }
    argv.extend_from_slice(extra);
    let args = Args::try_parse_from(&argv).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(blastwall_webhook::run(
        args,
        async {
            let _ = stop_rx.await;
        },
        move |b| {
            let _ = bound_tx.send(b);
        },
    ));
    let bound = bound_rx.await.expect("server failed to start");
    Server {
        bound,
        dir,
        client: Https::trusting(&[&pki.ca_pem]),
        stop: Some(stop_tx),
        task: Some(task),
    }
}

/// TLS client settings that trust only the CA in `ca_pem`.
pub fn tls_client_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

/// A raw TLS stream to the server at `addr` (certificate name `localhost`), for
/// tests that write requests byte by byte.
pub async fn tls_connect(
    addr: std::net::SocketAddr,
    tls: &Arc<rustls::ClientConfig>,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(tls));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    connector
        .connect(
            rustls::pki_types::ServerName::try_from("localhost").unwrap(),
            tcp,
        )
        .await
        .unwrap()
}

/// An HTTPS client that trusts only the given CAs.
#[derive(Clone)]
pub struct Https {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Https {
    pub fn trusting(cas: &[&str]) -> Https {
        Https::build(cas, true)
    }

    /// A client that opens a new connection (and TLS handshake) for every request.
    pub fn fresh_connections(cas: &[&str]) -> Https {
        Https::build(cas, false)
    }

    fn build(cas: &[&str], keep_alive: bool) -> Https {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for ca in cas {
            for der in rustls::pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots.add(der.unwrap()).unwrap();
            }
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .build();
        let mut builder = Client::builder(TokioExecutor::new());
        if !keep_alive {
            builder.pool_max_idle_per_host(0);
        }
        Https {
            client: builder.build(connector),
        }
    }

    pub async fn post(&self, addr: std::net::SocketAddr, body: Bytes) -> (u16, String) {
        self.try_post(addr, body).await.unwrap()
    }

    pub async fn try_post(
        &self,
        addr: std::net::SocketAddr,
        body: Bytes,
    ) -> Result<(u16, String), String> {
        // The certificate names localhost: verify the name, connect to the address.
        let uri = format!("https://localhost:{}/validate", addr.port());
        let req = hyper::Request::post(uri)
            .header("content-type", "application/json")
            .body(Full::new(body))
            .unwrap();
        let resp = self.client.request(req).await.map_err(|e| {
            // A connection that was never made (refused, handshake failed) is told
            // apart from one that broke after the request went out.
            if e.is_connect() {
                format!("connect: {e:?}")
            } else {
                format!("{e:?}")
            }
        })?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

pub async fn plain_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build(HttpConnector::new());
    let resp = client
        .get(format!("http://{addr}{path}").parse().unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// userInfo as EKS sends it for an IAM role mapped through aws-auth / access entries.
pub fn eks_user(username: &str, groups: &[&str], role: &str) -> Value {
    json!({
        "username": username,
        "uid": format!("aws-iam-authenticator:210987654321:AROAEXAMPLE{username}"),
        "groups": groups,
        "extra": {
            "accessKeyId": ["ASIAEXAMPLEKEYID0001"],
            "arn": [format!("arn:aws:sts::210987654321:assumed-role/{role}/{username}")],
            "canonicalArn": [format!("arn:aws:iam::210987654321:role/{role}")],
            "principalId": ["AROAEXAMPLEPRINCIPAL"],
            "sessionName": [username]
        }
    })
}

/// An AdmissionReview as the API server sends it.
#[allow(clippy::too_many_arguments)]
pub fn admission_review(
    uid: &str,
    operation: &str,
    gvk: (&str, &str, &str),
    resource: &str,
    sub_resource: Option<&str>,
    namespace: &str,
    name: &str,
    user: Value,
    object: Value,
    old_object: Value,
) -> Value {
    let (group, version, kind) = gvk;
    let options_kind = match operation {
        "CREATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}),
        "UPDATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"}),
        "DELETE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions"}),
        _ => Value::Null,
    };
    let mut request = json!({
        "uid": uid,
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": resource},
        "requestKind": {"group": group, "version": version, "kind": kind},
        "requestResource": {"group": group, "version": version, "resource": resource},
        "name": name,
        "namespace": namespace,
        "operation": operation,
        "userInfo": user,
        "object": object,
        "oldObject": old_object,
        "dryRun": false,
        "options": options_kind
    });
    if let Some(sub) = sub_resource {
        request["subResource"] = json!(sub);
    }
    json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": request})
}

/// The review most tests send: a payroll developer creates a Pod in `payroll`
/// that runs payroll's image (allowed by the bundled config).
pub fn payroll_pod_review(uid: &str) -> Value {
    admission_review(
        uid,
        "CREATE",
        ("", "v1", "Pod"),
        "pods",
        None,
        "payroll",
        "p",
        eks_user("alice", &["payroll:dev"], "payroll-dev"),
        pod("payroll", "p", &[PAYROLL_IMAGE]),
        Value::Null,
    )
}

pub fn pod(namespace: &str, name: &str, images: &[&str]) -> Value {
    let containers: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| container(&format!("c{i}"), image))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": "1f9bd5e3-7d83-4a4e-9c9b-55cf9bb1f0a1",
                     "labels": {"app": name}},
        "spec": {"containers": containers, "serviceAccountName": "default"}
    })
}

/// A container that the workload rules find nothing wrong with.
pub fn container(name: &str, image: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 10001,
                            "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                            "capabilities": {"drop": ["ALL"]}}
    })
}

pub const PAYROLL_IMAGE: &str =
    "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/payroll/api:2.3.1";
pub const BILLING_IMAGE: &str =
    "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/billing/close-books:1.4.0";

pub fn config_path() -> String {
    repo()
        .join("fixtures/tenancy/blastwall.yaml")
        .display()
        .to_string()
}

/// The real `blastwall-webhook` binary on 127.0.0.1, serving `pki`'s certificate
/// with `--no-kube` and `extra` arguments; its stderr lines arrive on `lines`. It is
/// killed when dropped, so a failing test leaves no server behind.
pub struct Process {
    pub child: std::process::Child,
    pub admission: std::net::SocketAddr,
    pub ops: std::net::SocketAddr,
    pub lines: std::sync::mpsc::Receiver<String>,
    /// The lines read so far (the start-up lines, then whatever [`Process::log`] read).
    pub seen: Vec<String>,
    _tls: tempfile::TempDir,
}

impl Process {
    pub fn spawn(pki: &Pki, extra: &[&str]) -> Process {
        Process::spawn_with(pki, extra, None)
    }

    /// [`Process::spawn`]; with `kubeconfig`, without `--no-kube` and with
    /// `KUBECONFIG` pointing at that file (for this process only).
    pub fn spawn_with(pki: &Pki, extra: &[&str], kubeconfig: Option<&std::path::Path>) -> Process {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        use std::time::Duration;
        let tls = tempfile::tempdir().unwrap();
        std::fs::write(tls.path().join("tls.crt"), &pki.cert_pem).unwrap();
        std::fs::write(tls.path().join("tls.key"), &pki.key_pem).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_blastwall-webhook"));
        command.args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"]);
        match kubeconfig {
            Some(path) => command.env("KUBECONFIG", path),
            None => command.arg("--no-kube"),
        };
        let mut child = command
            .args(extra)
            .arg("--tls-cert")
            .arg(tls.path().join("tls.crt"))
            .arg("--tls-key")
            .arg(tls.path().join("tls.key"))
            .env_remove("RUST_LOG")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take();
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        if let Some(stderr) = stderr {
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    let _ = tx.send(line);
                }
            });
        }
        let mut process = Process {
            child,
            admission: ([127, 0, 0, 1], 0).into(),
            ops: ([127, 0, 0, 1], 0).into(),
            lines,
            seen: Vec::new(),
            _tls: tls,
        };
        // The JSON start-up line says where it listens.
        loop {
            let line = process
                .lines
                .recv_timeout(Duration::from_secs(30))
                .expect("no start-up line");
            process.seen.push(line.clone());
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["message"] == "blastwall-webhook listening" {
                process.admission = v["admission"].as_str().unwrap().parse().unwrap();
                process.ops = v["ops"].as_str().unwrap().parse().unwrap();
                return process;
            }
        }
    }

    pub fn sigterm(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits (10 s at most) for the process to exit; panics if it does not.
    pub async fn exit(&mut self, what: &str) -> std::process::ExitStatus {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("did not exit {what}");
    }

    /// Every line written so far (start-up lines included), once `quiet` passes
    /// without a new one.
    pub fn log(&mut self, quiet: std::time::Duration) -> String {
        while let Ok(line) = self.lines.recv_timeout(quiet) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
