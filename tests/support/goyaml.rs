//! The differential test's parts, shared by `tests/suite/yaml_differential.rs` and the
//! fuzz target `fuzz/fuzz_targets/yaml_differential.rs`:
//!
//! - [`GoYaml`]: the Go program `tests/goyaml/main.go`, built once into `target/`,
//!   decoding YAML as Kubernetes does (gopkg.in/yaml.v2 through sigs.k8s.io/yaml);
//! - [`document`]: a generator of the YAML that Kubernetes users write, and its
//!   corners (YAML 1.1 scalars, tags, anchors, merge keys, block scalars);
//! - [`compare`]: blastwall's reading of the same text against the Go program's.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value as Json;

/// Where Debian's golang packages put their sources (GOPATH mode, no network).
pub const GOPATH: &str = "/usr/share/gocode";

/// What `.ci/run` installs for this test.
pub const PACKAGES: &str = "golang-go golang-gopkg-yaml.v2-dev golang-k8s-sigs-yaml-dev";

/// The repository's root (this file is included from the root package and from fuzz/).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if here.join("tests/goyaml").is_dir() {
        here.to_path_buf()
    } else {
        here.join("..")
    }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("target"),
    }
}

/// Builds `tests/goyaml/main.go` into `target/goyaml`; `Err` says what is missing.
pub fn build() -> Result<PathBuf, String> {
    let go = ["go", "/usr/lib/go/bin/go"]
        .into_iter()
        .find(|go| {
            Command::new(go)
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| format!("the Go toolchain is not installed (apt-get install {PACKAGES})"))?;
    for lib in ["gopkg.in/yaml.v2", "sigs.k8s.io/yaml"] {
        if !Path::new(GOPATH).join("src").join(lib).is_dir() {
            return Err(format!(
                "{lib} is not in {GOPATH} (apt-get install {PACKAGES})"
            ));
        }
    }
    let target = target_dir();
    let out = target.join("goyaml");
    let built = Command::new(go)
        .args(["build", "-o"])
        .arg(&out)
        .arg(root().join("tests/goyaml/main.go"))
        .env("GOPATH", GOPATH)
        .env("GO111MODULE", "off")
        .env("GOFLAGS", "")
        .env("GOCACHE", target.join("go-cache"))
        .env("CGO_ENABLED", "0")
        .output()
        .map_err(|e| format!("cannot run go build: {e}"))?;
    if !built.status.success() {
        return Err(format!(
            "go build of tests/goyaml failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    Ok(out)
}

/// How the Go program reads a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A manifest file, as kubectl reads it.
    Stream,
    /// An aws-auth section, as aws-iam-authenticator reads it.
    Section,
}

/// What a decoder made of a text: the documents Kubernetes would see, or a refusal.
#[derive(Clone, Debug)]
pub enum Verdict {
    Accept(Vec<Json>),
    Reject(String),
}

/// The running Go decoder: one process for many texts.
pub struct GoYaml {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl GoYaml {
    pub fn start(binary: &Path) -> Result<GoYaml, String> {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(GoYaml {
            child,
            stdin,
            stdout,
        })
    }

    /// Decodes one text.
    pub fn decode(&mut self, mode: Mode, text: &str) -> Verdict {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write_frame(stdin, mode, text).expect("write to goyaml");
        stdin.flush().expect("flush goyaml");
        self.read_answer()
    }

    /// Decodes many texts, writing from a second thread so that neither pipe fills up.
    pub fn decode_all(&mut self, mode: Mode, texts: &[String]) -> Vec<Verdict> {
        let mut stdin = self.stdin.take().expect("stdin open");
        let answers = std::thread::scope(|s| {
            let writer = s.spawn(move || {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, &mut stdin);
                for t in texts {
                    write_frame(&mut w, mode, t).expect("write to goyaml");
                }
                w.flush().expect("flush goyaml");
                drop(w);
                stdin
            });
            let answers: Vec<Verdict> = texts.iter().map(|_| self.read_answer()).collect();
            self.stdin = Some(writer.join().expect("writer thread"));
            answers
        });
        answers
    }

    fn read_answer(&mut self) -> Verdict {
        let mut line = String::new();
        let n = self.stdout.read_line(&mut line).expect("read from goyaml");
        assert!(n > 0, "goyaml exited early");
        let answer: Json = serde_json::from_str(&line).expect("goyaml answers JSON");
        match answer["ok"] {
            Json::Bool(true) => Verdict::Accept(match &answer["docs"] {
                Json::Array(docs) => docs.clone(),
                _ => Vec::new(),
            }),
            _ => Verdict::Reject(answer["error"].as_str().unwrap_or("").to_string()),
        }
    }
}

impl Drop for GoYaml {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn write_frame(w: &mut dyn Write, mode: Mode, text: &str) -> std::io::Result<()> {
    let kind = match mode {
        Mode::Stream => "stream",
        Mode::Section => "section",
    };
    writeln!(w, "{kind} {}", text.len())?;
    w.write_all(text.as_bytes())
}

/// blastwall's reading of a text: documents as lint reads a manifest file, or as the
/// aws-auth facts read a section.
pub struct Ours {
    pub verdict: Verdict,
    /// blastwall reports these; Kubernetes keeps the last value silently.
    pub duplicate_keys: bool,
    /// aws-auth only: unquoted `{{...}}` templates, reported and read as strings.
    pub unquoted_templates: bool,
}

pub fn ours(mode: Mode, text: &str) -> Ours {
    use blastwall::source::{load, Limits};
    let limits = Limits::default();
    match mode {
        Mode::Stream => {
            let parsed = load::parse_as_kubectl(text, &limits);
            let duplicate_keys = parsed.docs.iter().any(|d| !d.duplicate_keys.is_empty());
            let verdict = match parsed.errors.first() {
                Some(e) => Verdict::Reject(e.message.clone()),
                None => Verdict::Accept(
                    parsed
                        .docs
                        .iter()
                        .map(|d| serde_json::to_value(&d.value).expect("JSON"))
                        .collect(),
                ),
            };
            Ours {
                verdict,
                duplicate_keys,
                unquoted_templates: false,
            }
        }
        Mode::Section => {
            let s = blastwall::awsauth::section::parse(text, &limits);
            let verdict = match (&s.error, &s.value) {
                (Some((_, m)), _) => Verdict::Reject(m.clone()),
                (None, Some(v)) => Verdict::Accept(vec![serde_json::to_value(v).expect("JSON")]),
                (None, None) => Verdict::Accept(vec![Json::Null]),
            };
            Ours {
                verdict,
                duplicate_keys: !s.duplicate_keys.is_empty(),
                unquoted_templates: !s.unquoted_templates.is_empty(),
            }
        }
    }
}

/// How a comparison came out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Same,
    /// A difference blastwall makes on purpose; the reason.
    Known(&'static str),
    /// A difference nobody explained: the description.
    Differs(String),
}

/// Why blastwall differs from the Go decoder on purpose.
pub const KNOWN_DUPLICATES: &str = "duplicate keys: Kubernetes keeps one value silently (for keys that only collide once made strings, such as `on` and `true`, whichever Go's map order gives); blastwall reports them";
pub const KNOWN_TEMPLATES: &str = "unquoted {{...}} in aws-auth: a flow mapping to YAML, which the authenticator's parsers drop or misread; blastwall reports it and reads the rest with it quoted";

/// Where blastwall refuses, with an error at the place (exit 2), what go-yaml reads:
/// saphyr's strictness, which fails closed. (The error message, and why.)
pub const STRICTER: &[(&str, &str)] = &[
    (
        "a byte order mark must not appear inside a document",
        "a byte order mark after `---`: kubectl reads each document on its own and skips it; blastwall refuses the file (exit 2, at the mark)",
    ),
    (
        "':' must be followed by a valid YAML whitespace",
        "a tab right after `key:`: go-yaml takes it as the separator; blastwall refuses the file (exit 2, at the tab)",
    ),
];

pub const KNOWN_MAP_ORDER: &str = "keys that only collide once made strings (`true` and `'true'`, `1.5` and `'1.5'`, two `.nan`): Kubernetes keeps whichever value Go's map order gives, which changes from run to run; blastwall's value is one of them (and it reports the duplicate key where both are written in one mapping)";

/// Like [`compare`], but where the two decode differently, asks the Go program again:
/// for keys that collide only once sigs.k8s.io/yaml makes them strings, its answer
/// depends on Go's map order, which differs from run to run.
pub fn compare_again(go: &mut GoYaml, mode: Mode, text: &str, answer: &Verdict) -> Outcome {
    let outcome = compare(mode, text, answer);
    if !matches!(
        outcome,
        Outcome::Differs(_) | Outcome::Known(KNOWN_DUPLICATES)
    ) {
        return outcome;
    }
    let Verdict::Accept(_) = answer else {
        return outcome;
    };
    for _ in 0..32 {
        let again = go.decode(mode, text);
        if compare(mode, text, &again) == Outcome::Same {
            return Outcome::Known(KNOWN_MAP_ORDER);
        }
    }
    outcome
}

/// Compares blastwall's reading of `text` with the Go program's answer.
pub fn compare(mode: Mode, text: &str, go: &Verdict) -> Outcome {
    let ours = ours(mode, text);
    let difference = match (&ours.verdict, go) {
        (Verdict::Accept(a), Verdict::Accept(b)) => {
            if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y)) {
                return Outcome::Same;
            }
            format!(
                "decoded differently\n  blastwall: {}\n  go-yaml:   {}",
                show(a),
                show(b)
            )
        }
        (Verdict::Reject(_), Verdict::Reject(_)) => return Outcome::Same,
        (Verdict::Accept(a), Verdict::Reject(e)) => format!(
            "blastwall accepts what Kubernetes rejects\n  blastwall: {}\n  go-yaml:   error: {e}",
            show(a)
        ),
        (Verdict::Reject(m), Verdict::Accept(b)) => format!(
            "blastwall rejects what Kubernetes accepts\n  blastwall: error: {m}\n  go-yaml:   {}",
            show(b)
        ),
    };
    if let (Verdict::Reject(m), Verdict::Accept(_)) = (&ours.verdict, go) {
        if let Some((_, why)) = STRICTER.iter().find(|(needle, _)| m.contains(needle)) {
            return Outcome::Known(why);
        }
    }
    let both_read = matches!(
        (&ours.verdict, go),
        (Verdict::Accept(_), Verdict::Accept(_))
    );
    if ours.duplicate_keys && both_read {
        return Outcome::Known(KNOWN_DUPLICATES);
    }
    if ours.unquoted_templates {
        return Outcome::Known(KNOWN_TEMPLATES);
    }
    Outcome::Differs(difference)
}

fn show(docs: &[Json]) -> String {
    serde_json::to_string(docs).unwrap_or_default()
}

/// JSON equality with numbers compared as numbers (`1` equals `1.0`).
pub fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------
// The generator.

/// Where the generator's choices come from: a seeded PRNG in the test, the fuzzer's
/// bytes in the fuzz target.
pub trait Choices {
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize;

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// SplitMix64: small, seedable, good enough to spread choices.
pub struct Rng(pub u64);

impl Choices for Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n as u64) as usize
    }
}

