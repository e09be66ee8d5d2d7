//! Single-producer/single-consumer rings of mbufs (`rte_ring`): the software-distribution path
//! hands each packet to the worker its flow hash selects when the NIC has no RSS.

use std::ffi::{c_uint, c_void, CString};
use std::ptr::NonNull;
use std::sync::Arc;

use dpdk_ffi as ffi;

use super::eal::Eal;
use super::error::{errno, DpdkError};
use super::mbuf::MbufBurst;
use super::mempool::socket_arg;
use super::Invariant;

/// The ring itself, shared by its two ends; freed (after freeing the mbufs still queued) when
/// both are dropped.
struct RingInner<'m> {
    ptr: NonNull<ffi::rte_ring>,
    _pools: Invariant<'m>,
}

// SAFETY: the ring is only touched through one producer and one consumer handle, each used by
// one thread at a time (`&mut self` methods), which is what an SP/SC rte_ring requires.
unsafe impl Send for RingInner<'_> {}
// SAFETY: as above: shared access is limited to `rte_ring_count`, a read of two indices.
unsafe impl Sync for RingInner<'_> {}

impl Drop for RingInner<'_> {
    fn drop(&mut self) {
        let mut burst = MbufBurst::<'_, 32>::new();
        while dequeue_into(self.ptr, &mut burst) > 0 {
            burst.clear();
        }
        // SAFETY: both ends are gone and the ring is empty; it is not used again.
        unsafe { ffi::rte_ring_free(self.ptr.as_ptr()) }
    }
}

/// The sending end of an mbuf ring (one thread).
pub struct RingProducer<'m> {
    inner: Arc<RingInner<'m>>,
}

/// The receiving end of an mbuf ring (one thread).
pub struct RingConsumer<'m> {
    inner: Arc<RingInner<'m>>,
}

/// Creates an SP/SC ring named `name` (unique in the process) holding up to `size - 1` mbufs;
/// `size` must be a power of two. `'m` is the lifetime of the pools of the mbufs it carries.
pub fn ring<'m>(
    _eal: &'m Eal,
    name: &str,
    size: u32,
    socket: Option<u32>,
) -> Result<(RingProducer<'m>, RingConsumer<'m>), DpdkError> {
    const CALL: &str = "rte_ring_create";
    let c_name = CString::new(name)
        .map_err(|_| DpdkError::refused(CALL, errno::EINVAL, "ring name contains a NUL byte"))?;
    let socket = socket_arg(CALL, socket)?;
    // SAFETY: c_name is a valid C string; the EAL is initialised (`_eal`).
    let ptr = unsafe {
        ffi::rte_ring_create(
            c_name.as_ptr(),
            size,
            socket,
            ffi::RING_F_SP_ENQ | ffi::RING_F_SC_DEQ,
        )
    };
    let ptr = NonNull::new(ptr).ok_or_else(|| DpdkError::from_rte_errno(CALL))?;
    let inner = Arc::new(RingInner {
        ptr,
        _pools: Invariant::default(),
    });
    Ok((
        RingProducer {
            inner: Arc::clone(&inner),
        },
        RingConsumer { inner },
    ))
}

impl<'m> RingProducer<'m> {
    /// Moves as many mbufs of `burst` as fit into the ring, in order; the rest stay in the
    /// burst (the caller drops or retries them). Returns how many were enqueued.
    pub fn enqueue<const N: usize>(&mut self, burst: &mut MbufBurst<'m, N>) -> usize {
        let (slots, len) = burst.raw();
        let n = c_uint::try_from(len).unwrap_or(c_uint::MAX);
        // SAFETY: `slots` holds `n` owned mbufs; this is the ring's only producer (`&mut self`).
        let done = unsafe {
            ffi::shim_rte_ring_enqueue_burst(
                self.inner.ptr.as_ptr(),
                slots.cast::<*mut c_void>(),
                n,
                std::ptr::null_mut(),
            )
        };
        let done = done as usize;
        // SAFETY: the ring took ownership of exactly the first `done` mbufs.
        unsafe { burst.consumed(done) };
        done
    }

    /// Mbufs currently queued.
    pub fn len(&self) -> usize {
        count(self.inner.ptr)
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'m> RingConsumer<'m> {
    /// Moves queued mbufs into the free slots of `burst`; returns how many.
    pub fn dequeue<const N: usize>(&mut self, burst: &mut MbufBurst<'m, N>) -> usize {
        dequeue_into(self.inner.ptr, burst)
    }

    /// Mbufs currently queued.
    pub fn len(&self) -> usize {
        count(self.inner.ptr)
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Dequeues into `burst`'s spare slots. The caller must be the ring's only consumer.
fn dequeue_into<const N: usize>(
    ring: NonNull<ffi::rte_ring>,
    burst: &mut MbufBurst<'_, N>,
) -> usize {
    let (slots, spare) = burst.spare();
    let n = c_uint::try_from(spare).unwrap_or(c_uint::MAX);
    // SAFETY: `slots` has room for `n` pointers; callers are the single consumer (the consumer
    // handle through `&mut self`, or the ring's drop once both handles are gone).
    let got = unsafe {
        ffi::shim_rte_ring_dequeue_burst(
            ring.as_ptr(),
            slots.cast::<*mut c_void>(),
            n,
            std::ptr::null_mut(),
        )
    } as usize;
    // SAFETY: the ring only ever holds owned mbufs (enqueued from bursts); `got` were written.
    unsafe { burst.commit(got) };
    got
}

/// Number of entries in the ring.
fn count(ring: NonNull<ffi::rte_ring>) -> usize {
    // SAFETY: the ring is live while a handle exists; counting reads two indices.
    unsafe { ffi::shim_rte_ring_count(ring.as_ptr()) as usize }
}

impl std::fmt::Debug for RingProducer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingProducer")
            .field("len", &self.len())
            .finish()
    }
}

impl std::fmt::Debug for RingConsumer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingConsumer")
            .field("len", &self.len())
            .finish()
    }
}
