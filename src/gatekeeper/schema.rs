//! Constraint parameters checked against the template's `openAPIV3Schema`, as the
//! API server checks a Constraint against the CRD Gatekeeper generates: `type`,
//! `required`, `enum`, `properties`, `items` and `additionalProperties`. Fields the
//! schema does not name are accepted (the API server would prune them).

use regorus::Value;

use crate::source::PathSeg;

/// One parameter that does not fit the schema: where (a path under
/// `spec.parameters`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub path: Vec<PathSeg>,
    pub message: String,
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 => "integer",
            _ => "number",
        },
        Value::String(_) => "string",
        Value::Array(_) | Value::Set(_) => "array",
        Value::Object(_) => "object",
        Value::Undefined => "nothing",
    }
}

fn fits(expected: &str, value: &Value) -> bool {
    let actual = type_name(value);
    expected == actual || (expected == "number" && actual == "integer")
}

/// Every place `value` breaks `schema`, in document order.
pub fn validate(schema: &Value, value: &Value) -> Vec<SchemaError> {
    let mut out = Vec::new();
    check(schema, value, &mut Vec::new(), &mut out, 0);
    out
}

fn check(
    schema: &Value,
    value: &Value,
    path: &mut Vec<PathSeg>,
    out: &mut Vec<SchemaError>,
    depth: usize,
) {
    if depth > 64 || !matches!(schema, Value::Object(_)) {
        return;
    }
    let nullable = schema["nullable"] == Value::Bool(true);
    if *value == Value::Null && nullable {
        return;
    }
    if let Some(expected) = text(&schema["type"]) {
        if !fits(expected, value) {
            out.push(SchemaError {
                path: path.clone(),
                message: format!("must be of type {expected}, not {}", type_name(value)),
            });
            return;
        }
    }
    if let Value::Array(allowed) = &schema["enum"] {
        if !allowed.iter().any(|a| a == value) {
            let list: Vec<String> = allowed
                .iter()
                .map(|a| a.to_json_str().unwrap_or_default())
                .collect();
            out.push(SchemaError {
                path: path.clone(),
                message: format!(
                    "{} is not one of the allowed values: {}",
                    value.to_json_str().unwrap_or_default(),
                    list.join(", ")
                ),
            });
        }
    }
    match value {
        Value::Object(map) => {
            if let Value::Array(required) = &schema["required"] {
                for key in required.iter().filter_map(text) {
                    if !map.contains_key(&Value::from(key)) {
                        out.push(SchemaError {
                            path: path.clone(),
                            message: format!("`{key}` is required"),
                        });
                    }
                }
            }
            let properties = &schema["properties"];
            let additional = &schema["additionalProperties"];
            for (key, item) in map.iter() {
                let Some(key) = text(key) else { continue };
                let sub = match &properties[key] {
                    Value::Undefined => additional,
                    s => s,
                };
                path.push(PathSeg::Key(key.into()));
                check(sub, item, path, out, depth + 1);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathSeg::Index(i));
                check(&schema["items"], item, path, out, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    #[test]
    fn types_required_and_enums_are_checked_with_paths() {
        let schema = v(r#"{"type":"object","required":["labels"],"properties":{
            "labels":{"type":"array","items":{"type":"object","properties":{
                "key":{"type":"string"},"mode":{"type":"string","enum":["a","b"]}}}},
            "limit":{"type":"integer"},"ratio":{"type":"number"}}}"#);
        assert!(validate(
            &schema,
            &v(r#"{"labels":[{"key":"owner","mode":"a"}],"limit":3,"ratio":2}"#)
        )
        .is_empty());
        let errors = validate(
            &schema,
            &v(r#"{"labels":[{"key":1,"mode":"c"}],"limit":1.5}"#),
        );
        let got: Vec<(String, String)> = errors
            .iter()
            .map(|e| (crate::source::display_path(&e.path), e.message.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "labels[0].key".to_string(),
                    "must be of type string, not integer".to_string()
                ),
                (
                    "labels[0].mode".to_string(),
                    "\"c\" is not one of the allowed values: \"a\", \"b\"".to_string()
                ),
                (
                    "limit".to_string(),
                    "must be of type integer, not number".to_string()
                ),
            ]
        );
        let missing = validate(&schema, &v("{}"));
        assert_eq!(missing[0].message, "`labels` is required");
    }
}
