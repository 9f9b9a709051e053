//! A rule module's `metadata` read from its text, without parsing the module, when
//! it is plain data: `build.rs` reads the built-in pack's this way so that start-up
//! evaluates no Rego to learn its rules (the engine checks the result exactly as
//! an evaluated `metadata`, and a test checks that both agree for every module).
//!
//! Plain data is objects with string keys, arrays, strings, numbers, booleans and
//! null, sets of strings and their unions (`|`), and references to constants that
//! are themselves plain data: `name` of the same module, or `lib.name` of an
//! imported package. Anything else is left to evaluation.
//!
//! Plain std only: `build.rs` includes this file.

/// The package a module declares (`data.` and the name after `package`), from its
/// first `package` line.
pub fn package_of(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with("package "))?;
    let rest = line["package ".len()..].trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let tail = rest[name.len()..].trim();
    if name.is_empty() || !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    Some(format!("data.{name}"))
}

/// The module's `metadata` as compact JSON (object keys sorted, sets as sorted
/// arrays: as regorus writes the evaluated value), when the module defines it once,
/// at the start of a line, as `metadata := <plain data>` (or `=`) with nothing
/// after it on its line. `modules`: the texts of every module of the pack, where
/// imported constants are looked up. `None` otherwise: it has to be evaluated.
pub fn metadata_json(text: &str, modules: &[&str]) -> Option<String> {
    let value = constant(text, "metadata", modules, 0)?;
    let mut out = String::new();
    value.write_json(&mut out);
    Some(out)
}

/// What a module's text refers to outside its strings and comments: its package,
/// the facts it reads and the `data` paths it names. One pass over the text, read
/// at build time for the built-in pack and at start for other modules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs {
    /// The path after the first `package`, without `data.`; empty when none.
    pub package: String,
    /// The fact paths `input.facts.<name>[.<field>[.<field>]]` it reads (the
    /// dotted path after `input.facts`, cut after three names: everything under
    /// it counts as read), sorted; `None` when it reads `input` or `input.facts`
    /// whole (`x := input`, `input.facts[k]`, `import input`).
    pub facts: Option<Vec<String>>,
    /// The `data.` paths it names, without `data.`, sorted; `None` when it refers
    /// to `data` in a way that names no path (`data[k]`, `import data`).
    pub data: Option<Vec<String>>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The identifier at `at` (which starts one).
fn ident_at(bytes: &[u8], at: usize) -> &[u8] {
    let end = bytes[at..]
        .iter()
        .position(|&b| !is_ident(b))
        .map_or(bytes.len(), |n| at + n);
    &bytes[at..end]
}

/// `.a.b.c` from `at`: the names, and the index after them.
fn dotted(bytes: &[u8], mut at: usize) -> (Vec<&[u8]>, usize) {
    let mut names = Vec::new();
    while bytes.get(at) == Some(&b'.') && bytes.get(at + 1).is_some_and(|&b| is_ident_start(b)) {
        let name = ident_at(bytes, at + 1);
        at += 1 + name.len();
        names.push(name);
    }
    (names, at)
}

fn joined(names: &[&[u8]]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        // Identifiers are ASCII.
        out.push_str(std::str::from_utf8(name).unwrap_or(""));
    }
    out
}

