//! Command-line interface. `run(args)` takes the arguments after the program name (e.g.
//! `["read", "-r", "x.pcap", "-S", "a.rules", "-l", "out"]`) and is what `main` calls, so tests
//! drive every command in-process. Flags follow Suricata's where the concept is the same.

use std::fmt;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{demo_capture, read, rules_check};
use crate::config::ChecksumChecks;
use crate::inline;

/// A command failed; the message is the one-line reason printed to stderr.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

#[derive(Parser, Debug)]
#[command(
    name = "portcullis",
    version,
    about = "Portcullis: an inline intrusion prevention system (Suricata rule syntax, Hyperscan)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyze captures offline, as `suricata -r` does: alerts and stats to <log dir>/eve.json.
    Read(ReadArgs),
    /// Run the inline IPS on DPDK ports (EAL, ports, pairs and workers from the config).
    Run(RunArgs),
    /// Rule-file tools.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write the project's demo capture (benign traffic plus a few attacks).
    DemoCapture {
        /// Output pcap file.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct ReadArgs {
    /// Capture file (pcap or pcapng) or a directory of captures (read in name order, one run).
    #[arg(short = 'r', value_name = "PCAP|DIR")]
    input: PathBuf,
    /// Rule file; repeat for several.
    #[arg(short = 'S', value_name = "RULES")]
    rules: Vec<PathBuf>,
    /// Log directory (default: the config's default-log-dir).
    #[arg(short = 'l', value_name = "DIR")]
    log_dir: Option<PathBuf>,
    /// Configuration file (TOML).
    #[arg(short = 'c', value_name = "CONFIG")]
    config: Option<PathBuf>,
    /// Override a configuration key: --set stream.midstream=true
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Checksum validation: all or none (default: the config's pcap-file.checksum-checks).
    #[arg(short = 'k', value_enum)]
    checksums: Option<ChecksumArg>,
    /// Apply drop and reject verdicts as an inline IPS would.
    #[arg(long = "simulate-ips")]
    simulate_ips: bool,
    /// threshold.config file (thresholds, suppressions, rate filters).
    #[arg(long = "threshold-file", value_name = "FILE")]
    threshold_file: Option<PathBuf>,
    /// Anomaly model file (from portcullis-train): score flows, alert with gid 411.
    #[arg(long = "model", value_name = "FILE")]
    model: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Configuration file (TOML) with the [dpdk] section.
    #[arg(short = 'c', value_name = "CONFIG")]
    config: Option<PathBuf>,
    /// Override a configuration key: --set dpdk.workers=2
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Rule file, in addition to the config's rule-files; repeat for several.
    #[arg(short = 'S', value_name = "RULES")]
    rules: Vec<PathBuf>,
    /// Log directory (default: the config's default-log-dir).
    #[arg(short = 'l', value_name = "DIR")]
    log_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// Load rule files and report loaded and skipped rules with reasons.
    Check {
        /// Rule file; repeat for several.
        #[arg(short = 'S', value_name = "RULES", required = true)]
        rules: Vec<PathBuf>,
        /// Configuration file (variables, classification file).
        #[arg(short = 'c', value_name = "CONFIG")]
        config: Option<PathBuf>,
        /// Override a configuration key.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ChecksumArg {
    /// Validate checksums.
    All,
    /// Do not validate checksums.
    None,
}

/// Parses the arguments (after the program name) of a clap command line, the way every
/// Portcullis binary reports them: `Ok(None)` after printing `--help` or `--version` (not
/// errors), and a bad command line as a one-line reason.
pub fn parse_args<C: Parser>(program: &str, args: &[String]) -> Result<Option<C>, String> {
    let argv = std::iter::once(program.to_string()).chain(args.iter().cloned());
    match C::try_parse_from(argv) {
        Ok(cli) => Ok(Some(cli)),
        Err(e) if !e.use_stderr() => {
            print!("{e}");
            Ok(None)
        }
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            Err(first.trim_start_matches("error: ").to_string() + " (see --help)")
        }
    }
}

/// Runs one command line (without the program name).
pub fn run(args: &[String]) -> Result<(), CliError> {
    let Some(cli) = parse_args::<Cli>("portcullis", args).map_err(CliError)? else {
        return Ok(());
    };
    match cli.command {
        Command::Read(a) => {
            let opts = read::ReadOptions {
                input: a.input,
                rule_files: a.rules,
                log_dir: a.log_dir,
                config: a.config,
                sets: a.sets,
                threshold_file: a.threshold_file,
                checksum_checks: a.checksums.map(|k| match k {
                    ChecksumArg::All => ChecksumChecks::Yes,
                    ChecksumArg::None => ChecksumChecks::No,
                }),
                simulate_ips: a.simulate_ips,
                model: a.model,
            };
            let summary = read::run(&opts)?;
            eprint!("{summary}");
            Ok(())
        }
        Command::Run(a) => {
            let summary = inline::run(&inline::RunOptions {
                config: a.config,
                sets: a.sets,
                rule_files: a.rules,
                log_dir: a.log_dir,
            })?;
            eprint!("{summary}");
            Ok(())
        }
        Command::Rules {
            command:
                RulesCommand::Check {
                    rules,
                    config,
                    sets,
                    json,
                },
        } => {
            let report = rules_check::run(&rules_check::RulesCheckOptions {
                rule_files: rules,
                config,
                sets,
                json,
            })?;
            print!("{report}");
            Ok(())
        }
        Command::DemoCapture { output } => {
            eprint!("{}", demo_capture::run(&output)?);
            Ok(())
        }
    }
}
