//! Reading rule files: comments, blank lines, rules continued over lines with a trailing `\`,
//! duplicate sids; counting unsupported rules by keyword and listing malformed ones by file
//! and line, so one bad rule never stops the rest from loading.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::ast::{Origin, Rule};
use super::error::ParseErrorKind;
use super::parser::parse_rule;
use super::vars::Vars;

/// A rule that could not be loaded because it is malformed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// File it was read from.
    pub file: String,
    /// 1-based line where the rule starts.
    pub line: u32,
    /// Why it is malformed.
    pub reason: String,
}

/// The outcome of loading rule files: what `rules check` reports and the engine compiles.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    /// The rules that parsed, in file order.
    pub rules: Vec<Rule>,
    /// `rules.len()`.
    pub loaded: usize,
    /// Rules skipped as unsupported, counted by keyword (or `protocol X`, `pcre flag X`).
    pub unsupported: BTreeMap<String, usize>,
    /// Malformed rules, in file order.
    pub malformed: Vec<RuleError>,
}

impl LoadResult {
    /// Number of rules skipped as unsupported.
    pub fn unsupported_total(&self) -> usize {
        self.unsupported.values().sum()
    }

    /// Number of rules seen: loaded + unsupported + malformed.
    pub fn total(&self) -> usize {
        self.loaded + self.unsupported_total() + self.malformed.len()
    }

    /// Unsupported reasons, most frequent first (ties by name).
    pub fn unsupported_by_count(&self) -> Vec<(&str, usize)> {
        let mut v: Vec<(&str, usize)> = self
            .unsupported
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// Human-readable summary: counts, then skipped rules by reason (most frequent first), then
    /// each malformed rule as `file:line: reason`.
    pub fn report(&self) -> String {
        let mut out = format!(
            "{} rules: {} loaded, {} unsupported, {} malformed\n",
            self.total(),
            self.loaded,
            self.unsupported_total(),
            self.malformed.len()
        );
        if !self.unsupported.is_empty() {
            out.push_str("skipped by reason:\n");
            for (reason, n) in self.unsupported_by_count() {
                let _ = writeln!(out, "  {n:>6}  {reason}");
            }
        }
        if !self.malformed.is_empty() {
            out.push_str("malformed rules:\n");
            for e in &self.malformed {
                let _ = writeln!(out, "  {}:{}: {}", e.file, e.line, e.reason);
            }
        }
        out
    }
}

impl Serialize for LoadResult {
    /// The `rules check --json` form: counts, unsupported by reason, malformed rules (the parsed
    /// rules themselves are left out).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("LoadResult", 5)?;
        st.serialize_field("total", &self.total())?;
        st.serialize_field("loaded", &self.loaded)?;
        st.serialize_field("unsupported_total", &self.unsupported_total())?;
        st.serialize_field("unsupported", &self.unsupported)?;
        st.serialize_field("malformed", &self.malformed)?;
        st.end()
    }
}

/// Loads rule text incrementally (several files share one duplicate-sid table).
pub struct RuleLoader<'v> {
    vars: &'v Vars,
    result: LoadResult,
    first_seen: HashMap<(u32, u32), (Arc<str>, u32)>,
}

impl<'v> RuleLoader<'v> {
    /// A loader expanding variables from `vars`.
    pub fn new(vars: &'v Vars) -> Self {
        RuleLoader {
            vars,
            result: LoadResult::default(),
            first_seen: HashMap::new(),
        }
    }