/// The package, fact reads and `data` paths of one module's text ([`Refs`]).
pub fn refs(text: &str) -> Refs {
    let bytes = text.as_bytes();
    let mut package = None;
    let mut facts = Some(Vec::new());
    let mut data = Some(Vec::new());
    let mut at = 0;
    // Only comments, strings and words that start with i, d or p matter: jump
    // from one such byte to the next.
    let interesting = |c: &u8| matches!(c, b'#' | b'"' | b'`' | b'i' | b'd' | b'p');
    while let Some(n) = bytes[at..].iter().position(interesting) {
        at += n;
        match bytes[at] {
            b'#' => {
                at = bytes[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| at + n);
            }
            b'"' => {
                at += 1;
                while let Some(n) = bytes[at..].iter().position(|&c| c == b'"' || c == b'\\') {
                    at += n;
                    if bytes[at] == b'"' {
                        break;
                    }
                    at += 2;
                    if at >= bytes.len() {
                        break;
                    }
                }
                at = (at + 1).min(bytes.len());
            }
            b'`' => {
                at = bytes[at + 1..]
                    .iter()
                    .position(|&c| c == b'`')
                    .map_or(bytes.len(), |n| at + 1 + n + 1);
            }
            _ => {
                // A word of its own, not the end of a longer one or a field (`x.input`).
                if at > 0 && (is_ident(bytes[at - 1]) || bytes[at - 1] == b'.') {
                    at += 1;
                    continue;
                }
                let word = ident_at(bytes, at);
                let after = at + word.len();
                match word {
                    b"input" => {
                        let (names, _) = dotted(bytes, after);
                        match names.as_slice() {
                            [review, ..] if *review == b"review" => {}
                            [first, read @ ..] if *first == b"facts" && !read.is_empty() => {
                                // The fact and up to two fields below it: what
                                // is read is everything under that path.
                                if let Some(facts) = &mut facts {
                                    facts.push(joined(&read[..read.len().min(3)]));
                                }
                            }
                            // A field of input that is no fact, read by name.
                            [other, ..] if *other != b"facts" => {}
                            _ => facts = None,
                        }
                    }
                    b"data" => {
                        let (names, _) = dotted(bytes, after);
                        if names.is_empty() {
                            data = None;
                        } else if let Some(data) = &mut data {
                            data.push(joined(&names));
                        }
                    }
                    b"package" if package.is_none() => {
                        let mut start = after;
                        while bytes.get(start).is_some_and(|b| b.is_ascii_whitespace()) {
                            start += 1;
                        }
                        if bytes.get(start).is_some_and(|&b| is_ident_start(b)) {
                            let first = ident_at(bytes, start);
                            let (rest, end) = dotted(bytes, start + first.len());
                            let mut names = vec![first];
                            names.extend(rest);
                            package = Some(joined(&names));
                            at = end;
                            continue;
                        }
                        package = Some(String::new());
                    }
                    _ => {}
                }
                at = after;
            }
        }
    }
    for list in [&mut facts, &mut data].into_iter().flatten() {
        list.sort();
        list.dedup();
    }
    Refs {
        package: package.unwrap_or_default(),
        facts,
        data,
    }
}

/// A plain value.
#[derive(Clone, Debug)]
enum Lit {
    /// `null`, `true`, `false` or a number, as written.
    Atom(String),
    /// A string as JSON writes it, quotes included.
    Str(String),
    Array(Vec<Lit>),
    Object(Vec<(String, Lit)>),
    /// Sorted, without duplicates.
    Set(Vec<String>),
}

impl Lit {
    fn write_json(&self, out: &mut String) {
        match self {
            Lit::Atom(s) | Lit::Str(s) => out.push_str(s),
            Lit::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Lit::Set(items) => {
                out.push('[');
                out.push_str(&items.join(","));
                out.push(']');
            }
            Lit::Object(entries) => {
                let mut sorted: Vec<&(String, Lit)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (key, value)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(key);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// The value of the constant `name` of the module `text`: defined once, at the
/// start of a line, as `name := <plain data>`.
fn constant(text: &str, name: &str, modules: &[&str], depth: usize) -> Option<Lit> {
    if depth > 8 {
        return None;
    }
    let mut found = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(name) {
            let after = rest.trim_start();
            // `name:` alone is YAML inside a raw string, not Rego.
            let yaml = after.starts_with(':') && !after.starts_with(":=");
            if !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') && !yaml {
                if found.is_some() {
                    return None;
                }
                found = Some(offset + name.len());
            }
        }
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("default ") {
            if rest.trim_start().starts_with(name) {
                return None;
            }
        }
        offset += line.len();
    }
    let mut p = Parser {
        text,
        at: found?,
        modules,
        depth,
    };
    p.blank_on_line();
    if !(p.eat(":=") || (!p.peek_is("==") && p.eat("="))) {
        return None;
    }
    let value = p.expression()?;
    // Nothing else on the line (a comment aside).
    p.blank_on_line();
    match p.byte() {
        None | Some(b'\n' | b'#') => Some(value),
        _ => None,
    }
}

/// Sorts a set's strings (written with quotes, without escapes) by their text.
fn sort_set(items: &mut Vec<String>) {
    items.sort_by(|a, b| a.trim_matches('"').cmp(b.trim_matches('"')));
    items.dedup();
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    modules: &'a [&'a str],
    depth: usize,
}

impl Parser<'_> {
    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn rest(&self) -> &str {
        self.text.get(self.at..).unwrap_or("")
    }

