//! The DPDK Environment Abstraction Layer: initialised once per process, cleaned up on drop.

use std::ffi::{c_char, c_int, CStr, CString};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use dpdk_ffi as ffi;

use super::error::{errno, DpdkError};

/// Set by the first `Eal::init`, never cleared: DPDK allows one EAL initialisation per process,
/// even after `rte_eal_cleanup` or a failed `rte_eal_init`.
static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Program name passed to DPDK as `argv[0]` (it appears in DPDK's log lines).
const PROGRAM: &str = "portcullis";

/// Proof that the EAL is initialised. Every DPDK object borrows it, so none can outlive
/// `rte_eal_cleanup`, which runs when this value is dropped.
#[derive(Debug)]
pub struct Eal {
    /// The runtime folder (`/var/run/dpdk/<prefix>`) when the prefix is ours: removed after
    /// cleanup, as DPDK leaves it behind and per-pid prefixes would pile up.
    owned_runtime_dir: Option<PathBuf>,
}

impl Eal {
    /// Initialises the EAL with `args`, DPDK's own command line without a program name
    /// (e.g. `["-l", "0-1", "--no-huge", "--vdev=net_ring0"]`), passed through unchanged except
    /// that `--file-prefix=portcullis-<pid>` is added when absent, so that several DPDK processes
    /// (tests, instances) never share runtime files. Returns an error on a second call in the
    /// same process, whether or not the first one succeeded.
    pub fn init(args: &[String]) -> Result<Eal, DpdkError> {
        if INITIALISED.swap(true, Ordering::SeqCst) {
            return Err(DpdkError::refused(
                "rte_eal_init",
                errno::EALREADY,
                "the EAL can be initialised only once per process",
            ));
        }
        let argv = eal_argv(args, std::process::id())?;
        let own_prefix = !has_file_prefix(args);
        // rte_eal_init keeps pointers into argv (and may permute it) for the life of the process,
        // so the strings and the array are leaked on purpose: a few hundred bytes, once.
        let raw: &'static mut [*mut c_char] = Box::leak(
            argv.into_iter()
                .map(CString::into_raw)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let argc = c_int::try_from(raw.len()).map_err(|_| {
            DpdkError::refused("rte_eal_init", errno::EINVAL, "too many EAL arguments")
        })?;
        // SAFETY: argv holds argc valid NUL-terminated strings that live forever (leaked above);
        // INITIALISED guarantees this runs once per process.
        let ret = unsafe { ffi::rte_eal_init(argc, raw.as_mut_ptr()) };
        if ret < 0 {
            return Err(DpdkError::from_rte_errno("rte_eal_init"));
        }
        let owned_runtime_dir = own_prefix.then(runtime_dir).flatten();
        Ok(Eal { owned_runtime_dir })
    }
}

impl Drop for Eal {
    fn drop(&mut self) {
        // SAFETY: every DPDK object of this layer borrows the Eal, so all were released before
        // this drop; the return code only reports an EAL already cleaned up, which cannot be.
        unsafe {
            ffi::rte_eal_cleanup();
        }
        if let Some(dir) = &self.owned_runtime_dir {
            // Best effort: a leftover folder only costs disk space.
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The EAL's runtime folder, where it keeps its config and multi-process socket.
fn runtime_dir() -> Option<PathBuf> {
    // SAFETY: called after a successful rte_eal_init; returns a static NUL-terminated path.
    let dir = unsafe { ffi::rte_eal_get_runtime_dir() };
    if dir.is_null() {
        return None;
    }
    // SAFETY: non-null, NUL-terminated, static for the process.
    let dir = unsafe { CStr::from_ptr(dir) }.to_str().ok()?;
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// True when the caller chose the file prefix (`--file-prefix=x` or `--file-prefix x`).
fn has_file_prefix(args: &[String]) -> bool {
    args.iter().any(|a| a.starts_with("--file-prefix"))
}

/// Builds `argv` for `rte_eal_init`: program name, the caller's arguments, and a per-process
/// `--file-prefix` when the caller gave none.
fn eal_argv(args: &[String], pid: u32) -> Result<Vec<CString>, DpdkError> {
    let prefix = (!has_file_prefix(args)).then(|| format!("--file-prefix={PROGRAM}-{pid}"));
    std::iter::once(PROGRAM)
        .chain(args.iter().map(String::as_str))
        .chain(prefix.as_deref())
        .map(|a| {
            CString::new(a).map_err(|_| {
                DpdkError::refused(
                    "rte_eal_init",
                    errno::EINVAL,
                    format!("EAL argument contains a NUL byte: {a:?}"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[CString]) -> Vec<&str> {
        v.iter().map(|c| c.to_str().unwrap()).collect()
    }

    #[test]
    fn adds_a_per_process_file_prefix() {
        let args = vec!["--no-huge".to_string(), "-l".to_string(), "0".to_string()];
        let argv = eal_argv(&args, 4242).unwrap();
        assert_eq!(
            strings(&argv),
            [
                "portcullis",
                "--no-huge",
                "-l",
                "0",
                "--file-prefix=portcullis-4242"
            ]
        );
    }

    #[test]
    fn keeps_the_callers_file_prefix() {
        for given in ["--file-prefix=mine", "--file-prefix"] {
            let args = vec![given.to_string()];
            let argv = eal_argv(&args, 1).unwrap();
            assert_eq!(strings(&argv), ["portcullis", given]);
        }
    }

    #[test]
    fn refuses_nul_bytes() {
        let err = eal_argv(&["a\0b".to_string()], 1).unwrap_err();
        assert_eq!(err.errno(), errno::EINVAL);
        assert_eq!(err.call(), "rte_eal_init");
    }
}
