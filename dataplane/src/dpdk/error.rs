//! The error of every DPDK call: which call failed and DPDK's text for why.

use std::ffi::CStr;
use std::fmt;

use dpdk_ffi as ffi;

/// A failed DPDK call. DPDK reports failures as negative return codes or through the
/// thread-local `rte_errno`; both become an errno here, explained by `rte_strerror`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpdkError {
    call: &'static str,
    errno: i32,
    message: String,
}

impl DpdkError {
    /// The failure of `call` as recorded in `rte_errno` (for calls returning NULL or -1).
    pub(crate) fn from_rte_errno(call: &'static str) -> Self {
        // SAFETY: reads the calling thread's rte_errno; no precondition.
        let errno = unsafe { ffi::shim_rte_errno() };
        Self::from_errno(call, errno)
    }

    /// The failure of `call` that returned `ret`, a negative errno.
    pub(crate) fn from_ret(call: &'static str, ret: i32) -> Self {
        Self::from_errno(call, ret.saturating_neg())
    }

    /// The failure of `call` with a positive `errno`, explained by `rte_strerror`.
    pub(crate) fn from_errno(call: &'static str, errno: i32) -> Self {
        // SAFETY: rte_strerror accepts any errno and returns a NUL-terminated string that stays
        // valid at least until the next call on this thread; it is copied at once.
        let text = unsafe { CStr::from_ptr(ffi::rte_strerror(errno)) };
        Self {
            call,
            errno,
            message: text.to_string_lossy().into_owned(),
        }
    }

    /// A request refused by this layer before reaching DPDK (bad name, wrong state...).
    pub(crate) fn refused(call: &'static str, errno: i32, message: impl Into<String>) -> Self {
        Self {
            call,
            errno,
            message: message.into(),
        }
    }

    /// The name of the DPDK function (or safe-layer method) that failed.
    pub fn call(&self) -> &'static str {
        self.call
    }

    /// The errno of the failure (DPDK's own codes start at 1000, e.g. `E_RTE_NO_CONFIG`).
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The human-readable reason.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DpdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} (errno {})",
            self.call, self.message, self.errno
        )
    }
}

impl std::error::Error for DpdkError {}

/// Turns a DPDK return code into a result: negative codes are errnos, the rest are values.
pub(crate) fn check(call: &'static str, ret: i32) -> Result<i32, DpdkError> {
    if ret < 0 {
        Err(DpdkError::from_ret(call, ret))
    } else {
        Ok(ret)
    }
}

/// Errno values this layer reports for its own refusals (Linux numbering, as DPDK uses).
pub(crate) mod errno {
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// Device or resource busy.
    pub const EBUSY: i32 = 16;
    /// Operation already in progress.
    pub const EALREADY: i32 = 114;
    /// No such device.
    pub const ENODEV: i32 = 19;
    /// No space left (ring or pool exhausted).
    pub const ENOSPC: i32 = 28;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_return_codes_become_errnos_with_strerror_text() {
        let err = check("rte_eth_dev_configure", -22).unwrap_err();
        assert_eq!(err.call(), "rte_eth_dev_configure");
        assert_eq!(err.errno(), 22);
        assert_eq!(err.message(), "Invalid argument");
        assert_eq!(
            err.to_string(),
            "rte_eth_dev_configure failed: Invalid argument (errno 22)"
        );
        assert_eq!(check("rte_eth_dev_count_avail", 3), Ok(3));
    }

    #[test]
    fn dpdk_specific_errnos_use_dpdk_text() {
        // E_RTE_SECONDARY = __ELASTERROR (1000) + 1.
        let err = DpdkError::from_errno("rte_eal_init", 1001);
        assert_eq!(err.message(), "Invalid call in secondary process");
    }
}
