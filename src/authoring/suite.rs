//! Fixture suites: YAML files named `*.cases.yaml` beside the rules, each a list of
//! cases — an input and the findings it must and must not yield.
//!
//! ```yaml
//! config: ../../fixtures/tenancy/blastwall.yaml   # optional, for every case
//! examples: true     # also a hit and a miss case from each rule's metadata example
//! examplesExcept: [some-rule]   # … except these rules' examples
//! cases:
//!   - name: a privileged pod is reported
//!     file: bad/privileged.yaml          # or a list; or `manifest: |` inline YAML
//!     expect:
//!       - privileged-container           # the id alone, or:
//!       - {rule: privileged-container, line: 9, column: 19, message: "runs privileged"}
//!     absent: [host-port]                # rules that must not report anything
//!   - name: deleting a product's namespace
//!     operation: DELETE                  # CREATE (default), UPDATE or DELETE
//!     old: objects/namespace.yaml        # the live object; `file`/`manifest` is the new one
//!     user: {username: alice, groups: ["payroll:devs"]}
//!     expect: [namespace-delete]
//!   - name: a saved request
//!     review: requests/exec.json         # an AdmissionReview (JSON or YAML)
//!     expect: [cross-product-exec]
//! ```
//!
//! Paths are relative to the suite file; `message` is a regular expression searched
//! in the finding's message; `line` and `column` are 1-based, in the file the finding
//! points into (`column` in characters, and only with `line`).

use serde::Deserialize;

use crate::source::yaml::{self, ParsedDoc};
use crate::source::{Limits, PathSeg, SourceFile};

/// A suite that cannot be used, with the place in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for SuiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SuiteError {}

/// One parsed suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// How the suite file is named in output.
    pub name: String,
    pub config: Option<String>,
    /// Line of `examples: true`, when set.
    pub examples: Option<usize>,
    /// Rules whose examples are left out (`examplesExcept`), with their lines.
    pub examples_except: Vec<Absent>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// Line of the case in the suite file.
    pub line: usize,
    pub input: Input,
    /// `None`: the suite's config; `Some(None)`: explicitly none (`config: null`).
    pub config: Option<Option<String>>,
    pub expect: Vec<Expected>,
    pub absent: Vec<Absent>,
}

/// A manifest: files (relative to the suite) or inline text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Files(Vec<String>),
    Inline(String),
}

#[derive(Debug, Clone)]
pub enum Input {
    /// Linted like `blastwall lint`: every document is created.
    Lint(Manifest),
    /// One object reviewed as a change, like the webhook does.
    Change {
        operation: String,
        new: Option<Manifest>,
        old: Option<String>,
        user: User,
    },
    /// An AdmissionReview file, decided like `blastwall review`.
    Review(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A finding a case must yield.
#[derive(Debug, Clone)]
pub struct Expected {
    pub rule: String,
    pub line: Option<usize>,
    /// 1-based, in characters; only with `line`.
    pub column: Option<usize>,
    pub message: Option<regex::Regex>,
    /// Where it is written in the suite.
    pub at: usize,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rule)?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " at line {line}:{column}")?,
            (Some(line), None) => write!(f, " at line {line}")?,
            _ => {}
        }
        if let Some(re) = &self.message {
            write!(f, " matching /{}/", re.as_str())?;
        }
        Ok(())
    }
}

/// A rule that must report nothing on the case.
#[derive(Debug, Clone)]
pub struct Absent {
    pub rule: String,
    pub at: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    #[serde(default)]
    config: Option<String>,
    #[serde(default)]
    examples: bool,
    #[serde(default, rename = "examplesExcept")]
    examples_except: Vec<String>,
    #[serde(default)]
    cases: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    #[serde(default)]
    file: Option<OneOrMany>,
    #[serde(default)]
    manifest: Option<String>,
    #[serde(default)]
    review: Option<String>,
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    old: Option<String>,
    #[serde(default)]
    user: Option<User>,
    #[serde(default, deserialize_with = "explicit_null")]
    config: Option<Option<String>>,
    #[serde(default)]
    expect: Vec<RawExpect>,
    #[serde(default)]
    absent: Vec<String>,
}

/// `config: null` is `Some(None)`; a missing key stays `None`.
fn explicit_null<'de, D>(d: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExpect {
    Id(String),
    Full(FullExpect),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullExpect {
    rule: String,
    #[serde(default)]
    line: Option<usize>,
    #[serde(default)]
    column: Option<usize>,
    #[serde(default)]
    message: Option<String>,
}

