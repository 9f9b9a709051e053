//! Name globs for the tenancy config: `*` matches any run of characters (also none),
//! `?` exactly one; every other character matches itself.
//!
//! Only these two wildcards exist so that overlap between two globs can be decided
//! exactly: [`Glob::overlaps`] answers "is there a name both globs match?" by walking
//! the product of the two patterns, in `O(len(a) × len(b))` steps.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    One,
    Any,
}

/// What may appear in the literal parts of a glob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// Namespace names: lowercase DNS-1123 label characters.
    Namespace,
    /// RBAC group and user names: anything but whitespace and control characters.
    Subject,
}

/// A validated glob.
#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    text: String,
    tokens: Vec<Token>,
    /// The literal text before the first wildcard (all of it for a literal glob):
    /// most names are told apart by it without walking the tokens.
    prefix: String,
}

impl Glob {
    /// Parses `text` as a glob over `alphabet`; the error says what is wrong.
    pub fn parse(text: &str, alphabet: Alphabet) -> Result<Glob, String> {
        if text.is_empty() {
            return Err("a glob may not be empty".into());
        }
        if text.len() > 512 {
            return Err("a glob may be at most 512 bytes long".into());
        }
        let mut tokens = Vec::with_capacity(text.len());
        for c in text.chars() {
            let token = match c {
                '*' => Token::Any,
                '?' => Token::One,
                '[' | ']' | '{' | '}' | '\\' => {
                    return Err(format!(
                        "`{c}` is not supported in globs here: only `*` and `?` are wildcards"
                    ))
                }
                c if c.is_whitespace() || c.is_control() => {
                    return Err("globs may not contain whitespace or control characters".into())
                }
                c => {
                    if alphabet == Alphabet::Namespace
                        && !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        return Err(format!(
                            "`{c}` cannot occur in a namespace name (lowercase letters, digits and `-`)"
                        ));
                    }
                    Token::Char(c)
                }
            };
            // `**` means the same as `*`; keep one so matching stays linear.
            if token == Token::Any && tokens.last() == Some(&Token::Any) {
                continue;
            }
            tokens.push(token);
        }
        let prefix = tokens
            .iter()
            .map_while(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        Ok(Glob {
            text: text.to_string(),
            tokens,
            prefix,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the glob has no wildcard.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Char(_)))
    }