    fn peek_is(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    fn eat(&mut self, s: &str) -> bool {
        let yes = self.peek_is(s);
        if yes {
            self.at += s.len();
        }
        yes
    }

    /// Skips white space and comments.
    fn blank(&mut self) {
        while let Some(b) = self.byte() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.at += 1,
                b'#' => self.comment(),
                _ => break,
            }
        }
    }

    /// Skips spaces, not line ends.
    fn blank_on_line(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\r')) {
            self.at += 1;
        }
    }

    fn comment(&mut self) {
        while !matches!(self.byte(), None | Some(b'\n')) {
            self.at += 1;
        }
    }

    /// A term, or a union of sets (`a | b`), on one line at the top.
    fn expression(&mut self) -> Option<Lit> {
        let mut value = self.term()?;
        loop {
            self.blank_on_line();
            if !self.eat("|") {
                return Some(value);
            }
            let right = self.term()?;
            let (Lit::Set(mut left), Lit::Set(right)) = (value, right) else {
                return None;
            };
            left.extend(right);
            sort_set(&mut left);
            value = Lit::Set(left);
        }
    }

    fn term(&mut self) -> Option<Lit> {
        self.blank();
        match self.byte()? {
            b'{' => {
                self.at += 1;
                self.blank();
                if self.eat("}") {
                    return Some(Lit::Object(Vec::new()));
                }
                let first = self.expression()?;
                self.blank();
                if self.peek_is(":") && !self.peek_is(":=") {
                    self.object(first)
                } else {
                    self.set(first)
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.blank();
                    if self.eat("]") {
                        return Some(Lit::Array(items));
                    }
                    items.push(self.expression()?);
                    self.blank();
                    if !self.eat(",") {
                        self.blank();
                        return self.eat("]").then_some(Lit::Array(items));
                    }
                }
            }
            b'"' => {
                let start = self.at;
                self.at += 1;
                loop {
                    match self.byte()? {
                        b'"' => break,
                        b'\\' => self.at += 2,
                        b'\n' => return None,
                        _ => self.at += 1,
                    }
                }
                self.at += 1;
                // Rego's escapes are JSON's.
                Some(Lit::Str(self.text.get(start..self.at)?.to_string()))
            }
            b'`' => {
                self.at += 1;
                let len = self.rest().find('`')?;
                let raw = &self.text[self.at..self.at + len];
                self.at += len + 1;
                let mut out = String::from('"');
                for c in raw.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('"');
                Some(Lit::Str(out))
            }
            b'-' | b'0'..=b'9' => {
                let len = self.rest()[1..]
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
                    })
                    .map_or(self.rest().len(), |n| n + 1);
                let number = &self.rest()[..len];
                // Only plain integers and decimals, written as JSON writes them.
                let digits = number.strip_prefix('-').unwrap_or(number);
                let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
                let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if !plain(int) || !plain(frac) || (int.len() > 1 && int.starts_with('0')) {
                    return None;
                }
                let number = number.to_string();
                self.at += len;
                Some(Lit::Atom(number))
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let first = self.ident();
                if matches!(first.as_str(), "true" | "false" | "null") {
                    return Some(Lit::Atom(first));
                }
                if self.eat(".") {
                    let name = self.ident();
                    let package = self.import(&first)?;
                    let module = self
                        .modules
                        .iter()
                        .find(|m| package_of(m).as_deref() == Some(package.as_str()))?;
                    constant(module, &name, self.modules, self.depth + 1)
                } else {
                    constant(self.text, &first, self.modules, self.depth + 1)
                }
                .filter(|_| !matches!(self.byte(), Some(b'.' | b'[' | b'(')))
            }
            _ => None,
        }
    }

    fn ident(&mut self) -> String {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        let name = self.rest()[..len].to_string();
        self.at += len;
        name
    }

    /// The package (`data.…`) the module imports as `alias`.
    fn import(&self, alias: &str) -> Option<String> {
        self.text.lines().find_map(|line| {
            let rest = line.strip_prefix("import ")?.trim();
            let rest = rest.split('#').next().unwrap_or("").trim();
            let (path, name) = match rest.split_once(" as ") {
                Some((path, name)) => (path.trim(), name.trim()),
                None => (rest, rest.rsplit('.').next().unwrap_or("")),
            };
            (name == alias && path.starts_with("data."))
                .then(|| path.to_string())
                .filter(|p| {
                    p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                })
        })
    }

    /// The rest of an object whose first key is `first`.
    fn object(&mut self, first: Lit) -> Option<Lit> {
        let mut entries: Vec<(String, Lit)> = Vec::new();
        let mut key = first;
        loop {
            let Lit::Str(name) = key else {
                return None;
            };
            if entries.iter().any(|(k, _)| *k == name) {
                return None;
            }
            self.blank();
            if !self.eat(":") {
                return None;
            }
            let value = self.expression()?;
            entries.push((name, value));
            self.blank();
            if !self.eat(",") {
                self.blank();
                return self.eat("}").then_some(Lit::Object(entries));
            }
            self.blank();
            if self.eat("}") {
                return Some(Lit::Object(entries));
            }
            key = self.expression()?;
        }
    }

    /// The rest of a set whose first element is `first`: strings only.
    fn set(&mut self, first: Lit) -> Option<Lit> {
        let mut items = Vec::new();
        let mut item = first;
        loop {
            match item {
                Lit::Str(s) if !s.contains('\\') => items.push(s),
                _ => return None,
            }
            self.blank();
            if !self.eat(",") {
                self.blank();
                if !self.eat("}") {
                    return None;
                }
                break;
            }
            self.blank();
            if self.eat("}") {
                break;
            }
            item = self.expression()?;
        }
        sort_set(&mut items);
        Some(Lit::Set(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Option<String> {
        metadata_json(text, &[text])
    }

    #[test]
    fn plain_data_is_read_as_json() {
        let text = "package blastwall.rules.x  # the rule\n\nimport rego.v1\n\nmetadata := {\n\t\"id\": \"x\", # its id\n\t\"n\": [1, -2.5, true, false, null,],\n\t\"raw\": `a\"b\\c\nmetadata: d`,\n\t\"o\": {},\n\t\"e\": \"q\\\"\\n\",\n}\n\ndeny contains x if { x := metadata.id }\n";
        assert_eq!(package_of(text).as_deref(), Some("data.blastwall.rules.x"));
        assert_eq!(
            json(text).as_deref(),
            Some(
                r#"{"e":"q\"\n","id":"x","n":[1,-2.5,true,false,null],"o":{},"raw":"a\"b\\c\nmetadata: d"}"#
            )
        );
    }

    #[test]
    fn constants_sets_and_unions_are_resolved() {
        let lib = "package blastwall.lib.k8s\n\nrole_kinds := {\"Role\", \"ClusterRole\"}\n";
        let rule = "package blastwall.rules.x\nimport data.blastwall.lib.k8s\nimport data.blastwall.lib.k8s as k\n\nmetadata := {\"kinds\": k8s.role_kinds | local, \"also\": k.role_kinds}\n\nlocal := {\"Pod\", \"Role\",}\n";
        assert_eq!(
            metadata_json(rule, &[lib, rule]).as_deref(),
            Some(r#"{"also":["ClusterRole","Role"],"kinds":["ClusterRole","Pod","Role"]}"#)
        );
    }

    #[test]
    fn anything_but_plain_data_is_left_to_evaluation() {
        for metadata in [
            "metadata := {\"id\": \"x\", \"kinds\": {1}}",
            "metadata := {\"id\": concat(\"\", [\"a\", \"b\"])}",
            "metadata := {\"id\": data.x}",
            "metadata := {\"id\": input.x}",
            "metadata := {\"id\": unknown}",
            "metadata := {\"id\": lib.unknown}",
            "metadata := {\"id\": \"x\"} if { true }",
            "metadata := {\"id\": \"x\"}[\"id\"]",
            "metadata := {\"id\": \"x\", \"id\": \"y\"}",
            "metadata := {\"n\": 1e3}",
            "metadata := {\"n\": 01}",
            "metadata := {1: \"x\"}",
            "metadata := {\"a\": [1] | {\"b\"}}",
            "metadata := {\"id\": \"x\"}\nmetadata := {\"id\": \"y\"}",
            "default metadata := {}\nmetadata := {\"id\": \"x\"}",
            "metadata == {\"id\": \"x\"}",
            "metadata contains \"x\"",
            "metadata.id := \"x\"",
            "rule := 1",
            "metadata := {\"id\": \"x\",",
            "metadata := {\"id\": \"x\nz\"}",
            "metadata := {\"id\": c}\nc := c",
        ] {
            let text = format!("package blastwall.rules.x\n{metadata}\n");
            assert_eq!(json(&text), None, "{metadata}");
        }
    }

    #[test]
    fn a_package_is_read_from_its_line() {
        assert_eq!(
            package_of("# c\npackage blastwall.lib.tenancy\n").as_deref(),
            Some("data.blastwall.lib.tenancy")
        );
        assert_eq!(package_of("package a[\"b\"]\n"), None);
        assert_eq!(package_of("no package\n"), None);
    }
}
