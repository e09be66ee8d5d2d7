//! `portcullis demo-capture -o <file>`: writes the project's own demo capture (benign HTTP, DNS,
//! TLS-like and ICMP traffic plus a handful of attacks) used by the README's main command.

use std::path::Path;

use crate::cli::CliError;
use crate::demo::write_demo_capture;

/// Writes the capture and returns a one-line description.
pub fn run(out: &Path) -> Result<String, CliError> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError(format!("{}: {e}", dir.display())))?;
    }
    let summary =
        write_demo_capture(out).map_err(|e| CliError(format!("{}: {e}", out.display())))?;
    Ok(format!(
        "wrote {} packets in {} flows ({} attacks) to {}\n",
        summary.packets,
        summary.flows,
        summary.attacks.len(),
        out.display()
    ))
}
