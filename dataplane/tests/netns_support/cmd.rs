//! Bounded external commands: every command the inline test runs has a time limit, and a
//! background process is killed when its guard goes out of scope, panic or not.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How often a running command is polled.
const POLL: Duration = Duration::from_millis(10);

/// What a bounded command did.
#[derive(Debug)]
pub struct Finished {
    /// The command line, for messages.
    pub argv: String,
    /// Exit code; `None` when it was killed (time limit or signal).
    pub code: Option<i32>,
    /// Its standard output (lossy UTF-8).
    pub stdout: String,
    /// Its standard error (lossy UTF-8).
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// True when the time limit killed it.
    pub timed_out: bool,
}

impl Finished {
    /// True for exit code 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Reads a pipe to its end on a thread, so a chatty command cannot block on a full pipe while
/// it is polled.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` for at most `limit`, killing it past that. Returns (exit code, timed out).
fn wait_bounded(child: &mut Child, limit: Duration) -> (Option<i32>, bool) {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (status.code(), false),
            Ok(None) if start.elapsed() < limit => thread::sleep(POLL),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return (None, true);
            }
        }
    }
}

/// Runs `argv` with no input, capturing its output, killed after `limit`.
pub fn run(argv: &[&str], limit: Duration) -> Finished {
    let line = argv.join(" ");
    let start = Instant::now();
    let spawned = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Finished {
                argv: line,
                code: None,
                stdout: String::new(),
                stderr: format!("cannot start: {e}"),
                elapsed: start.elapsed(),
                timed_out: false,
            }
        }
    };
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let (code, timed_out) = wait_bounded(&mut child, limit);
    Finished {
        argv: line,
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed: start.elapsed(),
        timed_out,
    }
}

/// Runs `argv` like [`run`] and panics with its output unless it exits 0.
pub fn must(argv: &[&str], limit: Duration) -> Finished {
    let done = run(argv, limit);
    assert!(
        done.ok(),
        "`{}` failed (code {:?}, timed out: {}): {}{}",
        done.argv,
        done.code,
        done.timed_out,
        done.stdout,
        done.stderr
    );
    done
}

/// A process running in the background with stdout and stderr in files; killed (SIGKILL) when
/// dropped if it is still running.
pub struct Background {
    child: Child,
    name: String,
    /// Where its standard output goes.
    pub stdout_path: PathBuf,
    /// Where its standard error goes.
    pub stderr_path: PathBuf,
}

impl Background {
    /// Starts `argv`, its output in `<dir>/<name>.out` and `<dir>/<name>.err`.
    pub fn spawn(name: &str, argv: &[&str], dir: &Path) -> Background {
        let stdout_path = dir.join(format!("{name}.out"));
        let stderr_path = dir.join(format!("{name}.err"));
        let child = Command::new(argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(File::create(&stdout_path).expect("stdout file"))
            .stderr(File::create(&stderr_path).expect("stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} (`{}`): {e}", argv.join(" ")));
        Background {
            child,
            name: name.to_string(),
            stdout_path,
            stderr_path,
        }
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Its standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// The last `lines` lines of its stdout and stderr, for failure messages.
    pub fn tail(&self, lines: usize) -> String {
        let mut text = String::new();
        for path in [&self.stdout_path, &self.stderr_path] {
            let all = std::fs::read_to_string(path).unwrap_or_default();
            let kept: Vec<&str> = all.lines().rev().take(lines).collect();
            let kept: Vec<&str> = kept.into_iter().rev().collect();
            text.push_str(&format!(
                "--- {} ---\n{}\n",
                path.display(),
                kept.join("\n")
            ));
        }
        text
    }

    /// Sends `signal` (a `kill -s` name such as `INT`) and waits up to `limit` for the exit.
    /// Returns the exit code, `None` when it had to be killed or died by a signal.
    pub fn signal_and_wait(&mut self, signal: &str, limit: Duration) -> Option<i32> {
        let pid = self.child.id().to_string();
        // The shell's builtin `kill`: dash is on every Debian, procps's /usr/bin/kill is not.
        let script = r#"kill -s "$1" "$2""#;
        run(
            &["sh", "-c", script, "sh", signal, &pid],
            Duration::from_secs(5),
        );
        let (code, timed_out) = wait_bounded(&mut self.child, limit);
        assert!(
            !timed_out,
            "{} ignored SIG{signal} for {limit:?}",
            self.name
        );
        code
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
