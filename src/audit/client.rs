//! A well-behaved reader of the API server: client-side QPS and burst (a token
//! bucket, client-go's defaults 5 and 10), a timeout per request, and retries with
//! exponential backoff on 429 (honouring `Retry-After`), 5xx and lost connections.
//! It only ever sends GET.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use kube::client::Body;

/// How the client paces and retries.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Requests per second, on average; 0 or less: no limit.
    pub qps: f64,
    /// Requests that may go at once after a quiet period.
    pub burst: u32,
    /// Longest wait for one answer, body included.
    pub timeout: Duration,
    /// Retries of one request after a 429, a 5xx or no answer.
    pub retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            qps: 5.0,
            burst: 10,
            timeout: Duration::from_secs(30),
            retries: 5,
        }
    }
}

/// Why a request failed for good.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// The API server answered with an error status (after any retries).
    Status {
        code: u16,
        reason: String,
        message: String,
    },
    /// No usable answer: connection refused, timeout, a body that is not JSON.
    Transport(String),
}

impl ApiError {
    pub fn code(&self) -> Option<u16> {
        match self {
            ApiError::Status { code, .. } => Some(*code),
            ApiError::Transport(_) => None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status {
                code,
                reason,
                message,
            } => {
                let reason = if reason.is_empty() {
                    String::new()
                } else {
                    format!(" {reason}")
                };
                match message.is_empty() {
                    true => write!(f, "{code}{reason}"),
                    false => write!(f, "{code}{reason}: {message}"),
                }
            }
            ApiError::Transport(text) => f.write_str(text),
        }
    }
}

/// What the client did, for the closing line on stderr.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// The client of one audit.
pub struct Api {
    client: kube::Client,
    settings: Settings,
    limiter: Limiter,
    pub stats: Stats,
}

impl Api {
    pub fn new(client: kube::Client, settings: Settings) -> Api {
        Api {
            client,
            limiter: Limiter::new(settings.qps, settings.burst),
            settings,
            stats: Stats::default(),
        }
    }

    /// GET `path` (with its query) accepting `accept`; the body of a 2xx answer.
    pub async fn get(&self, path: &str, accept: &str) -> Result<Vec<u8>, ApiError> {
        let mut attempt = 0u32;
        loop {
            self.limiter.acquire().await;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = tokio::time::timeout(self.settings.timeout, self.once(path, accept))
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::Retry(
                        ApiError::Transport(format!(
                            "no answer within {:?} (--request-timeout)",
                            self.settings.timeout
                        )),
                        None,
                    ))
                });
            let (error, after) = match outcome {
                Ok(body) => return Ok(body),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retry(error, after)) => (error, after),
            };
            if attempt >= self.settings.retries {
                return Err(error);
            }
            if error.code() == Some(429) {
                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(after.unwrap_or_else(|| backoff(attempt))).await;
            attempt += 1;
        }
    }

    async fn once(&self, path: &str, accept: &str) -> Result<Vec<u8>, Failure> {
        let request = http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(Body::empty())
            .map_err(|e| Failure::Final(ApiError::Transport(format!("bad request {path}: {e}"))))?;
        let response = self
            .client
            .send(request)
            .await
            .map_err(|e| Failure::Retry(ApiError::Transport(e.to_string()), None))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            // A server asking for more than a minute is asked again after a minute.
            .map(|s| Duration::from_secs(s.min(60)));
        let body = response
            .into_body()
            .collect_bytes()
            .await
            .map_err(|e| Failure::Retry(ApiError::Transport(e.to_string()), None))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let error = status_error(status.as_u16(), &body);
        match status.as_u16() {
            429 | 500 | 502 | 503 | 504 => Err(Failure::Retry(error, retry_after)),
            _ => Err(Failure::Final(error)),
        }
    }
}

enum Failure {
    Final(ApiError),
    /// Worth another try, after the server's `Retry-After` if it gave one.
    Retry(ApiError, Option<Duration>),
}

/// The `Status` object of an error answer, or what can be said without one.
fn status_error(code: u16, body: &[u8]) -> ApiError {
    #[derive(serde::Deserialize)]
    struct Status {
        #[serde(default)]
        reason: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<Status>(body) {
        Ok(s) => ApiError::Status {
            code,
            reason: s.reason,
            message: s.message,
        },
        Err(_) => ApiError::Status {
            code,
            reason: String::new(),
            message: String::from_utf8_lossy(&body[..body.len().min(200)])
                .trim()
                .to_string(),
        },
    }
}

/// 200 ms, 400 ms, 800 ms, … at most 10 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(6))).min(Duration::from_secs(10))
}

/// A token bucket: `burst` requests at once, then `qps` per second. Waiters reserve
/// their token before sleeping, so they go in the order they came.
struct Limiter {
    qps: f64,
    burst: f64,
    state: tokio::sync::Mutex<(f64, Instant)>,
}

impl Limiter {
    fn new(qps: f64, burst: u32) -> Limiter {
        let burst = f64::from(burst.max(1));
        Limiter {
            qps,
            burst,
            state: tokio::sync::Mutex::new((burst, Instant::now())),
        }
    }

    async fn acquire(&self) {
        if self.qps <= 0.0 {
            return;
        }
        let wait = {
            let mut state = self.state.lock().await;
            let now = Instant::now();
            let refill = now.duration_since(state.1).as_secs_f64() * self.qps;
            state.0 = (state.0 + refill).min(self.burst) - 1.0;
            state.1 = now;
            if state.0 >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-state.0 / self.qps)
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_seconds() {
        assert_eq!(backoff(0), Duration::from_millis(200));
        assert_eq!(backoff(1), Duration::from_millis(400));
        assert_eq!(backoff(5), Duration::from_millis(6400));
        assert_eq!(backoff(6), Duration::from_secs(10));
        assert_eq!(backoff(40), Duration::from_secs(10));
    }

    #[test]
    fn status_errors_carry_reason_and_message() {
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden: User \"x\" cannot list resource \"pods\"","reason":"Forbidden","code":403}"#;
        let e = status_error(403, body);
        assert_eq!(
            e.to_string(),
            "403 Forbidden: pods is forbidden: User \"x\" cannot list resource \"pods\""
        );
        assert_eq!(
            status_error(502, b"bad gateway").to_string(),
            "502: bad gateway"
        );
    }

    #[tokio::test]
    async fn the_limiter_lets_a_burst_through_then_paces() {
        let limiter = Limiter::new(100.0, 2);
        let start = Instant::now();
        for _ in 0..12 {
            limiter.acquire().await;
        }
        // Two at once, then ten at 100 per second: never sooner than 100 ms (a
        // lower bound only, whatever the machine's speed).
        assert!(
            start.elapsed() >= Duration::from_millis(95),
            "{:?}",
            start.elapsed()
        );
    }
}
