//! Packet-buffer pools (`rte_pktmbuf_pool_create`), freed when dropped.

use std::ffi::CString;
use std::marker::PhantomData;
use std::ptr::NonNull;

use dpdk_ffi as ffi;

use super::eal::Eal;
use super::error::{errno, DpdkError};
use super::mbuf::Mbuf;

/// A pool of mbufs: where rx queues get their buffers and where injected packets (RSTs) are
/// built. Borrowed by every mbuf taken from it, so it is freed only once all are back.
#[derive(Debug)]
pub struct Mempool<'e> {
    ptr: NonNull<ffi::rte_mempool>,
    _eal: PhantomData<&'e Eal>,
}

// SAFETY: the pool's default ops ("ring_mp_mc") are multi-producer/multi-consumer, so mbufs may
// be taken and returned from any thread; the pointer itself is never mutated.
unsafe impl Send for Mempool<'_> {}
// SAFETY: as above; `&Mempool` only allocates and reads counters, both thread-safe in DPDK.
unsafe impl Sync for Mempool<'_> {}

impl<'e> Mempool<'e> {
    /// Creates a pool of `n_mbufs` buffers (best `2^k - 1`), each with `data_room` bytes
    /// (headroom included: `RTE_MBUF_DEFAULT_BUF_SIZE` = 2176 holds a 2048-byte frame), with a
    /// per-lcore cache of `cache` mbufs, on NUMA `socket` (`None`: any). `name` must be unique
    /// in the process.
    pub fn new(
        _eal: &'e Eal,
        name: &str,
        n_mbufs: u32,
        cache: u32,
        data_room: u16,
        socket: Option<u32>,
    ) -> Result<Self, DpdkError> {
        let c_name = CString::new(name).map_err(|_| {
            DpdkError::refused(
                "rte_pktmbuf_pool_create",
                errno::EINVAL,
                "pool name contains a NUL byte",
            )
        })?;
        let socket = socket_arg("rte_pktmbuf_pool_create", socket)?;
        // SAFETY: c_name is a valid C string for the call; the EAL is initialised (`_eal`).
        let ptr = unsafe {
            ffi::rte_pktmbuf_pool_create(c_name.as_ptr(), n_mbufs, cache, 0, data_room, socket)
        };
        NonNull::new(ptr)
            .map(|ptr| Mempool {
                ptr,
                _eal: PhantomData,
            })
            .ok_or_else(|| DpdkError::from_rte_errno("rte_pktmbuf_pool_create"))
    }

    /// Takes an mbuf and copies `bytes` into it, for packets Portcullis builds itself (RSTs).
    /// `None` when the pool is empty or `bytes` exceeds the mbuf's tailroom.
    pub fn alloc(&self, bytes: &[u8]) -> Option<Mbuf<'_>> {
        let len = u16::try_from(bytes.len()).ok()?;
        // SAFETY: self.ptr is a live packet pool; a NULL result means the pool is empty.
        let raw = NonNull::new(unsafe { ffi::shim_rte_pktmbuf_alloc(self.ptr.as_ptr()) })?;
        // SAFETY: raw was just allocated and is owned by nobody else.
        let mut mbuf = unsafe { Mbuf::from_raw(raw) };
        mbuf.append(len)?.copy_from_slice(bytes);
        Some(mbuf)
    }

    /// Mbufs currently free in the pool (caches included): a leak detector for tests and metrics.
    pub fn available(&self) -> u32 {
        // SAFETY: self.ptr is a live pool.
        unsafe { ffi::rte_mempool_avail_count(self.ptr.as_ptr()) }
    }

    /// Mbufs currently taken from the pool (in rx rings, bursts, rings or in flight).
    pub fn in_use(&self) -> u32 {
        // SAFETY: self.ptr is a live pool.
        unsafe { ffi::rte_mempool_in_use_count(self.ptr.as_ptr()) }
    }

    /// The raw pool, for queue setup.
    pub(crate) fn as_ptr(&self) -> *mut ffi::rte_mempool {
        self.ptr.as_ptr()
    }
}

impl Drop for Mempool<'_> {
    fn drop(&mut self) {
        // SAFETY: every Mbuf, burst, ring and port using this pool borrows it, so none is left.
        unsafe { ffi::rte_mempool_free(self.ptr.as_ptr()) }
    }
}

/// DPDK's socket argument: a NUMA node id, or `SOCKET_ID_ANY` for `None`.
pub(crate) fn socket_arg(call: &'static str, socket: Option<u32>) -> Result<i32, DpdkError> {
    match socket {
        None => Ok(ffi::SOCKET_ID_ANY),
        Some(s) => i32::try_from(s)
            .map_err(|_| DpdkError::refused(call, errno::EINVAL, "socket id out of range")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_none_is_any() {
        assert_eq!(socket_arg("x", None), Ok(-1));
        assert_eq!(socket_arg("x", Some(1)), Ok(1));
        assert_eq!(
            socket_arg("x", Some(u32::MAX)).unwrap_err().errno(),
            errno::EINVAL
        );
    }
}
