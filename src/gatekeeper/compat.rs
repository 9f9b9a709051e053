//! Two places where regorus 0.14.1 reads Rego v0 differently from OPA, which
//! Gatekeeper templates rely on. The template's text is adjusted before it is
//! compiled, without moving any line (errors keep their line numbers):
//!
//! 1. **Several bodies for one head** (`violation[r] { a } { b }`): OPA reads each
//!    body as its own definition of the rule; regorus rejects it ("else cannot be
//!    used with set rules"). The head is repeated before each further body.
//! 2. **A line that starts with `(`** right after a line that ends a term: OPA
//!    allows no whitespace between a function and its arguments, so the `(` starts a
//!    new expression; regorus reads a call of the previous line's term ("could not
//!    find function …"). A `;` ends the previous expression.
//!
//! Strings (`"…"`, `` `…` ``) and comments are left alone.

/// `rego` as OPA would read it, for regorus.
pub fn adjust(rego: &str) -> String {
    let bytes = rego.as_bytes();
    let mut out = String::with_capacity(rego.len() + 64);
    // Open brackets, innermost last, and whether each is a rule body.
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut statement_start = 0;
    let mut head: Option<String> = None;
    // The last byte of code (not space, not comment) and where it is in `out`.
    let mut last_code: Option<(u8, usize)> = None;
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                let end = rego[i..].find('\n').map_or(rego.len(), |n| i + n);
                out.push_str(&rego[i..end]);
                i = end;
                continue;
            }
            b'"' | b'`' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != c {
                    if c == b'"' && bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                out.push_str(&rego[i..end]);
                last_code = Some((c, out.len() - 1));
                at_line_start = false;
                i = end;
                continue;
            }
            b'\n' => {
                if stack.is_empty() {
                    statement_start = i + 1;
                }
                out.push('\n');
                at_line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                out.push(c as char);
                i += 1;
                continue;
            }
            _ => {}
        }
        // 2: `(` first on a line inside a body, after a term.
        if c == b'(' && at_line_start && stack.last().is_some_and(|(b, _)| *b == b'{') {
            if let Some((prev, at)) = last_code {
                if prev.is_ascii_alphanumeric() || matches!(prev, b'_' | b']' | b')' | b'"' | b'`')
                {
                    out.insert(at + 1, ';');
                }
            }
        }
        at_line_start = false;
        match c {
            b'{' | b'[' | b'(' => {
                let mut body = false;
                if c == b'{' && stack.is_empty() {
                    let text = rego[statement_start..i].trim();
                    // `f(x) = {...} {`: the first `{` is the value, not a body.
                    body = !text.ends_with(['=', ',', '|', ':']);
                    if body && text.is_empty() {
                        // 1: a further body of the previous head.
                        if let Some(h) = &head {
                            out.push_str(h);
                            out.push(' ');
                        }
                    } else if body {
                        head = Some(text.to_string());
                    }
                }
                stack.push((c, body));
            }
            b'}' | b']' | b')' => {
                // Only the end of a body ends a statement (not that of `head[...]`).
                let body_ends = stack.pop() == Some((b'{', true));
                if body_ends && stack.is_empty() {
                    statement_start = i + 1;
                }
            }
            _ => {}
        }
        out.push(c as char);
        // Multi-byte characters are copied byte by byte: re-sync on char boundaries.
        if !c.is_ascii() {
            out.pop();
            let ch_len = rego[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&rego[i..i + ch_len]);
            last_code = Some((b'x', out.len() - 1));
            i += ch_len;
            continue;
        }
        last_code = Some((c, out.len() - 1));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::adjust;

    #[test]
    fn further_bodies_repeat_the_head() {
        let rego = "package p\n\nviolation[{\"msg\": msg}] {\n  a\n  msg := \"x\"\n} {\n  b\n  msg := \"{y}\"\n}\n";
        let out = adjust(rego);
        assert_eq!(out.lines().count(), rego.lines().count());
        assert!(out.contains("} violation[{\"msg\": msg}] {\n  b"), "{out}");
        // else is not a further body.
        let with_else = "package p\nf(x) = 1 {\n  x > 1\n} else = 2 {\n  true\n}\n";
        assert_eq!(adjust(with_else), with_else);
    }

    #[test]
    fn a_parenthesis_first_on_a_line_starts_an_expression() {
        let rego = "package p\nok(h) {\n  input.parameters.spread\n  (h.max - h.min) >= input.parameters.spread\n}\n";
        let out = adjust(rego);
        assert!(out.contains("input.parameters.spread;\n  (h.max"), "{out}");
        // Inside brackets, or after an operator, nothing changes.
        let call = "package p\nx := f(\n  (1 + 2),\n  3\n)\ny {\n  z := 1 +\n  (2)\n}\n";
        assert_eq!(adjust(call), call);
    }

    #[test]
    fn an_object_value_in_a_head_is_not_a_body() {
        let rego = "package p\nget(c) = {\"a\": x} {\n  x := c\n} {\n  x := 2\n}\n";
        let out = adjust(rego);
        assert!(out.contains("} get(c) = {\"a\": x} {\n  x := 2"), "{out}");
        assert!(
            out.starts_with("package p\nget(c) = {\"a\": x} {\n  x := c\n}"),
            "{out}"
        );
    }

    #[test]
    fn strings_and_comments_are_left_alone() {
        let rego = "package p\n# } {\nv[m] {\n  m := \"} {\"\n}\n";
        assert_eq!(adjust(rego), rego);
    }
}