/// Parses the suite `text`, named `name` in errors.
pub fn parse(name: &str, text: &str) -> Result<Suite, SuiteError> {
    let file = SourceFile::new(name.to_string(), None, text.to_string());
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = file.line_col(span.start);
        SuiteError {
            file: name.to_string(),
            line,
            column,
            message,
        }
    };
    let mut stream = yaml::parse_stream(text, &Limits::default());
    if let Some(err) = stream.errors.first() {
        return Err(at(err.span.clone().unwrap_or(0..0), err.message.clone()));
    }
    if stream.docs.len() != 1 {
        return Err(at(
            0..0,
            "a suite file holds exactly one YAML document".into(),
        ));
    }
    let doc: ParsedDoc = stream.docs.remove(0);
    let span_of = |path: &[PathSeg]| doc.spans.resolve(path).node.label_range();
    let json = serde_json::to_value(&doc.value).map_err(|e| at(doc.span.clone(), e.to_string()))?;
    let raw: RawSuite = serde_path_to_error::deserialize(json).map_err(|e| {
        let path = serde_path(e.path());
        let message = e.inner().to_string();
        let message = if message.starts_with("data did not match any variant") {
            "expected a rule id or {rule, line, column, message}".to_string()
        } else {
            message
        };
        at(span_of(&path), message)
    })?;
    let key = |k: &str| PathSeg::Key(k.into());
    let examples = raw
        .examples
        .then(|| file.line_col(span_of(&[key("examples")]).start).0);
    if raw.cases.is_empty() && examples.is_none() {
        return Err(at(
            0..0,
            "the suite has no `cases` (and no `examples: true`)".into(),
        ));
    }
    let mut cases = Vec::with_capacity(raw.cases.len());
    for (i, case) in raw.cases.into_iter().enumerate() {
        let here = |field: &str| -> Vec<PathSeg> {
            let mut p = vec![key("cases"), PathSeg::Index(i)];
            if !field.is_empty() {
                p.push(key(field));
            }
            p
        };
        let line_of = |path: &[PathSeg]| file.line_col(span_of(path).start).0;
        let fail = |field: &str, message: String| at(span_of(&here(field)), message);
        let input = input_of(&case).map_err(|(field, message)| fail(field, message))?;
        let mut expect = Vec::with_capacity(case.expect.len());
        for (j, e) in case.expect.into_iter().enumerate() {
            let mut path = here("expect");
            path.push(PathSeg::Index(j));
            let (rule, line, column, message) = match e {
                RawExpect::Id(rule) => (rule, None, None, None),
                RawExpect::Full(f) => (f.rule, f.line, f.column, f.message),
            };
            if column.is_some() && line.is_none() {
                return Err(at(span_of(&path), "`column` needs a `line`".into()));
            }
            let message = match message {
                Some(pattern) => Some(regex::Regex::new(&pattern).map_err(|err| {
                    let mut p = path.clone();
                    p.push(key("message"));
                    at(span_of(&p), format!("invalid regular expression: {err}"))
                })?),
                None => None,
            };
            if line.is_some() && matches!(input, Input::Review(_)) {
                return Err(at(
                    span_of(&path),
                    "`line` needs a manifest: an AdmissionReview has no lines".into(),
                ));
            }
            expect.push(Expected {
                rule,
                line,
                column,
                message,
                at: line_of(&path),
            });
        }
        let absent = case
            .absent
            .into_iter()
            .enumerate()
            .map(|(j, rule)| {
                let mut path = here("absent");
                path.push(PathSeg::Index(j));
                Absent {
                    rule,
                    at: line_of(&path),
                }
            })
            .collect::<Vec<_>>();
        if expect.is_empty() && absent.is_empty() {
            return Err(fail(
                "",
                format!(
                    "case `{}` checks nothing: give `expect` or `absent`",
                    case.name
                ),
            ));
        }
        cases.push(Case {
            name: case.name,
            line: line_of(&here("")),
            input,
            config: case.config,
            expect,
            absent,
        });
    }
    let examples_except = raw
        .examples_except
        .into_iter()
        .enumerate()
        .map(|(i, rule)| Absent {
            rule,
            at: file
                .line_col(span_of(&[key("examplesExcept"), PathSeg::Index(i)]).start)
                .0,
        })
        .collect();
    Ok(Suite {
        name: name.to_string(),
        config: raw.config,
        examples,
        examples_except,
        cases,
    })
}