/// Choices read from fuzzer input, one byte (or two) each; zeros once it runs out.
pub struct Bytes<'a>(pub &'a [u8]);

impl Choices for Bytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let take = if n > 256 { 2 } else { 1 };
        let mut v = 0usize;
        for _ in 0..take {
            let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
            self.0 = rest;
            v = (v << 8) | b as usize;
        }
        v % n
    }
}

/// Scalars as written in manifests, and the YAML 1.1 corners go-yaml v2 resolves.
const SCALARS: &[&str] = &[
    "yes",
    "Yes",
    "YES",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "y",
    "Y",
    "n",
    "N",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "yES",
    "oN",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "0777",
    "0o17",
    "0O17",
    "0x1F",
    "0X1f",
    "0b1010",
    "-0b1010",
    "0b102",
    "+12",
    "-0",
    "0",
    "08",
    "09.5",
    "1_000",
    "0x_1F",
    "1__0",
    "_1",
    "1_",
    "1:20",
    "190:20:30",
    "-1:30",
    "12e3",
    "1e+3",
    "1E-3",
    "1.5",
    ".5",
    "-.5e1",
    "5.",
    "+5.",
    "1.20",
    "1e400",
    "-1e400",
    ".inf",
    ".Inf",
    ".INF",
    "+.inf",
    "-.inf",
    "-.Inf",
    ".nan",
    ".NaN",
    ".NAN",
    ".iNF",
    "inf",
    "NaN",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
    "0x1ffffffffffffffff",
    "123456789012345678901234567890",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14T21:59:43Z",
    "2001-12-14 21:59:43.10 -5",
    "2002-12-14",
    "2001-13-14",
    "20011214",
    "v1",
    "apps/v1",
    "nginx:latest",
    "nginx:1.25",
    "registry.example.com:5000/team/app@sha256:abc",
    "=",
    "-",
    "--",
    "a-b",
    "a b",
    "a  b",
    "a #b",
    "a#b",
    "<<",
    "0.0.0.0/0",
    "*.example.com",
    "100m",
    "1Gi",
    "0.5",
    "-1",
    "1.",
    ".",
    "+",
    "0x",
    "0o",
    "0b",
    "e5",
    ".e5",
    "1e",
    "1.2.3",
    "1,5",
    "é",
    "日本",
    "true_",
    "%x",
    "@x",
    "`x",
    "a:b",
    "a: b",
    "a:",
    "?x",
    "!x",
    "&x",
    "*x",
    "|x",
    ">x",
    "x]",
    "x}",
    "x,",
    "'x",
    "\"x",
    "#x",
    "{{x}}",
];

