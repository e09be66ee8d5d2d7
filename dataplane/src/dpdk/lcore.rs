//! Logical cores: which exist, which one the caller runs on, the TSC clock, and running
//! closures on worker lcores within a scope (like `std::thread::scope`).

use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use dpdk_ffi as ffi;

use super::eal::Eal;
use super::error::{check, errno, DpdkError};

/// `rte_lcore_id()` of a thread DPDK did not create (`LCORE_ID_ANY`).
const LCORE_ID_ANY: u32 = u32::MAX;

/// What the launch trampoline returns when the closure panicked.
const PANICKED: c_int = -1;

/// The DPDK lcore the calling thread is, or `None` for threads DPDK did not create.
pub fn lcore_id() -> Option<u32> {
    // SAFETY: reads the calling thread's per-lcore id; no precondition.
    let id = unsafe { ffi::shim_rte_lcore_id() };
    (id != LCORE_ID_ANY).then_some(id)
}

/// The main lcore (the one that ran `Eal::init`).
pub fn main_lcore(_eal: &Eal) -> u32 {
    // SAFETY: the EAL is initialised (`_eal`).
    unsafe { ffi::rte_get_main_lcore() }
}

/// The enabled worker lcores (every enabled lcore but the main one), ascending.
pub fn worker_lcores(_eal: &Eal) -> Vec<u32> {
    let mut out = Vec::new();
    // SAFETY: the EAL is initialised; rte_get_next_lcore(-1, skip_main=1, wrap=0) is DPDK's
    // RTE_LCORE_FOREACH_WORKER, returning RTE_MAX_LCORE after the last worker.
    let mut lcore = unsafe { ffi::rte_get_next_lcore(u32::MAX, 1, 0) };
    while lcore < ffi::RTE_MAX_LCORE {
        out.push(lcore);
        // SAFETY: as above, continuing from the previous worker.
        lcore = unsafe { ffi::rte_get_next_lcore(lcore, 1, 0) };
    }
    out
}

/// The CPU's time-stamp counter: the cheap clock of the per-packet path.
pub fn tsc_cycles() -> u64 {
    // SAFETY: reads the TSC; no precondition.
    unsafe { ffi::shim_rte_get_tsc_cycles() }
}

/// TSC ticks per second, as measured by the EAL at init.
pub fn tsc_hz(_eal: &Eal) -> u64 {
    // SAFETY: the EAL is initialised (`_eal`).
    unsafe { ffi::rte_get_tsc_hz() }
}

/// Launches closures on worker lcores; created by [`scope`], which waits for all of them.
pub struct LcoreScope<'scope, 'env: 'scope> {
    eal: &'env Eal,
    launched: RefCell<Vec<u32>>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'scope> LcoreScope<'scope, '_> {
    /// Runs `job` on worker lcore `lcore` (`rte_eal_remote_launch`). Fails if `lcore` is not a
    /// worker or is still busy with an earlier job, or if the caller is not the main lcore
    /// (the thread that ran `Eal::init`), as DPDK requires.
    pub fn launch<F>(&'scope self, lcore: u32, job: F) -> Result<(), DpdkError>
    where
        F: FnOnce() + Send + 'scope,
    {
        const CALL: &str = "rte_eal_remote_launch";
        if lcore_id() != Some(main_lcore(self.eal)) {
            return Err(DpdkError::refused(
                CALL,
                errno::EINVAL,
                "jobs are launched from the main lcore only",
            ));
        }
        if !worker_lcores(self.eal).contains(&lcore) {
            return Err(DpdkError::refused(
                CALL,
                errno::EINVAL,
                format!("lcore {lcore} is not a worker lcore"),
            ));
        }
        let arg = Box::into_raw(Box::new(job)).cast::<c_void>();
        // SAFETY: trampoline::<F> takes back exactly this Box<F>; `scope` waits for the lcore
        // before 'scope ends, so everything `job` borrows outlives its run.
        let ret = unsafe { ffi::rte_eal_remote_launch(Some(trampoline::<F>), arg, lcore) };
        if ret < 0 {
            // SAFETY: the launch failed, so the trampoline will never run: the box is ours.
            drop(unsafe { Box::from_raw(arg.cast::<F>()) });
            return check(CALL, ret).map(|_| ());
        }
        self.launched.borrow_mut().push(lcore);
        Ok(())
    }

    /// Waits for every launched lcore; the error names the first whose job panicked.
    fn wait_all(&self) -> Result<(), DpdkError> {
        let mut result = Ok(());
        for lcore in self.launched.borrow_mut().drain(..) {
            // SAFETY: waits for a lcore this scope launched; called from the launching thread.
            let ret = unsafe { ffi::rte_eal_wait_lcore(lcore) };
            if ret == PANICKED && result.is_ok() {
                result = Err(DpdkError::refused(
                    "rte_eal_wait_lcore",
                    errno::EINVAL,
                    format!("the job on lcore {lcore} panicked"),
                ));
            }
        }
        result
    }
}

/// Runs `body`, which may launch closures borrowing local state on worker lcores, then waits
/// for all of them (even if `body` panics). Errors when a job panicked; the main lcore may do
/// its own share of work inside `body` meanwhile.
pub fn scope<'env, F, T>(eal: &'env Eal, body: F) -> Result<T, DpdkError>
where
    F: for<'scope> FnOnce(&'scope LcoreScope<'scope, 'env>) -> T,
{
    let scope = LcoreScope {
        eal,
        launched: RefCell::new(Vec::new()),
        _scope: PhantomData,
        _env: PhantomData,
    };
    // No job may outlive what it borrows: wait for all of them even when `body` panics, then
    // carry the panic on.
    let out = catch_unwind(AssertUnwindSafe(|| body(&scope)));
    let waited = scope.wait_all();
    match out {
        Ok(out) => waited.map(|()| out),
        Err(panic) => resume_unwind(panic),
    }
}

/// Entry point DPDK calls on the worker lcore: runs the boxed closure, turning a panic into a
/// return code (unwinding into C would abort the process).
unsafe extern "C" fn trampoline<F: FnOnce()>(arg: *mut c_void) -> c_int {
    // SAFETY: `launch` passed a Box<F> leaked with Box::into_raw, handed over exactly once.
    let job = unsafe { Box::from_raw(arg.cast::<F>()) };
    match catch_unwind(AssertUnwindSafe(job)) {
        Ok(()) => 0,
        Err(_) => PANICKED,
    }
}