    /// Loads one file; an unreadable file is an error naming it (invalid UTF-8 is replaced,
    /// and the rule holding it is then judged like any other).
    pub fn load_file(&mut self, path: &Path) -> io::Result<()> {
        let bytes = std::fs::read(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        self.load_str(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
        Ok(())
    }

    /// Loads rules from text, reporting them as coming from `file`.
    pub fn load_str(&mut self, file: &str, text: &str) {
        let file: Arc<str> = Arc::from(file);
        let mut pending = String::new();
        let mut start = 0u32;
        let mut continuing = false;
        for (i, raw) in text.lines().enumerate() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if !continuing {
                start = line_no;
                pending.clear();
            }
            let line = raw.trim_end();
            match line.strip_suffix('\\') {
                Some(head) => {
                    pending.push_str(head);
                    continuing = true;
                }
                None => {
                    pending.push_str(line);
                    continuing = false;
                    self.logical_line(&file, start, &pending);
                }
            }
        }
        if continuing {
            self.logical_line(&file, start, &pending);
        }
    }

    /// One rule, comment or blank line.
    fn logical_line(&mut self, file: &Arc<str>, line: u32, text: &str) {
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            return;
        }
        let origin = Origin {
            file: Arc::clone(file),
            line,
        };
        let malformed = |reason: String| RuleError {
            file: file.to_string(),
            line,
            reason,
        };
        match parse_rule(text, self.vars, origin) {
            Ok(rule) => match self.first_seen.get(&(rule.gid, rule.sid)) {
                Some((f, l)) => self.result.malformed.push(malformed(format!(
                    "duplicate sid {} (gid {}), first loaded at {f}:{l}",
                    rule.sid, rule.gid
                ))),
                None => {
                    self.first_seen
                        .insert((rule.gid, rule.sid), (Arc::clone(file), line));
                    self.result.rules.push(rule);
                }
            },
            Err(e) => match e.kind {
                ParseErrorKind::Unsupported(what) => {
                    *self.result.unsupported.entry(what).or_insert(0) += 1;
                }
                ParseErrorKind::Malformed(reason) => self.result.malformed.push(malformed(reason)),
            },
        }
    }

    /// The result so far.
    pub fn finish(mut self) -> LoadResult {
        self.result.loaded = self.result.rules.len();
        self.result
    }
}