/// Keys as written, with the ones that resolve to something else than a string.
const KEYS: &[&str] = &[
    "name",
    "image",
    "namespace",
    "privileged",
    "runAsNonRoot",
    "labels",
    "spec",
    "items",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "N",
    "true",
    "FALSE",
    "0777",
    "0x10",
    "1.5",
    "1e6",
    "12",
    "-1",
    "0.1",
    "1_0",
    "1:20",
    "2001-12-14",
    ".inf",
    "-.inf",
    ".nan",
    "~",
    "null",
    "9223372036854775808",
    "18446744073709551615",
    "a b",
    "é",
    "x.y/z",
    "app.kubernetes.io/name",
];

const TAGS: &[&str] = &[
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!!merge",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!seq",
    "!!map",
    "!foo",
    "!",
    "!<tag:yaml.org,2002:int>",
    "!<tag:yaml.org,2002:str>",
    "!<!bar>",
    "!!unknown",
];

/// Base64 texts, valid and not: go-yaml decodes `!!binary` and uses the bytes as text.
const BASE64: &[&str] = &[
    "YmlsbGluZw==",
    "bmdpbng6bGF0ZXN0",
    "",
    "YQ==",
    "YWI=",
    "YWJj",
    "/w==",
    "4oI=",
    "4pyT",
    "gA==",
    "YmlsbG\n  luZw==",
    "YQ",
    "YQ=",
    "Y Q==",
    "!!!",
    "YWJjZA==",
    "AAAA",
    "7aCA",
    "8J+YgA==",
    "wMA=",
];

