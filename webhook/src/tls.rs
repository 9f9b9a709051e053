//! The serving certificate: loading, validation, and reload when the files change.
//!
//! cert-manager renews the Secret and kubelet swaps the mounted files by re-pointing
//! the `..data` symlink, so the watcher compares file *contents* on every tick rather
//! than trusting mtimes or inotify on a path that is replaced wholesale. A new pair is
//! installed only if it parses and the key matches the certificate; otherwise the
//! old one keeps serving and the reason is logged. Reloading swaps the config used by
//! new handshakes; established connections keep theirs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no PEM certificate found", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{}: bad PEM certificate: {message}", path.display())]
    BadCertificate { path: PathBuf, message: String },
    #[error("{}: no usable PEM private key: {message}", path.display())]
    BadKey { path: PathBuf, message: String },
    #[error("certificate and key do not form a usable pair: {0}")]
    Pair(rustls::Error),
}

/// The crypto provider of the whole process (ring), installed once at start-up so that
/// no dependency can pick another.
pub fn install_crypto_provider() {
    // Err means a provider is already installed (a second call in tests): keep it.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A parsed certificate pair, ready to serve.
pub struct Loaded {
    pub config: Arc<ServerConfig>,
    /// `notAfter` of the leaf certificate, in seconds since the Unix epoch.
    pub not_after: i64,
}

/// Reads and checks `cert` and `key` (TLS 1.2 and 1.3 only, ALPN h2 and http/1.1).
pub fn load(cert: &Path, key: &Path) -> Result<Loaded, TlsError> {
    let cert_pem = read(cert)?;
    let key_pem = read(key)?;
    build(cert, &cert_pem, key, &key_pem)
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn build(cert: &Path, cert_pem: &[u8], key: &Path, key_pem: &[u8]) -> Result<Loaded, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::BadCertificate {
            path: cert.to_path_buf(),
            message: e.to_string(),
        })?;
    let leaf = chain.first().ok_or_else(|| TlsError::NoCertificate {
        path: cert.to_path_buf(),
    })?;
    let not_after = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| TlsError::BadCertificate {
            path: cert.to_path_buf(),
            message: e.to_string(),
        })?
        .1
        .validity()
        .not_after
        .timestamp();
    let private = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::BadKey {
        path: key.to_path_buf(),
        message: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // with_single_cert also checks that the key belongs to the leaf certificate.
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(TlsError::Pair)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(TlsError::Pair)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Loaded {
        config: Arc::new(config),
        not_after,
    })
}

/// Keeps `config` in step with the files at `cert` and `key`.
pub struct Reloader {
    cert: PathBuf,
    key: PathBuf,
    config: RustlsConfig,
    /// `notAfter` of the certificate being served (for the expiry metric).
    pub not_after: Arc<AtomicI64>,
    seen: (Vec<u8>, Vec<u8>),
}

impl Reloader {
    /// Loads the pair once; fails if the initial pair is unusable.
    pub fn start(cert: &Path, key: &Path) -> Result<Reloader, TlsError> {
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        let loaded = build(cert, &cert_pem, key, &key_pem)?;
        Ok(Reloader {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            config: RustlsConfig::from_config(loaded.config),
            not_after: Arc::new(AtomicI64::new(loaded.not_after)),
            seen: (cert_pem, key_pem),
        })
    }

    /// The config to hand to the server; it follows every successful reload.
    pub fn rustls_config(&self) -> RustlsConfig {
        self.config.clone()
    }

    /// Checks the files once; returns whether a new pair was installed.
    pub fn check(&mut self) -> Result<bool, TlsError> {
        let cert_pem = read(&self.cert)?;
        let key_pem = read(&self.key)?;
        if cert_pem == self.seen.0 && key_pem == self.seen.1 {
            return Ok(false);
        }
        // Remember what was seen even if it is bad, so one bad pair is reported once;
        // the next change (the other half of a rotation) is tried again.
        self.seen = (cert_pem, key_pem);
        let loaded = build(&self.cert, &self.seen.0, &self.key, &self.seen.1)?;
        self.config.reload_from_config(loaded.config);
        self.not_after.store(loaded.not_after, Ordering::Relaxed);
        Ok(true)
    }

    /// Polls every `interval` until the process ends.
    pub async fn run(mut self, interval: Duration, reloads: impl Fn(&'static str)) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            match self.check() {
                Ok(false) => {}
                Ok(true) => {
                    tracing::info!(cert = %self.cert.display(), "serving certificate reloaded");
                    reloads("ok");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "new certificate not loaded; still serving the previous one");
                    reloads("error");
                }
            }
        }
    }
}
