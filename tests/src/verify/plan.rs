//! Turning a test folder and its `test.yaml` into the Portcullis command line that reproduces
//! `run.py`'s Suricata invocation, or the reason it cannot be reproduced yet.
//!
//! `run.py` runs `suricata [args] --set classification-file=… -l OUT [--simulate-ips] -c YAML
//! -r PCAP -S RULES`. Here the same becomes `read -r PCAP [-S RULES] -l OUT --set
//! classification-file=… [args] [--simulate-ips]`. Deliberate differences: `--runmode` is dropped
//! (offline results do not depend on it), `reference-config-file` is not passed (EVE alerts do
//! not carry references), and tests that need their own `suricata.yaml`, a threshold file (unless
//! [`Capabilities::threshold_file`]), a custom command or a non-zero exit code are skipped.

use std::path::{Path, PathBuf};

use super::capabilities::Capabilities;
use super::spec::{PcapSetting, TestSpec};
use super::version::{Version, REFERENCE_VERSION};

/// Everything needed to run one test through `portcullis::cli::run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPlan {
    /// The capture to read.
    pub pcap: PathBuf,
    /// The rules file, `None` when the test has none (detection disabled).
    pub rules: Option<PathBuf>,
    /// The test's own arguments, expanded and split, minus the ones handled here.
    pub args: Vec<String>,
    /// Run with inline (IPS) semantics.
    pub simulate_ips: bool,
}

impl RunPlan {
    /// The argument list for `portcullis::cli::run`, logging to `logdir`.
    pub fn argv(&self, logdir: &Path, classification_file: &Path) -> Vec<String> {
        let mut argv = vec![
            "read".to_string(),
            "-r".to_string(),
            self.pcap.display().to_string(),
        ];
        if let Some(rules) = &self.rules {
            argv.push("-S".to_string());
            argv.push(rules.display().to_string());
        }
        argv.push("-l".to_string());
        argv.push(logdir.display().to_string());
        argv.push("--set".to_string());
        argv.push(format!(
            "classification-file={}",
            classification_file.display()
        ));
        argv.extend(self.args.iter().cloned());
        if self.simulate_ips {
            argv.push("--simulate-ips".to_string());
        }
        argv
    }
}

/// Plans a test in `test_dir`; `Err` is the reason it is skipped.
pub fn plan(test_dir: &Path, spec: &TestSpec, caps: &Capabilities) -> Result<RunPlan, String> {
    if spec.command.is_some() {
        return Err("custom `command:`".to_string());
    }
    if spec.exit_code != 0 {
        return Err(format!("expects exit code {}", spec.exit_code));
    }
    if test_dir.join("suricata.yaml").exists() {
        return Err("own suricata.yaml".to_string());
    }
    if test_dir.join("threshold.config").exists() && !caps.threshold_file {
        return Err(NEEDS_THRESHOLD.to_string());
    }
    let pcap = find_pcap(test_dir, &spec.pcap)?;
    let rules = find_rules(test_dir)?;
    let (args, ips_arg) = translate_args(&spec.args, test_dir, caps)?;
    let name = test_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(RunPlan {
        pcap,
        rules,
        args,
        simulate_ips: ips_arg || name.contains("ips"),
    })
}

/// The skip reason for threshold files, shared by the file and the `--set` argument.
const NEEDS_THRESHOLD: &str = "needs threshold.config";

fn find_pcap(test_dir: &Path, setting: &PcapSetting) -> Result<PathBuf, String> {
    match setting {
        PcapSetting::Path(rel) => {
            let path = test_dir.join(rel);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!("pcap {rel} does not exist"))
            }
        }
        PcapSetting::None => Err("runs without a pcap".to_string()),
        PcapSetting::InFolder => {
            let mut pcaps = files_with_suffix(test_dir, &[".pcap", ".pcapng"]);
            match pcaps.len() {
                0 => Err("no pcap file found".to_string()),
                1 => Ok(pcaps.remove(0)),
                n => Err(format!("{n} pcap files in the folder")),
            }
        }
    }
}

