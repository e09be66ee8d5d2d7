//! Command-line interface. CONTRACT: `run(args)` takes the arguments after the program name
//! (e.g. `["read", "-r", "x.pcap", "-S", "a.rules", "-l", "out"]`) and is what `main` calls, so
//! tests can drive every command in-process.

use std::fmt;

/// A command failed; the message is the one-line reason printed to stderr.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// Runs one command line (without the program name).
pub fn run(args: &[String]) -> Result<(), CliError> {
    Err(CliError(format!("not yet wired: {args:?}")))
}