/// What a case reads, or the field that is wrong and why.
fn input_of(case: &RawCase) -> Result<Input, (&'static str, String)> {
    let new = match (&case.file, &case.manifest) {
        (Some(_), Some(_)) => {
            return Err(("manifest", "give `file` or `manifest`, not both".into()))
        }
        (Some(OneOrMany::One(f)), None) => Some(Manifest::Files(vec![f.clone()])),
        (Some(OneOrMany::Many(fs)), None) if fs.is_empty() => {
            return Err(("file", "`file` lists no file".into()))
        }
        (Some(OneOrMany::Many(fs)), None) => Some(Manifest::Files(fs.clone())),
        (None, Some(text)) => Some(Manifest::Inline(text.clone())),
        (None, None) => None,
    };
    if let Some(review) = &case.review {
        for (field, set) in [
            ("file", case.file.is_some()),
            ("manifest", case.manifest.is_some()),
            ("operation", case.operation.is_some()),
            ("old", case.old.is_some()),
            ("user", case.user.is_some()),
        ] {
            if set {
                return Err((
                    field,
                    format!("`{field}` cannot go with `review`: the AdmissionReview holds it"),
                ));
            }
        }
        return Ok(Input::Review(review.clone()));
    }
    let change = case.operation.is_some() || case.old.is_some() || case.user.is_some();
    if !change {
        return match new {
            Some(manifest) => Ok(Input::Lint(manifest)),
            None => Err((
                "",
                format!(
                    "case `{}` has no input: give `file`, `manifest`, `old` or `review`",
                    case.name
                ),
            )),
        };
    }
    let operation = case.operation.clone().unwrap_or_else(|| "CREATE".into());
    let (needs_new, needs_old) = match operation.as_str() {
        "CREATE" => (true, false),
        "UPDATE" => (true, true),
        "DELETE" => (false, true),
        other => {
            return Err((
                "operation",
                format!(
                "operation `{other}` is not CREATE, UPDATE or DELETE (use `review` for CONNECT)"
            ),
            ))
        }
    };
    if needs_new != new.is_some() {
        let message = if needs_new {
            format!("{operation} needs the new object: `file` or `manifest`")
        } else {
            "DELETE has no new object: give only `old`".into()
        };
        return Err(("operation", message));
    }
    if needs_old != case.old.is_some() {
        let message = if needs_old {
            format!("{operation} needs the live object: `old`")
        } else {
            "CREATE has no live object: drop `old`".into()
        };
        return Err(("operation", message));
    }
    Ok(Input::Change {
        operation,
        new,
        old: case.old.clone(),
        user: case.user.clone().unwrap_or_default(),
    })
}

fn serde_path(path: &serde_path_to_error::Path) -> Vec<PathSeg> {
    path.iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.as_str().into())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_with_expectations_parses() {
        let suite = parse(
            "s.cases.yaml",
            "cases:\n- name: a\n  file: x.yaml\n  expect:\n  - r\n  - {rule: q, line: 3, message: 'runs .*'}\n  absent: [z]\n",
        )
        .unwrap();
        let case = &suite.cases[0];
        assert_eq!(case.line, 2);
        assert!(matches!(&case.input, Input::Lint(Manifest::Files(f)) if f == &["x.yaml"]));
        assert_eq!(case.expect.len(), 2);
        assert_eq!(case.expect[1].line, Some(3));
        assert_eq!(case.expect[1].at, 6);
        assert_eq!(case.absent[0].rule, "z");
    }

    #[test]
    fn an_unknown_field_is_an_error_at_its_line() {
        let err = parse(
            "s.cases.yaml",
            "cases:\n- name: a\n  file: x.yaml\n  expcet: [r]\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("unknown field `expcet`"), "{err}");
    }

    #[test]
    fn an_update_without_old_object_is_refused() {
        let err = parse(
            "s.cases.yaml",
            "cases:\n- name: a\n  operation: UPDATE\n  file: x.yaml\n  expect: [r]\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("needs the live object"), "{err}");
    }

    #[test]
    fn a_bad_regex_is_an_error_at_its_line() {
        let err = parse(
            "s.cases.yaml",
            "cases:\n- name: a\n  file: x.yaml\n  expect:\n  - {rule: r, message: '('}\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 5, "{err}");
    }

    #[test]
    fn a_case_that_checks_nothing_is_refused() {
        let err = parse("s.cases.yaml", "cases:\n- name: a\n  file: x.yaml\n").unwrap_err();
        assert!(err.message.contains("checks nothing"), "{err}");
    }
}