const WORDS: &[&str] = &[
    "a",
    "b",
    "c",
    "app",
    "web",
    "billing",
    "kube-system",
    "default",
    "x",
    "value",
    "foo",
];

/// One generated document stream: what a user might keep in a manifest file.
pub fn document(c: &mut dyn Choices) -> String {
    let mut g = Gen {
        c,
        anchors: Vec::new(),
        next_anchor: 0,
    };
    let mut out = String::new();
    if g.c.chance(10) {
        out.push_str("---\n");
    }
    if g.c.chance(5) {
        out.push_str("# a comment\n");
    }
    let docs = 1 + g.c.below(3) * usize::from(g.c.chance(30));
    if g.c.chance(2) {
        out.insert_str(
            0,
            g.c.pick(&["%YAML 1.1\n---\n", "%TAG !e! tag:example.com,2000:\n---\n"]),
        );
    }
    for i in 0..docs {
        if i > 0 {
            // Rarely a separator kubectl refuses.
            let kinds = 3 + 2 * usize::from(g.c.chance(3));
            let separators = ["---\n", "--- # next\n", "---\n\n", "--- {a: 1}\n", "---x\n"];
            out.push_str(g.c.pick(&separators[..kinds]));
            g.anchors.clear();
        }
        g.block_mapping(&mut out, 0, 0);
        if g.c.chance(4) {
            // kubectl ignores what follows `...` up to the next `---` line.
            out.push_str("...\n");
            out.push_str(g.c.pick(&["", "b: 2\n", "b: [\n", "# c\n", ": x\n"]));
        }
    }
    if g.c.chance(25) {
        // The end of the file without a final line break.
        while out.ends_with('\n') {
            out.pop();
        }
    } else if g.c.chance(10) {
        out.push('\n');
    }
    if g.c.chance(4) {
        // Windows line ends.
        out = out.replace('\n', "\r\n");
    }
    out
}

