//! The configuration as a TOML tree: `--set` edits it, then it is turned into [`Config`] with
//! unknown keys reported instead of refused.

use super::Config;

/// Applies one `--set dotted.key=value`. The value's type follows the default of a known key
/// (so `yes`/`no` set booleans, `1mb` sets a size); unknown keys keep a best guess and are
/// reported later by [`deserialize_lenient`].
pub(super) fn apply_set(root: &mut toml::Table, set: &str) -> Result<(), String> {
    let (key, raw) = set
        .split_once('=')
        .ok_or_else(|| format!("--set {set:?}: expected <dotted.key>=<value>"))?;
    let key = key.trim();
    let path: Vec<&str> = key.split('.').collect();
    if key.is_empty() || path.iter().any(|p| p.is_empty()) {
        return Err(format!("--set {set:?}: empty key component"));
    }
    let value = typed_value(&path, raw.trim());
    let mut table = root;
    for part in &path[..path.len() - 1] {
        let entry = table
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        table = entry.as_table_mut().expect("just made a table");
    }
    table.insert(path[path.len() - 1].to_string(), value);
    Ok(())
}

/// The default configuration as a tree, to learn each known key's type.
fn defaults() -> toml::Table {
    toml::Table::try_from(Config::default()).unwrap_or_default()
}

fn typed_value(path: &[&str], raw: &str) -> toml::Value {
    let defaults = defaults();
    let mut node: Option<&toml::Value> = None;
    let mut table = Some(&defaults);
    for part in path {
        node = table.and_then(|t| t.get(*part));
        table = node.and_then(|n| n.as_table());
    }
    let as_bool = || match raw.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    };
    match node {
        Some(toml::Value::Boolean(_)) => {
            as_bool().map_or_else(|| string(raw), toml::Value::Boolean)
        }
        Some(toml::Value::Integer(_)) => raw
            .parse::<i64>()
            .map_or_else(|_| string(raw), toml::Value::Integer),
        Some(_) => string(raw),
        None => match (raw.parse::<i64>(), as_bool()) {
            (Ok(i), _) => toml::Value::Integer(i),
            (_, Some(b)) => toml::Value::Boolean(b),
            _ => string(raw),
        },
    }
}

fn string(raw: &str) -> toml::Value {
    toml::Value::String(raw.trim_matches('"').to_string())
}

/// Builds the config from `root`; every key serde did not use is named in `warnings`.
pub(super) fn deserialize_lenient(
    root: toml::Table,
    warnings: &mut Vec<String>,
) -> Result<Config, String> {
    let value = toml::Value::Table(root);
    let config = serde_ignored::deserialize(value, |path| {
        warnings.push(format!("unknown config key `{path}` ignored"));
    })
    .map_err(|e: toml::de::Error| format!("config: {}", e.message().trim()))?;
    Ok(config)
}
