//! Runs the real `blastwall` binary with a time limit and measures its peak memory.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous bounds: they only trip on a blow-up. Time is the child's CPU time (user
/// and system), not wall time, so that a machine busy with other work cannot fail a
/// run; a child that stops making progress is killed after [`WALL_LIMIT`].
pub const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Wall time after which a run is killed: only a hang gets there.
pub const WALL_LIMIT: Duration = Duration::from_secs(300);
pub const MEMORY_LIMIT_KB: u64 = 512 * 1024;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// CPU time (user and system) of the child, from `wait4`.
    pub cpu: Duration,
    /// Peak resident set size of the child: the largest `VmHWM` seen while polling
    /// `/proc/<pid>/status` every few milliseconds. (`wait4`'s `ru_maxrss` would
    /// include this test process's own size, which the child inherits across
    /// fork and exec.) Hundreds of megabytes cannot be touched and freed between
    /// two samples, so a blow-up cannot hide between them.
    pub max_rss_kb: u64,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                truncated(&self.stdout),
                truncated(&self.stderr)
            )
        })
    }

    /// Fails unless the run stayed within [`TIME_LIMIT`] and [`MEMORY_LIMIT_KB`].
    pub fn within_bounds(&self, what: &str) -> &Self {
        self.within(what, TIME_LIMIT)
    }

    /// [`Self::within_bounds`] with another CPU limit, for runs whose work grows
    /// with the built-in pack rather than with their input.
    pub fn within(&self, what: &str, cpu_limit: Duration) -> &Self {
        eprintln!(
            "{what}: exit {} in {:?} ({:?} CPU), peak RSS {} KB",
            self.code, self.elapsed, self.cpu, self.max_rss_kb
        );
        assert!(
            self.max_rss_kb > 0 && self.max_rss_kb < MEMORY_LIMIT_KB,
            "{what}: peak RSS {} KB (limit {MEMORY_LIMIT_KB} KB)",
            self.max_rss_kb
        );
        assert!(
            self.cpu < cpu_limit,
            "{what}: took {:?} of CPU ({:?} wall; limit {cpu_limit:?})",
            self.cpu,
            self.elapsed
        );
        self
    }
}

fn truncated(s: &str) -> &str {
    let mut end = s.len().min(2000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Runs `blastwall args…` in `cwd` with stdin from `stdin` (or empty), output to
/// files (a large report cannot block on a full pipe), killed after [`WALL_LIMIT`].
pub fn run(cwd: &Path, args: &[&str], stdin: Option<&Path>) -> Run {
    run_as(cwd, args, stdin, None)
}

/// [`run`], as user and group `uid` when given (needs root).
pub fn run_as(cwd: &Path, args: &[&str], stdin: Option<&Path>, uid: Option<u32>) -> Run {
    let out_dir = tempfile::tempdir().expect("tempdir");
    let out_path = out_dir.path().join("stdout");
    let err_path = out_dir.path().join("stderr");
    let stdin = match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).expect("stdin file")),
        None => Stdio::null(),
    };
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_blastwall"));
    if let Some(uid) = uid {
        use std::os::unix::process::CommandExt;
        command.uid(uid).gid(uid);
    }
    let child = command
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(stdin)
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn blastwall");
    let pid = child.id() as libc::pid_t;
    let status_file = format!("/proc/{pid}/status");
    let mut max_rss_kb = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let status = loop {
        if let Some(kb) = high_water_kb(&status_file) {
            max_rss_kb = max_rss_kb.max(kb);
        }
        let mut status = 0;
        // SAFETY: wait4 on our own child, which only this function reaps.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break status;
        }
        assert!(
            reaped == 0,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        if started.elapsed() > WALL_LIMIT {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let mut status = 0;
            unsafe { libc::waitpid(pid, &mut status, 0) };
            panic!(
                "blastwall {args:?} still running after {:?}: killed",
                started.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let seconds = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    // A child that ended before its first sample (a short run on a busy machine):
    // wait4's peak, an upper bound (it also counts the pages of this process it
    // shared until exec).
    if max_rss_kb == 0 {
        max_rss_kb = usage.ru_maxrss.max(0) as u64;
    }
    // The child is reaped: forget the handle so it never waits on a reused pid.
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Run {
        code,
        stdout: read(&out_path),
        stderr: read(&err_path),
        elapsed,
        cpu,
        max_rss_kb,
    }
}

/// `VmHWM` (peak resident set) in kilobytes, while the process is alive.
fn high_water_kb(status_file: &str) -> Option<u64> {
    let status = std::fs::read_to_string(status_file).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