    /// Whether `name` matches the whole glob.
    pub fn matches(&self, name: &str) -> bool {
        // Every name of a review goes through the config's globs: decide the common
        // shapes (a literal, `prefix*`, and any name without the literal prefix)
        // without allocating.
        let Some(rest) = name.strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        let wildcards = &self.tokens[self.prefix.chars().count()..];
        match wildcards {
            [] => return rest.is_empty(),
            [Token::Any] => return true,
            _ => {}
        }
        // Classic greedy matcher with one backtrack point per `*`: linear in practice.
        let name: Vec<char> = name.chars().collect();
        let (mut p, mut n) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.tokens.get(p) {
                Some(Token::Char(c)) if *c == name[n] => {
                    p += 1;
                    n += 1;
                }
                Some(Token::One) => {
                    p += 1;
                    n += 1;
                }
                Some(Token::Any) => {
                    star = Some((p, n));
                    p += 1;
                }
                _ => match star {
                    Some((sp, sn)) => {
                        p = sp + 1;
                        n = sn + 1;
                        star = Some((sp, sn + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|t| *t == Token::Any)
    }

    /// Whether some name matches both globs. Identical globs, a glob and a literal it
    /// matches, `team-*` and `*-prod` (both match `team-prod`): all overlap.
    pub fn overlaps(&self, other: &Glob) -> bool {
        let (a, b) = (&self.tokens, &other.tokens);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut pending = vec![(0usize, 0usize)];
        while let Some((i, j)) = pending.pop() {
            if std::mem::replace(&mut seen[i * width + j], true) {
                continue;
            }
            if i == a.len() && j == b.len() {
                return true;
            }
            let (ta, tb) = (a.get(i), b.get(j));
            // A `*` may match nothing.
            if ta == Some(&Token::Any) {
                pending.push((i + 1, j));
            }
            if tb == Some(&Token::Any) {
                pending.push((i, j + 1));
            }
            // Both consume one common character; a `*` stays where it is.
            let (Some(ta), Some(tb)) = (ta, tb) else {
                continue;
            };
            let compatible = match (ta, tb) {
                (Token::Char(x), Token::Char(y)) => x == y,
                _ => true,
            };
            if compatible && !(ta == &Token::Any && tb == &Token::Any) {
                let ni = if *ta == Token::Any { i } else { i + 1 };
                let nj = if *tb == Token::Any { j } else { j + 1 };
                pending.push((ni, nj));
            }
        }
        false
    }
}

/// Globs in order, indexed to answer "which is the first glob `name` matches" without
/// trying each: every string of a reviewed object is looked up as a possible
/// namespace, group and user, and most match nothing. A name whose first byte starts
/// no glob is rejected at once; literal globs are one hash lookup, `prefix*` globs a
/// `starts_with` each, in order; only other globs run the matcher.
#[derive(Clone, Debug, Default)]
pub struct GlobIndex {
    globs: Vec<Glob>,
    /// Bit `b` is set when some glob starts with the byte `b`.
    first_bytes: [u64; 4],
    /// Some glob starts with a wildcard: no name is rejected by its first byte.
    wild_start: bool,
    /// Literal glob → the index of its first occurrence.
    literals: crate::facts::keys::FxMap<Box<str>, usize>,
    /// `prefix*` globs: the prefix and the glob's index, ascending.
    prefixes: Vec<(Box<str>, usize)>,
    /// The indexes of every other glob, ascending.
    general: Vec<usize>,
}

impl GlobIndex {
    pub fn new(globs: Vec<Glob>) -> GlobIndex {
        let mut index = GlobIndex::default();
        for (i, glob) in globs.iter().enumerate() {
            match glob.tokens.first() {
                Some(Token::Char(_)) => {
                    let b = glob.text.as_bytes()[0];
                    index.first_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
                }
                _ => index.wild_start = true,
            }
            let literal = glob.prefix.chars().count();
            match &glob.tokens[literal..] {
                [] => {
                    index
                        .literals
                        .entry(glob.prefix.as_str().into())
                        .or_insert(i);
                }
                [Token::Any] => index.prefixes.push((glob.prefix.as_str().into(), i)),
                _ => index.general.push(i),
            }
        }
        index.globs = globs;
        index
    }

    pub fn globs(&self) -> &[Glob] {
        &self.globs
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The index of the first glob that `name` matches:
    /// `globs().iter().position(|g| g.matches(name))`.
    pub fn first(&self, name: &str) -> Option<usize> {
        if !self.wild_start {
            let b = *name.as_bytes().first()?;
            if self.first_bytes[usize::from(b >> 6)] & (1 << (b & 63)) == 0 {
                return None;
            }
        }
        let mut best = if self.literals.is_empty() {
            None
        } else {
            self.literals.get(name).copied()
        };
        // Each list is in glob order: its first hit is its earliest.
        for (prefix, i) in &self.prefixes {
            if best.is_some_and(|b| b < *i) {
                break;
            }
            if name.starts_with(&**prefix) {
                best = Some(*i);
                break;
            }
        }
        for &i in &self.general {
            if best.is_some_and(|b| b < i) {
                break;
            }
            if self.globs[i].matches(name) {
                best = Some(i);
                break;
            }
        }
        best
    }

    /// The first glob `name` matches.
    pub fn first_glob(&self, name: &str) -> Option<&Glob> {
        self.first(name).map(|i| &self.globs[i])
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.text)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Declares a string newtype around [`Glob`] that validates while deserializing.
macro_rules! glob_newtype {
    ($name:ident, $alphabet:expr, $doc:literal, $pattern:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(pub Glob);

        impl std::ops::Deref for $name {
            type Target = Glob;
            fn deref(&self) -> &Glob {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Glob::parse(&text, $alphabet)
                    .map($name)
                    .map_err(|e| serde::de::Error::custom(format!("bad glob `{text}`: {e}")))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.0.as_str())
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": $doc,
                    "pattern": $pattern,
                    "minLength": 1,
                })
            }
        }
    };
}

glob_newtype!(
    NamespaceGlob,
    Alphabet::Namespace,
    "A namespace name or glob: lowercase letters, digits, `-`, and the wildcards `*` (any run) and `?` (one character).",
    "^[a-z0-9*?-]+$"
);
glob_newtype!(
    SubjectGlob,
    Alphabet::Subject,
    "An RBAC group or user name, or a glob over them with `*` (any run) and `?` (one character).",
    "^[^\\s\\[\\]{}\\\\]+$"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> Glob {
        Glob::parse(text, Alphabet::Namespace).unwrap()
    }

    #[test]
    fn star_and_question_mark_match() {
        assert!(ns("payroll-*").matches("payroll-api"));
        assert!(ns("payroll-*").matches("payroll-"));
        assert!(!ns("payroll-*").matches("payroll"));
        assert!(ns("p?yroll").matches("payroll"));
        assert!(!ns("p?yroll").matches("pyroll"));
        assert!(ns("*-prod").matches("billing-prod"));
        assert!(ns("a*b*c").matches("axxbyybc"));
        assert!(!ns("a*b*c").matches("axxbyyb"));
        assert!(ns("payroll").matches("payroll"));
        assert!(!ns("payroll").matches("payroll-api"));
        assert!(!ns("payroll").matches("payrol"));
        assert!(ns("*").matches("anything"));
        assert!(ns("pay*-api").matches("payroll-api"));
        assert!(!ns("pay*-api").matches("billing-api"));
        let subject = |t: &str| Glob::parse(t, Alphabet::Subject).unwrap();
        assert!(subject("é*").matches("équipe"));
        assert!(subject("?quipe").matches("équipe"));
    }

    #[test]
    fn overlap_is_exact() {
        assert!(ns("payroll-*").overlaps(&ns("payroll-*")));
        assert!(ns("payroll-*").overlaps(&ns("payroll-api")));
        assert!(ns("payroll-*").overlaps(&ns("payroll-reports-*")));
        assert!(ns("team-*").overlaps(&ns("*-prod")));
        assert!(ns("*").overlaps(&ns("billing")));
        assert!(ns("a?c").overlaps(&ns("*b*")));
        assert!(!ns("payroll-*").overlaps(&ns("billing-*")));
        assert!(!ns("payroll").overlaps(&ns("payroll-*")));
        assert!(!ns("a?").overlaps(&ns("a")));
        assert!(!ns("*-a").overlaps(&ns("*-b")));
    }

    #[test]
    fn bad_globs_are_rejected_with_a_reason() {
        assert!(Glob::parse("", Alphabet::Namespace).is_err());
        assert!(Glob::parse("Payroll", Alphabet::Namespace)
            .unwrap_err()
            .contains("`P`"));
        assert!(Glob::parse("payroll-[ab]", Alphabet::Namespace)
            .unwrap_err()
            .contains("only `*` and `?`"));
        assert!(Glob::parse("billing ops", Alphabet::Subject).is_err());
        assert!(Glob::parse("billing:*", Alphabet::Subject).is_ok());
    }

    proptest::proptest! {
        /// The index finds the glob the plain scan in order finds, on globs and names
        /// over a small alphabet (so that they often match), with repeats.
        #[test]
        fn the_index_finds_the_first_matching_glob(
            globs in proptest::collection::vec("[ab*?-]{1,5}|[ab]{1,3}|[ab-]{1,3}[*]", 0..8),
            names in proptest::collection::vec("[ab-]{0,6}|é[ab]?", 1..12),
        ) {
            let globs: Vec<Glob> = globs
                .iter()
                .map(|g| Glob::parse(g, Alphabet::Subject).unwrap())
                .collect();
            let index = GlobIndex::new(globs.clone());
            for name in names.iter().chain(globs.iter().map(|g| &g.text)) {
                let plain = globs.iter().position(|g| g.matches(name));
                proptest::prop_assert_eq!(index.first(name), plain, "{:?} {:?}", globs, name);
            }
        }
    }

    #[test]
    fn the_index_keeps_config_order() {
        let index = GlobIndex::new(vec![
            ns("pay*"),
            ns("payroll"),
            ns("*-api"),
            ns("payroll-*"),
        ]);
        assert_eq!(index.first("payroll"), Some(0));
        assert_eq!(index.first("billing-api"), Some(2));
        assert_eq!(index.first("billing"), None);
        assert_eq!(index.first(""), None);
        let literal_first = GlobIndex::new(vec![ns("payroll"), ns("pay*")]);
        assert_eq!(literal_first.first("payroll"), Some(0));
        assert_eq!(literal_first.first("payroll-x"), Some(1));
        assert_eq!(GlobIndex::new(vec![ns("*")]).first(""), Some(0));
    }

    #[test]
    fn long_names_match_in_bounded_time() {
        let glob = ns("*a*a*a*a*a*a*b");
        let name = "a".repeat(20_000);
        assert!(!glob.matches(&name));
    }
}