/// One generated aws-auth section: a list of role, user or account entries.
pub fn section(c: &mut dyn Choices) -> String {
    let mut out = String::new();
    let n = 1 + c.below(3);
    for _ in 0..n {
        match c.below(3) {
            0 => {
                out.push_str("- rolearn: ");
                out.push_str(c.pick(&[
                    "arn:aws:iam::111122223333:role/payroll-deploy",
                    "\"arn:aws:iam::111122223333:role/x\"",
                    "!!binary YXJuOmF3czppYW06OjExMTEyMjIyMzMzMzpyb2xlL2FkbWlu",
                    "!foo arn:aws:iam::1:role/y",
                ]));
                out.push_str("\n  username: ");
                out.push_str(c.pick(&[
                    "system:node:{{EC2PrivateDNSName}}",
                    "\"{{SessionName}}\"",
                    "admin",
                    "yes",
                    "0777",
                    ".inf",
                    "!!binary YWRtaW4=",
                ]));
                out.push_str("\n  groups:\n");
                for _ in 0..c.below(3) {
                    out.push_str("    - ");
                    out.push_str(c.pick(&[
                        "system:masters",
                        "system:bootstrappers",
                        "payroll:deploy",
                        "on",
                        "!!binary c3lzdGVtOm1hc3RlcnM=",
                        "\"x\"",
                    ]));
                    out.push('\n');
                }
            }
            1 => {
                out.push_str("- userarn: arn:aws:iam::111122223333:user/");
                out.push_str(c.pick(WORDS));
                out.push_str("\n  username: ");
                out.push_str(c.pick(SCALARS));
                out.push('\n');
            }
            _ => {
                out.push_str("- ");
                out.push_str(c.pick(&[
                    "111122223333",
                    "\"012345678901\"",
                    "012345678901",
                    "0x10",
                    "1e3",
                ]));
                out.push('\n');
            }
        }
    }
    if c.chance(20) {
        out.pop();
    }
    out
}

struct Gen<'c> {
    c: &'c mut dyn Choices,
    /// Anchors defined so far in the document: name and whether it names a mapping.
    anchors: Vec<(String, AnchorKind)>,
    next_anchor: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum AnchorKind {
    Scalar,
    Mapping,
    Sequence,
}

const MAX_DEPTH: usize = 4;