/// Loads every file in `paths`, in order, with one duplicate-sid table. Fails only when a file
/// cannot be read (the error names it); bad rules are reported in the result.
pub fn load_rules(paths: &[PathBuf], vars: &Vars) -> io::Result<LoadResult> {
    let mut loader = RuleLoader::new(vars);
    for path in paths {
        loader.load_file(path)?;
    }
    Ok(loader.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testdata::data_path;

    fn load(text: &str) -> LoadResult {
        let vars = Vars::default();
        let mut l = RuleLoader::new(&vars);
        l.load_str("a.rules", text);
        l.finish()
    }

    const TEXT: &str = "\
# a comment
alert tcp any any -> any any (msg:\"one\"; content:\"a\"; sid:1;)

#alert tcp any any -> any any (msg:\"commented out\"; sid:2;)
alert tcp any any -> any any (msg:\"multi\"; \\
    content:\"b\"; \\
  sid:3;)
alert http any any -> any any (msg:\"web\"; sid:4;)
alert tcp any any -> any any (msg:\"sticky\"; http.uri; sid:5;)
alert tcp any any -> any any (msg:\"no sid\";)
alert tcp any any -> any any (msg:\"dup\"; sid:1;)
alert tcp any any -> any any (msg:\"other gid\"; sid:1; gid:3;)
alert dns any any -> any any (sid:6;)
  alert udp any any -> any any (msg:\"indented\"; sid:7; rev:2;)\r
";

    #[test]
    fn loads_counts_and_reports() {
        let r = load(TEXT);
        assert_eq!(r.loaded, 4);
        assert_eq!(
            r.rules
                .iter()
                .map(|r| (r.sid, r.origin.line))
                .collect::<Vec<_>>(),
            vec![(1, 2), (3, 5), (1, 12), (7, 14)]
        );
        assert_eq!(r.rules[1].msg, "multi");
        assert_eq!(r.rules[3].rev, 2);
        assert_eq!(
            r.unsupported,
            BTreeMap::from([
                ("http.uri".to_string(), 1),
                ("protocol dns".to_string(), 1),
                ("protocol http".to_string(), 1),
            ])
        );
        assert_eq!(
            r.malformed,
            vec![
                RuleError {
                    file: "a.rules".into(),
                    line: 10,
                    reason: "missing sid".into()
                },
                RuleError {
                    file: "a.rules".into(),
                    line: 11,
                    reason: "duplicate sid 1 (gid 1), first loaded at a.rules:2".into()
                },
            ]
        );
        assert_eq!(r.total(), 9);
        assert_eq!(
            r.report(),
            "9 rules: 4 loaded, 3 unsupported, 2 malformed\n\
             skipped by reason:\n\
             \x20      1  http.uri\n\
             \x20      1  protocol dns\n\
             \x20      1  protocol http\n\
             malformed rules:\n\
             \x20 a.rules:10: missing sid\n\
             \x20 a.rules:11: duplicate sid 1 (gid 1), first loaded at a.rules:2\n"
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["total"], 9);
        assert_eq!(json["loaded"], 4);
        assert_eq!(json["unsupported_total"], 3);
        assert_eq!(json["unsupported"]["protocol http"], 1);
        assert_eq!(json["malformed"][0]["line"], 10);
        assert_eq!(json["malformed"][0]["reason"], "missing sid");
    }

    #[test]
    fn report_sorts_by_count() {
        let r = load(
            "alert http any any -> any any (sid:1;)\nalert tls any any -> any any (sid:2;)\nalert tls any any -> any any (sid:3;)\n",
        );
        assert_eq!(
            r.unsupported_by_count(),
            vec![("protocol tls", 2), ("protocol http", 1)]
        );
        assert_eq!(
            r.report(),
            "3 rules: 0 loaded, 3 unsupported, 0 malformed\nskipped by reason:\n       2  protocol tls\n       1  protocol http\n"
        );
    }

    #[test]
    fn trailing_continuation_and_line_numbers() {
        let r = load("\n\nalert tcp any any -> any any (content:\"x\"; \\\n nocase; sid:1;)\nalert tcp any any -> any any (sid:2; \\");
        assert_eq!(r.loaded, 1);
        assert_eq!(r.rules[0].origin.line, 3);
        assert_eq!(
            r.malformed,
            vec![RuleError {
                file: "a.rules".into(),
                line: 5,
                reason: "options do not end with ')'".into()
            }]
        );
    }

    #[test]
    fn unreadable_file_is_named() {
        let err =
            load_rules(&[PathBuf::from("/nonexistent/x.rules")], &Vars::default()).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/x.rules: "),
            "{err}"
        );
    }

    /// Rules in a file counted independently of the loader: logical lines that are neither blank
    /// nor comments.
    fn count_rule_lines(text: &str) -> usize {
        let mut count = 0;
        let mut continuing = false;
        for line in text.lines() {
            let t = line.trim();
            if !continuing && !t.is_empty() && !t.starts_with('#') {
                count += 1;
            }
            continuing = t.ends_with('\\') && (continuing || !t.starts_with('#'));
        }
        count
    }

    /// Every `.rules` file under a folder, sorted.
    fn rule_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rules"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn public_rulesets_load() {
        for set in ["rules/et-open", "rules/snort-community"] {
            let Some(dir) = data_path(set) else {
                continue;
            };
            let files = rule_files(&dir);
            assert!(!files.is_empty(), "no rule files in {}", dir.display());
            let expected: usize = files
                .iter()
                .map(|f| count_rule_lines(&String::from_utf8_lossy(&std::fs::read(f).unwrap())))
                .sum();
            let started = std::time::Instant::now();
            let r = load_rules(&files, &Vars::default()).unwrap();
            let took = started.elapsed();
            assert_eq!(r.total(), expected, "{set}");
            println!(
                "{set}: {} rules in {took:?}: {} loaded, {} unsupported, {} malformed",
                r.total(),
                r.loaded,
                r.unsupported_total(),
                r.malformed.len()
            );
            for (reason, n) in r.unsupported_by_count().into_iter().take(10) {
                println!("  {n:>6}  {reason}");
            }
            for e in r.malformed.iter().take(20) {
                println!("  {}:{}: {}", e.file, e.line, e.reason);
            }
        }
    }

    #[test]
    fn foundation_tests_rules_parse() {
        let Some(list) = data_path("suricata-verify/FOUNDATION.txt") else {
            return;
        };
        let names = std::fs::read_to_string(list).unwrap();
        let mut tests = 0;
        let mut with_unsupported = Vec::new();
        for name in names.lines().map(str::trim).filter(|n| !n.is_empty()) {
            let Some(dir) = data_path(&format!("suricata-verify/tests/{name}")) else {
                continue;
            };
            let files = rule_files(&dir);
            assert_eq!(files.len(), 1, "{name}: expected one rules file");
            let text = String::from_utf8_lossy(&std::fs::read(&files[0]).unwrap()).into_owned();
            let r = load_rules(&files, &Vars::default()).unwrap();
            assert!(r.malformed.is_empty(), "{name}: {}", r.report());
            assert_eq!(r.total(), count_rule_lines(&text), "{name}");
            if !r.unsupported.is_empty() {
                println!("{name}: unsupported {:?}", r.unsupported);
                with_unsupported.push(name.to_string());
            }
            tests += 1;
        }
        // bug-2769's two rules use pcre's `U` (http_uri) buffer flag.
        assert_eq!(with_unsupported, vec!["bug-2769".to_string()]);
        assert_eq!(tests, 21);
    }
}