/// `run.py`'s rule lookup: the one `*.rules` in the folder; none means detection off; a file
/// named `minX.Y.rules` is used only from version X.Y on; firewall rule sets are not supported.
fn find_rules(test_dir: &Path) -> Result<Option<PathBuf>, String> {
    let rules = files_with_suffix(test_dir, &[".rules"]);
    let [rules] = rules.as_slice() else {
        return if rules.is_empty() {
            Ok(None)
        } else {
            Err(format!("{} rules files in the folder", rules.len()))
        };
    };
    let name = rules
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with("firewall.rules") {
        return Err("firewall rules".to_string());
    }
    if let Some(min) = name
        .strip_prefix("min")
        .and_then(|rest| rest.strip_suffix(".rules"))
    {
        let usable = Version::parse(min).is_some_and(|v| REFERENCE_VERSION.compare(v).is_ge());
        if !usable {
            return Ok(None);
        }
    }
    Ok(Some(rules.clone()))
}

/// Files directly in `dir` whose name ends with one of `suffixes`, sorted.
fn files_with_suffix(dir: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter(|path| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
        })
        .collect();
    found.sort();
    found
}

/// Splits and expands the `args:` entries; returns the pass-through arguments and whether
/// `--simulate-ips` was among them.
fn translate_args(
    entries: &[String],
    test_dir: &Path,
    caps: &Capabilities,
) -> Result<(Vec<String>, bool), String> {
    let mut tokens = Vec::new();
    for entry in entries {
        for raw in entry.split_whitespace() {
            tokens.push(expand_vars(raw, test_dir)?);
        }
    }
    let mut out = Vec::new();
    let mut ips = false;
    let mut iter = tokens.into_iter();
    while let Some(token) = iter.next() {
        match token.as_str() {
            "-k" | "--set" => {
                let value = iter
                    .next()
                    .ok_or_else(|| format!("`{token}` without a value"))?;
                let is_threshold = value.starts_with("threshold-file=");
                if token == "--set" && is_threshold && !caps.threshold_file {
                    return Err(NEEDS_THRESHOLD.to_string());
                }
                out.push(token);
                out.push(value);
            }
            "--simulate-ips" => ips = true,
            "--runmode" => {
                iter.next();
            }
            t if t.starts_with("--runmode=") => {}
            other => return Err(format!("unsupported argument {other}")),
        }
    }
    Ok((out, ips))
}