impl Gen<'_> {
    fn indent(out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(' ');
        }
    }

    fn key(&mut self) -> String {
        match self.c.below(12) {
            0 => format!("\"{}\"", self.c.pick(KEYS)),
            1 => format!("'{}'", self.c.pick(KEYS)),
            2 => {
                let t = self
                    .c
                    .pick(&["!!str", "!!int", "!!binary", "!foo", "!!bool", "!!null"]);
                let v = match t {
                    "!!binary" => match self.c.pick(BASE64) {
                        b if b.is_empty() || b.contains([' ', '\n', '!']) => "\"YQ==\"",
                        b => b,
                    },
                    _ => self.c.pick(KEYS),
                };
                format!("{t} {v}")
            }
            3 => "\"\"".into(),
            5 => {
                // An anchored key, for a later alias.
                let name = format!("a{}", self.next_anchor);
                self.next_anchor += 1;
                self.anchors.push((name.clone(), AnchorKind::Scalar));
                format!("&{name} {}", self.c.pick(KEYS))
            }
            6 if self.c.chance(30) => format!("? {}\n", self.c.pick(KEYS)),
            4 if !self.anchors.is_empty() => {
                // An alias as a key (go-yaml accepts an alias to a scalar).
                let (name, _) = self.anchors[self.c.below(self.anchors.len())].clone();
                format!("*{name} ")
            }
            _ => self.c.pick(KEYS).to_string(),
        }
    }

    fn anchor(&mut self, out: &mut String, kind: AnchorKind) {
        if self.c.chance(12) {
            let name = format!("a{}", self.next_anchor);
            self.next_anchor += 1;
            out.push('&');
            out.push_str(&name);
            out.push(' ');
            self.anchors.push((name, kind));
        }
    }

    /// ` &name` before a block collection's line break.
    fn anchor_inline(&mut self, out: &mut String, kind: AnchorKind) {
        if self.c.chance(15) {
            let name = format!("a{}", self.next_anchor);
            self.next_anchor += 1;
            out.push_str(" &");
            out.push_str(&name);
            self.anchors.push((name, kind));
        }
    }

    fn alias(&mut self, out: &mut String) -> bool {
        if self.anchors.is_empty() || !self.c.chance(8) {
            return false;
        }
        let (name, _) = self.anchors[self.c.below(self.anchors.len())].clone();
        out.push('*');
        out.push_str(&name);
        true
    }

    /// A block mapping whose keys sit at column `indent`; the caller has placed the
    /// cursor at that column already for the first key when `first_inline`.
    fn block_mapping(&mut self, out: &mut String, indent: usize, depth: usize) {
        self.block_mapping_from(out, indent, depth, false);
    }

    fn block_mapping_from(&mut self, out: &mut String, indent: usize, depth: usize, inline: bool) {
        let n = 1 + self.c.below(4);
        for i in 0..n {
            if i > 0 || !inline {
                Self::indent(out, indent);
            }
            if self.c.chance(6) {
                self.merge_entry(out, indent, depth);
                continue;
            }
            if self.c.chance(3) {
                // A null key: `? ` with nothing, or an empty key.
                out.push_str(self.c.pick(&["? \n", ": x\n", "~: x\n", "null: x\n"]));
                if out.ends_with("? \n") {
                    Self::indent(out, indent);
                    out.push_str(": v\n");
                }
                continue;
            }
            let key = self.key();
            out.push_str(&key);
            if key.ends_with('\n') {
                // An explicit `? key`: the `:` on the next line.
                Self::indent(out, indent);
            }
            out.push(':');
            self.block_value(out, indent, depth);
        }
    }

    fn merge_entry(&mut self, out: &mut String, indent: usize, depth: usize) {
        out.push_str(
            self.c
                .pick(&["<<", "<<", "<<", "\"<<\"", "!!merge <<", "!!merge x"]),
        );
        out.push(':');
        let maps: Vec<String> = self
            .anchors
            .iter()
            .filter(|(_, k)| *k == AnchorKind::Mapping)
            .map(|(n, _)| n.clone())
            .collect();
        let any: Vec<String> = self.anchors.iter().map(|(n, _)| n.clone()).collect();
        match self.c.below(8) {
            0 if !maps.is_empty() => {
                out.push_str(&format!(" *{}\n", maps[self.c.below(maps.len())]));
            }
            1 if !maps.is_empty() => {
                let a = &maps[self.c.below(maps.len())];
                let b = &maps[self.c.below(maps.len())];
                out.push_str(&format!(" [*{a}, *{b}]\n"));
            }
            2 if !any.is_empty() => {
                out.push_str(&format!(" *{}\n", any[self.c.below(any.len())]));
            }
            3 => out.push_str(" {name: merged, image: x}\n"),
            4 => {
                out.push_str(" [{a: 1}, {b: 2, a: 3}]\n");
            }
            5 => out.push_str(self.c.pick(&[
                " 5\n",
                " ~\n",
                "\n",
                " [1, 2]\n",
                " [[{a: 1}]]\n",
                " \"x\"\n",
            ])),
            6 => {
                out.push('\n');
                self.block_mapping(out, indent + 2, depth + 1);
            }
            _ => {
                out.push('\n');
                Self::indent(out, indent);
                out.push_str("- {a: 1}\n");
                Self::indent(out, indent);
                out.push_str("- ");
                if !maps.is_empty() && self.c.chance(50) {
                    out.push_str(&format!("*{}\n", maps[self.c.below(maps.len())]));
                } else {
                    out.push_str("name: second\n");
                }
            }
        }
    }

    /// After `key:`: the value, ending with a line break.
    fn block_value(&mut self, out: &mut String, indent: usize, depth: usize) {
        let choice = if depth >= MAX_DEPTH {
            self.c.below(5)
        } else {
            self.c.below(9)
        };
        match choice {
            0 | 1 => {
                out.push(' ');
                if !self.alias(out) {
                    self.anchor(out, AnchorKind::Scalar);
                    self.scalar(out, indent);
                }
                out.push('\n');
            }
            2 => {
                out.push(' ');
                self.block_scalar(out, indent);
            }
            3 => {
                out.push(' ');
                self.anchor(out, AnchorKind::Sequence);
                self.flow(out, depth, true);
                out.push('\n');
            }
            4 => {
                out.push(' ');
                self.tagged(out, indent);
                out.push('\n');
            }
            5 | 6 => {
                self.anchor_inline(out, AnchorKind::Mapping);
                out.push('\n');
                let step = if self.c.chance(70) {
                    2
                } else {
                    1 + self.c.below(4)
                };
                self.block_mapping(out, indent + step, depth + 1);
            }
            7 => {
                self.anchor_inline(out, AnchorKind::Sequence);
                out.push('\n');
                let at = indent + 2 * usize::from(self.c.chance(50));
                self.block_sequence(out, at, depth + 1);
            }
            _ => {
                out.push(' ');
                self.anchor(out, AnchorKind::Mapping);
                self.flow(out, depth, false);
                out.push('\n');
            }
        }
    }

    fn block_sequence(&mut self, out: &mut String, indent: usize, depth: usize) {
        let n = 1 + self.c.below(3);
        for _ in 0..n {
            Self::indent(out, indent);
            out.push('-');
            match self.c.below(5) {
                0 if depth < MAX_DEPTH => {
                    // A compact mapping: `- key: value` with more keys under it.
                    out.push(' ');
                    self.block_mapping_from(out, indent + 2, depth + 1, true);
                }
                1 if depth < MAX_DEPTH => {
                    out.push('\n');
                    self.block_sequence(out, indent + 2, depth + 1);
                }
                2 => {
                    out.push(' ');
                    self.block_scalar(out, indent);
                }
                _ => {
                    out.push(' ');
                    if !self.alias(out) {
                        self.scalar(out, indent + 1);
                    }
                    out.push('\n');
                }
            }
        }
    }

    /// A flow collection on one line (sometimes two).
    fn flow(&mut self, out: &mut String, depth: usize, seq: bool) {
        let n = self.c.below(4);
        out.push(if seq { '[' } else { '{' });
        for i in 0..n {
            if i > 0 {
                out.push_str(self.c.pick(&[", ", ",", " , "]));
            }
            if !seq {
                let k = self.c.pick(KEYS);
                out.push_str(k);
                out.push_str(": ");
            }
            if depth < MAX_DEPTH && self.c.chance(15) {
                let inner = self.c.chance(50);
                self.flow(out, depth + 1, inner);
            } else if !self.alias(out) {
                let s = self.flow_scalar();
                out.push_str(&s);
            }
        }
        if n > 0 && self.c.chance(5) {
            out.push(',');
        }
        out.push(if seq { ']' } else { '}' });
    }

    fn flow_scalar(&mut self) -> String {
        let s = self.c.pick(SCALARS);
        let plain_ok = !s.is_empty()
            && !s.contains([
                ',', '[', ']', '{', '}', '#', ':', '\'', '"', '!', '&', '*', '|', '>', '%', '@',
                '`', '?',
            ])
            && !s.starts_with('-')
            && s != "<<";
        match self.c.below(4) {
            0 => format!("\"{s}\"").replace("\"\"x\"", "\"\\\"x\""),
            1 => format!("'{}'", s.replace('\'', "''")),
            _ if plain_ok => s.to_string(),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    /// A scalar on the rest of the line (continuation lines, if any, at `indent`+).
    fn scalar(&mut self, out: &mut String, indent: usize) {
        let s = self.c.pick(SCALARS);
        match self.c.below(10) {
            0 | 1 => out.push_str(&format!("\"{}\"", escape_double(s))),
            2 => out.push_str(&format!("'{}'", s.replace('\'', "''"))),
            3 => {
                // A multi-line double-quoted scalar; the continuation may sit at the
                // key's own indentation (gatekeeper-library does this), or deeper.
                let at = indent + self.c.below(3);
                out.push('"');
                out.push_str(&escape_double(s));
                out.push_str(self.c.pick(&["", " ", "\\"]));
                out.push('\n');
                if self.c.chance(20) {
                    out.push('\n');
                }
                Self::indent(out, at);
                out.push_str(&escape_double(self.c.pick(WORDS)));
                out.push('"');
            }
            4 => {
                let at = indent + self.c.below(3);
                out.push('\'');
                out.push_str(&s.replace('\'', "''"));
                out.push('\n');
                Self::indent(out, at);
                out.push_str(self.c.pick(WORDS));
                out.push('\'');
            }
            5 => out.push_str(&format!(
                "\"{}\"",
                self.c.pick(&[
                    "\\x41",
                    "\\u00e9",
                    "\\t",
                    "a\\nb",
                    "\\\"",
                    "\\\\",
                    "\\/",
                    "\\N",
                    "\\_",
                    "\\0",
                    "\\e",
                    "\\U0001F600",
                    "\\L",
                    "\\P"
                ])
            )),
            _ => {
                let plain_ok = !s.is_empty()
                    && !s.starts_with([
                        '!', '&', '*', '|', '>', '%', '@', '`', '\'', '"', '#', '?', '{', '[', ']',
                        '}', ',',
                    ])
                    && !s.contains(": ")
                    && !s.contains(" #")
                    && !s.ends_with(':')
                    && s != "-"
                    && !s.starts_with("- ");
                if plain_ok {
                    out.push_str(s);
                    if self.c.chance(8) {
                        // A plain scalar folded over two lines.
                        out.push('\n');
                        Self::indent(out, indent + 1 + self.c.below(2));
                        out.push_str(self.c.pick(WORDS));
                    }
                } else {
                    out.push_str(&format!("\"{}\"", escape_double(s)));
                }
                if self.c.chance(5) {
                    out.push_str(" # comment");
                }
            }
        }
    }

    fn tagged(&mut self, out: &mut String, indent: usize) {
        let tag = self.c.pick(TAGS);
        out.push_str(tag);
        out.push(' ');
        match tag {
            "!!binary" => {
                let b = self.c.pick(BASE64);
                if b.contains('\n') {
                    out.push_str("|\n");
                    for line in b.split('\n') {
                        Self::indent(out, indent + 2);
                        out.push_str(line.trim());
                        out.push('\n');
                    }
                    if out.ends_with('\n') {
                        out.pop();
                    }
                } else if self.c.chance(30) {
                    out.push_str(&format!("\"{b}\""));
                } else if b.is_empty() || b.starts_with('!') {
                    out.push_str(&format!("'{b}'"));
                } else {
                    out.push_str(b);
                }
            }
            "!!set" => out.push_str(self.c.pick(&["{a, b}", "{? a, ? b}", "{}", "{y, n}"])),
            "!!omap" | "!!pairs" => {
                out.push_str(self.c.pick(&["[{a: 1}, {b: 2}]", "[]", "[{a: 1}, {a: 2}]"]))
            }
            "!!seq" => out.push_str("[1, 2]"),
            "!!map" => out.push_str("{a: 1}"),
            _ => {
                if self.c.chance(15) {
                    out.push_str(self.c.pick(&["{a: 1}", "[1]", ""]));
                } else {
                    self.scalar(out, indent);
                }
            }
        }
    }

    /// `|` or `>` with chomping and indentation indicators, ending with a line break
    /// (or not, at the end of the file).
    fn block_scalar(&mut self, out: &mut String, indent: usize) {
        if self.c.chance(10) {
            out.push_str(self.c.pick(&["!!binary ", "!!str ", "!foo ", "!!int "]));
        }
        out.push(if self.c.chance(60) { '|' } else { '>' });
        let explicit = self.c.chance(10).then(|| 1 + self.c.below(2));
        let chomp = self.c.pick(&["", "", "-", "+"]);
        if let (Some(n), true) = (explicit, self.c.chance(50)) {
            out.push_str(&format!("{n}{chomp}"));
        } else {
            out.push_str(chomp);
            if let Some(n) = explicit {
                out.push_str(&n.to_string());
            }
        }
        if self.c.chance(10) {
            out.push_str(" # header");
        }
        out.push('\n');
        let at = indent + explicit.unwrap_or(2).max(1);
        let lines = 1 + self.c.below(4);
        for i in 0..lines {
            if i > 0 && self.c.chance(15) {
                out.push('\n');
            }
            Self::indent(out, at);
            if self.c.chance(15) {
                out.push_str("  ");
            }
            out.push_str(self.c.pick(SCALARS));
            if self.c.chance(5) {
                out.push(' ');
            }
            out.push('\n');
        }
        for _ in 0..self.c.below(3) * usize::from(self.c.chance(30)) {
            if self.c.chance(50) {
                Self::indent(out, self.c.below(at + 2));
            }
            out.push('\n');
        }
    }
}

fn escape_double(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
