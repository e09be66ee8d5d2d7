//! Looking up and comparing EVE values the way suricata-verify's `run.py` does (`find_value` and
//! Python's `==`), so a check means here exactly what it means upstream.

use serde_json::Value;

/// Path parts that stop the lookup and leave the string/list operation to the caller.
const OPERATION_SUFFIXES: [&str; 4] = ["__contains", "__find", "__startswith", "__endswith"];

/// What a dotted path names inside an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    /// Some key or index on the path is absent (Python `None`).
    Missing,
    /// The value at the path (or at the prefix before an operation suffix).
    Value(&'a Value),
    /// The path ended in `__len`: the length of the value, or -1 when it has none.
    Len(i64),
}

impl Found<'_> {
    /// The found value as JSON, with a missing value as `null` (both are Python `None`).
    pub fn to_value(&self) -> Value {
        match self {
            Found::Missing => Value::Null,
            Found::Value(v) => (*v).clone(),
            Found::Len(n) => Value::from(*n),
        }
    }

    /// True when `run.py` would see `None`: absent, or present as JSON `null`.
    pub fn is_none(&self) -> bool {
        matches!(self, Found::Missing | Found::Value(Value::Null))
    }
}

/// Follows a dotted path such as `alert.signature_id`, `dns.queries[0].rrname` or
/// `alert.metadata.__len` through an event, like `run.py`'s `find_value`.
pub fn find_value<'a>(path: &str, event: &'a Value) -> Found<'a> {
    let mut obj = event;
    for part in path.split('.') {
        if part == "__len" {
            return Found::Len(python_len(obj));
        }
        if OPERATION_SUFFIXES.contains(&part) {
            break;
        }
        let (name, index) = split_index(part);
        let Some(next) = obj.as_object().and_then(|map| map.get(name)) else {
            return Found::Missing;
        };
        obj = next;
        if let Some(index) = index {
            match obj.as_array().and_then(|items| items.get(index)) {
                Some(item) => obj = item,
                None => return Found::Missing,
            }
        }
    }
    Found::Value(obj)
}

/// Splits `name[3]` into (`name`, Some(3)); any other part is returned whole.
fn split_index(part: &str) -> (&str, Option<usize>) {
    let Some(inner) = part.strip_suffix(']') else {
        return (part, None);
    };
    let Some(open) = inner.rfind('[') else {
        return (part, None);
    };
    let digits = &inner[open + 1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (part, None);
    }
    match digits.parse::<usize>() {
        Ok(index) => (&inner[..open], Some(index)),
        Err(_) => (part, None),
    }
}

/// Python's `len()`: characters of a string, items of a list or object, else -1.
fn python_len(value: &Value) -> i64 {
    let len = match value {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => return -1,
    };
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// Python's `==` between JSON-decoded values: numbers compare by value across int/float, and
/// `True == 1`, `False == 0` (bool is an int in Python); strings never equal numbers; lists and
/// objects compare element-wise and key-for-key (no subset matching).
pub fn python_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| python_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| python_eq(v, w)))
        }
        _ => match (numeric(a), numeric(b)) {
            (Some(x), Some(y)) => numeric_eq(x, y),
            _ => false,
        },
    }
}

/// A number or bool as a comparable number: exact for integers, f64 otherwise.
#[derive(Debug, Clone, Copy)]
enum Numeric {
    Int(i128),
    Float(f64),
}

/// Python's numeric `==`: an int equals a float only when the float is exactly that integer.
fn numeric_eq(a: Numeric, b: Numeric) -> bool {
    match (a, b) {
        (Numeric::Int(x), Numeric::Int(y)) => x == y,
        (Numeric::Float(x), Numeric::Float(y)) => x == y,
        (Numeric::Int(i), Numeric::Float(f)) | (Numeric::Float(f), Numeric::Int(i)) => {
            f.fract() == 0.0 && f.abs() < 1e30 && f as i128 == i
        }
    }
}

fn numeric(value: &Value) -> Option<Numeric> {
    match value {
        Value::Bool(b) => Some(Numeric::Int(i128::from(*b))),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Numeric::Int(i128::from(i)))
            } else if let Some(u) = n.as_u64() {
                Some(Numeric::Int(i128::from(u)))
            } else {
                n.as_f64().map(Numeric::Float)
            }
        }
        _ => None,
    }
}

/// Converts a YAML value (an expected value from `test.yaml`) to JSON so it can be compared
/// with EVE records. Non-string map keys become their text; NaN/inf become `null`.
pub fn yaml_to_json(value: &serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(*b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s.clone()),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.iter().map(yaml_to_json).collect())
        }
        serde_yaml::Value::Mapping(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (yaml_scalar_text(k), yaml_to_json(v)))
                .collect(),
        ),
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(&tagged.value),
    }
}

/// The text of a YAML scalar as Python's `str()` would give it (for keys and version numbers).
pub fn yaml_scalar_text(value: &serde_yaml::Value) -> String {
    match value {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(true) => "True".to_string(),
        serde_yaml::Value::Bool(false) => "False".to_string(),
        serde_yaml::Value::Null => "None".to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_and_indexes() {
        let event = json!({"alert": {"signature_id": 7}, "dns": {"queries": [{"rrname": "a"}, {"rrname": "b"}]}});
        assert_eq!(
            find_value("alert.signature_id", &event),
            Found::Value(&json!(7))
        );
        assert_eq!(
            find_value("dns.queries[1].rrname", &event),
            Found::Value(&json!("b"))
        );
        assert_eq!(find_value("dns.queries[2].rrname", &event), Found::Missing);
        assert_eq!(find_value("alert.gid", &event), Found::Missing);
        assert_eq!(find_value("alert.signature_id.x", &event), Found::Missing);
    }

    #[test]
    fn len_and_operation_suffixes() {
        let event = json!({"s": "héllo", "l": [1, 2, 3], "n": 5});
        assert_eq!(find_value("s.__len", &event), Found::Len(5));
        assert_eq!(find_value("l.__len", &event), Found::Len(3));
        assert_eq!(find_value("n.__len", &event), Found::Len(-1));
        assert_eq!(
            find_value("s.__startswith", &event),
            Found::Value(&json!("héllo"))
        );
        assert_eq!(find_value("nope.__len", &event), Found::Missing);
    }

    #[test]
    fn python_equality_rules() {
        assert!(python_eq(&json!(1), &json!(1.0)));
        assert!(python_eq(&json!(true), &json!(1)));
        assert!(!python_eq(&json!("1"), &json!(1)));
        assert!(!python_eq(&json!(1.5), &json!(1)));
        assert!(python_eq(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(python_eq(&json!([1, "a"]), &json!([1.0, "a"])));
        assert!(!python_eq(&json!({"a": 1, "b": 2}), &json!({"a": 1})));
        assert!(python_eq(
            &json!({"a": 1, "b": 2}),
            &json!({"b": 2, "a": 1})
        ));
        assert!(python_eq(&Value::Null, &Value::Null));
    }

    #[test]
    fn yaml_values_convert_to_json() {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str("{a: 1, b: 8.0, c: [x, true], 3: ~}").expect("yaml");
        assert_eq!(
            yaml_to_json(&yaml),
            json!({"a": 1, "b": 8.0, "c": ["x", true], "3": null})
        );
        let eight: serde_yaml::Value = serde_yaml::from_str("8.0").expect("yaml");
        assert_eq!(yaml_scalar_text(&eight), "8.0");
    }
}