/// Expands `$NAME`/`${NAME}` like Python's `string.Template` with only `TEST_DIR` defined
/// (`$$` is a literal `$`); any other variable is a skip reason.
fn expand_vars(token: &str, test_dir: &Path) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = token;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, r) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced
                .find('}')
                .ok_or_else(|| format!("unterminated variable in {token}"))?;
            (&braced[..end], &braced[end + 1..])
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            (&after[..len], &after[len..])
        };
        if name != "TEST_DIR" {
            return Err(format!(
                "uses variable ${name}, which the runner does not provide"
            ));
        }
        out.push_str(&test_dir.display().to_string());
        rest = r;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::capabilities::PORTCULLIS;
    use crate::verify::spec::parse_test_yaml;
    use std::fs;

    /// A scratch tree: `<root>/tests/{a-ips,b}` with files.
    fn tree(files: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        for file in files {
            let path = root.path().join(file);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(&path, b"x").expect("write");
        }
        root
    }

    #[test]
    fn argv_with_args_and_pcap_override() {
        let root = tree(&["b/input.pcap", "a-ips/test.rules"]);
        let dir = root.path().join("a-ips");
        let spec = parse_test_yaml(
            "pcap: ../b/input.pcap\nargs:\n  - -k none --set detect.guess-applayer-tx=true\n  - --set x.file=${TEST_DIR}/f.txt --runmode=single\n",
        )
        .expect("parses");
        let plan = plan(&dir, &spec, &PORTCULLIS).expect("runnable");
        let argv = plan.argv(Path::new("/out"), Path::new("/etc/classification.config"));
        let d = dir.display().to_string();
        assert_eq!(
            argv,
            vec![
                "read".to_string(),
                "-r".into(),
                format!("{d}/../b/input.pcap"),
                "-S".into(),
                format!("{d}/test.rules"),
                "-l".into(),
                "/out".into(),
                "--set".into(),
                "classification-file=/etc/classification.config".into(),
                "-k".into(),
                "none".into(),
                "--set".into(),
                "detect.guess-applayer-tx=true".into(),
                "--set".into(),
                format!("x.file={d}/f.txt"),
                "--simulate-ips".into(),
            ]
        );
    }

    #[test]
    fn folder_pcap_no_rules_and_ips_arg() {
        let root = tree(&["b/x.pcapng"]);
        let dir = root.path().join("b");
        let spec = parse_test_yaml("args: [--simulate-ips]").expect("parses");
        let plan = plan(&dir, &spec, &PORTCULLIS).expect("runnable");
        assert_eq!(
            plan,
            RunPlan {
                pcap: dir.join("x.pcapng"),
                rules: None,
                args: vec![],
                simulate_ips: true
            }
        );
    }

    #[test]
    fn min_version_rules_files() {
        let root = tree(&["a/x.pcap", "a/min8.rules", "b/x.pcap", "b/min7.0.rules"]);
        let spec = parse_test_yaml("{}").expect("parses");
        let a = plan(&root.path().join("a"), &spec, &PORTCULLIS).expect("runnable");
        assert_eq!(a.rules, None);
        let b = plan(&root.path().join("b"), &spec, &PORTCULLIS).expect("runnable");
        assert_eq!(b.rules, Some(root.path().join("b/min7.0.rules")));
    }

    #[test]
    fn skip_reasons() {
        let root = tree(&[
            "y/x.pcap",
            "y/suricata.yaml",
            "t/x.pcap",
            "t/threshold.config",
            "two/a.pcap",
            "two/b.pcap",
            "ok/x.pcap",
        ]);
        // Skip reasons for an engine without threshold.config support.
        let without_thresholds = Capabilities {
            threshold_file: false,
            ..PORTCULLIS
        };
        let p = |dir: &str, yaml: &str| {
            plan(
                &root.path().join(dir),
                &parse_test_yaml(yaml).expect("parses"),
                &without_thresholds,
            )
            .expect_err("skipped")
        };
        assert_eq!(p("y", "{}"), "own suricata.yaml");
        assert_eq!(p("t", "{}"), "needs threshold.config");
        let spec = parse_test_yaml("{}").expect("parses");
        assert!(plan(&root.path().join("t"), &spec, &PORTCULLIS).is_ok());
        assert_eq!(p("two", "{}"), "2 pcap files in the folder");
        assert_eq!(
            p("ok", "pcap: ../nope.pcap"),
            "pcap ../nope.pcap does not exist"
        );
        assert_eq!(p("ok", "command: ./run.sh"), "custom `command:`");
        assert_eq!(p("ok", "exit-code: 1"), "expects exit code 1");
        assert_eq!(
            p(
                "ok",
                "args: ['--set threshold-file=${TEST_DIR}/threshold.config']"
            ),
            "needs threshold.config"
        );
        assert_eq!(
            p("ok", "args: ['--simulate-packet-defrag-memcap=1']"),
            "unsupported argument --simulate-packet-defrag-memcap=1"
        );
        assert_eq!(
            p("ok", "args: ['--set a=$SRCDIR/x']"),
            "uses variable $SRCDIR, which the runner does not provide"
        );
        assert_eq!(p("ok", "args: ['-k']"), "`-k` without a value");
    }

    #[test]
    fn template_expansion() {
        let dir = Path::new("/t");
        assert_eq!(
            expand_vars("a=${TEST_DIR}/b", dir),
            Ok("a=/t/b".to_string())
        );
        assert_eq!(expand_vars("$TEST_DIR.x", dir), Ok("/t.x".to_string()));
        assert_eq!(expand_vars("cost$$", dir), Ok("cost$".to_string()));
        assert_eq!(
            expand_vars("${TEST_DIR", dir),
            Err("unterminated variable in ${TEST_DIR".to_string())
        );
    }
}
