//! Owned packet buffers and fixed-capacity bursts of them, the unit of rx and tx.

use std::marker::PhantomData;
use std::ptr::NonNull;

use dpdk_ffi as ffi;

/// One packet buffer, owned: dropping it returns it to its pool. `'m` is the borrow of that pool.
///
/// Rx queues set up by [`super::Port`] deliver single-segment packets (no scatter offload is
/// requested), so [`Mbuf::data`] is the whole frame; [`Mbuf::segments`] tells otherwise.
#[derive(Debug)]
#[repr(transparent)]
pub struct Mbuf<'m> {
    ptr: NonNull<ffi::rte_mbuf>,
    _pool: PhantomData<&'m ()>,
}

// SAFETY: an mbuf is exclusively owned by this value; its pool accepts frees from any thread.
unsafe impl Send for Mbuf<'_> {}

impl<'m> Mbuf<'m> {
    /// Takes ownership of a raw mbuf.
    ///
    /// # Safety
    /// `ptr` must be a valid mbuf owned by nobody else, from a pool that outlives `'m`.
    pub(crate) unsafe fn from_raw(ptr: NonNull<ffi::rte_mbuf>) -> Self {
        Mbuf {
            ptr,
            _pool: PhantomData,
        }
    }

    /// The bytes of the first segment (the whole frame for single-segment packets).
    pub fn data(&self) -> &[u8] {
        // SAFETY: mtod points at data_len initialised bytes inside the mbuf, which this value
        // owns for the lifetime of the returned borrow.
        unsafe {
            let p = ffi::shim_rte_pktmbuf_mtod(self.ptr.as_ptr()).cast::<u8>();
            std::slice::from_raw_parts(p, self.len())
        }
    }

    /// The first segment's bytes, writable (normalisation rewrites headers in place).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let len = self.len();
        // SAFETY: as in `data`, and `&mut self` makes the borrow exclusive.
        unsafe {
            let p = ffi::shim_rte_pktmbuf_mtod(self.ptr.as_ptr()).cast::<u8>();
            std::slice::from_raw_parts_mut(p, len)
        }
    }

    /// Length of the first segment (`data().len()`).
    pub fn len(&self) -> usize {
        // SAFETY: self.ptr is a valid mbuf.
        usize::from(unsafe { ffi::shim_rte_pktmbuf_data_len(self.ptr.as_ptr()) })
    }

    /// True when the first segment holds no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Length of the whole packet, all segments.
    pub fn pkt_len(&self) -> usize {
        // SAFETY: self.ptr is a valid mbuf.
        let len = unsafe { ffi::shim_rte_pktmbuf_pkt_len(self.ptr.as_ptr()) };
        usize::try_from(len).unwrap_or(usize::MAX)
    }

    /// Number of chained segments (1 for every packet of a non-scatter rx queue).
    pub fn segments(&self) -> u16 {
        // SAFETY: self.ptr is a valid mbuf.
        unsafe { ffi::shim_rte_pktmbuf_nb_segs(self.ptr.as_ptr()) }
    }

    /// The RSS hash the NIC computed, when it delivered one (`RTE_MBUF_F_RX_RSS_HASH`); virtual
    /// PMDs give none, and the software path uses [`super::soft_rss`] instead.
    pub fn rss_hash(&self) -> Option<u32> {
        let mut hash = 0u32;
        // SAFETY: self.ptr is a valid mbuf and `hash` a writable u32.
        let present = unsafe { ffi::shim_rte_mbuf_rss_hash(self.ptr.as_ptr(), &mut hash) };
        (present != 0).then_some(hash)
    }

    /// Grows the packet by `len` bytes at the end and returns them (uninitialised contents are
    /// whatever the buffer held: overwrite them). `None` when the tailroom is too small.
    pub fn append(&mut self, len: u16) -> Option<&mut [u8]> {
        // SAFETY: self.ptr is a valid, exclusively owned mbuf; NULL means no room.
        let p = unsafe { ffi::shim_rte_pktmbuf_append(self.ptr.as_ptr(), len) };
        let p = NonNull::new(p.cast::<u8>())?;
        // SAFETY: DPDK reserved `len` bytes at p inside this mbuf's buffer.
        Some(unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), usize::from(len)) })
    }

    /// Grows the packet by `len` bytes at the front (into the headroom) and returns them, e.g.
    /// to push a tunnel header. `None` when the headroom is too small.
    pub fn prepend(&mut self, len: u16) -> Option<&mut [u8]> {
        // SAFETY: self.ptr is a valid, exclusively owned mbuf; NULL means no room.
        let p = unsafe { ffi::shim_rte_pktmbuf_prepend(self.ptr.as_ptr(), len) };
        let p = NonNull::new(p.cast::<u8>())?;
        // SAFETY: DPDK reserved `len` bytes at p inside this mbuf's buffer.
        Some(unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), usize::from(len)) })
    }

    /// Gives up ownership without freeing (the caller hands the pointer to DPDK).
    pub(crate) fn into_raw(self) -> *mut ffi::rte_mbuf {
        let p = self.ptr.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Drop for Mbuf<'_> {
    fn drop(&mut self) {
        // SAFETY: this value owns the mbuf; it is not used again.
        unsafe { ffi::shim_rte_pktmbuf_free(self.ptr.as_ptr()) }
    }
}

/// Up to `N` owned mbufs in a fixed array: rx bursts fill it, workers read it, tx bursts empty
/// it. No heap allocation per burst. Dropping it frees whatever it still holds.
pub struct MbufBurst<'m, const N: usize = 32> {
    /// Slots `0..len` hold owned, non-null mbufs; the rest are garbage.
    ptrs: [*mut ffi::rte_mbuf; N],
    len: usize,
    _pool: PhantomData<Mbuf<'m>>,
}

// SAFETY: the burst exclusively owns its mbufs, which may be freed from any thread.
unsafe impl<const N: usize> Send for MbufBurst<'_, N> {}

impl<const N: usize> Default for MbufBurst<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'m, const N: usize> MbufBurst<'m, N> {
    /// An empty burst.
    pub fn new() -> Self {
        MbufBurst {
            ptrs: [std::ptr::null_mut(); N],
            len: 0,
            _pool: PhantomData,
        }
    }

    /// Number of mbufs held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no mbuf is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `N`, the most mbufs a burst holds.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The held mbufs, in arrival order.
    pub fn as_slice(&self) -> &[Mbuf<'m>] {
        // SAFETY: Mbuf is a repr(transparent) NonNull<rte_mbuf>, and slots 0..len are non-null
        // owned mbufs; the borrow of self keeps them alive and unfreed.
        unsafe { std::slice::from_raw_parts(self.ptrs.as_ptr().cast::<Mbuf<'m>>(), self.len) }
    }

    /// The held mbufs, writable.
    pub fn as_mut_slice(&mut self) -> &mut [Mbuf<'m>] {
        // SAFETY: as in `as_slice`, exclusive through `&mut self`.
        unsafe {
            std::slice::from_raw_parts_mut(self.ptrs.as_mut_ptr().cast::<Mbuf<'m>>(), self.len)
        }
    }

    /// Iterates over the held mbufs.
    pub fn iter(&self) -> std::slice::Iter<'_, Mbuf<'m>> {
        self.as_slice().iter()
    }

    /// Iterates over the held mbufs, writable.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Mbuf<'m>> {
        self.as_mut_slice().iter_mut()
    }

    /// Adds an mbuf at the end; gives it back when the burst is full.
    pub fn push(&mut self, mbuf: Mbuf<'m>) -> Result<(), Mbuf<'m>> {
        if self.len == N {
            return Err(mbuf);
        }
        self.ptrs[self.len] = mbuf.into_raw();
        self.len += 1;
        Ok(())
    }

    /// Removes the last mbuf.
    pub fn pop(&mut self) -> Option<Mbuf<'m>> {
        self.len = self.len.checked_sub(1)?;
        let raw = NonNull::new(self.ptrs[self.len])?;
        // SAFETY: slot `len` held an owned mbuf, now removed from the burst.
        Some(unsafe { Mbuf::from_raw(raw) })
    }

    /// Keeps the mbufs for which `keep` is true, in order, and frees the others: how a worker
    /// applies drop verdicts before transmitting the burst.
    /// Should `keep` panic, the mbufs not yet visited are leaked, never freed twice.
    pub fn retain(&mut self, mut keep: impl FnMut(&mut Mbuf<'m>) -> bool) {
        let len = std::mem::replace(&mut self.len, 0);
        let mut kept = 0;
        for i in 0..len {
            let Some(raw) = NonNull::new(self.ptrs[i]) else {
                continue;
            };
            // SAFETY: slot i holds an owned mbuf; it is either written back below or freed.
            let mut mbuf = unsafe { Mbuf::from_raw(raw) };
            if keep(&mut mbuf) {
                self.ptrs[kept] = mbuf.into_raw();
                kept += 1;
            }
        }
        self.len = kept;
    }

    /// Frees every held mbuf.
    pub fn clear(&mut self) {
        self.free_from(0);
    }

    /// Free space at the end, for DPDK calls that fill bursts (`rx_burst`, ring dequeue).
    pub(crate) fn spare(&mut self) -> (*mut *mut ffi::rte_mbuf, usize) {
        // SAFETY: len <= N, so the pointer stays within (or one past) the array.
        let p = unsafe { self.ptrs.as_mut_ptr().add(self.len) };
        (p, N - self.len)
    }

    /// Records that DPDK wrote `n` owned mbufs into the spare slots.
    ///
    /// # Safety
    /// The first `n` spare slots must now hold valid mbufs owned by this burst.
    pub(crate) unsafe fn commit(&mut self, n: usize) {
        debug_assert!(self.len + n <= N);
        self.len += n;
    }

    /// The held mbufs as DPDK's pointer array, for calls that take them (tx, ring enqueue).
    pub(crate) fn raw(&mut self) -> (*mut *mut ffi::rte_mbuf, usize) {
        (self.ptrs.as_mut_ptr(), self.len)
    }

    /// Records that DPDK took ownership of the first `n` mbufs: the rest move to the front.
    ///
    /// # Safety
    /// DPDK must have taken exactly the first `n` held mbufs.
    pub(crate) unsafe fn consumed(&mut self, n: usize) {
        debug_assert!(n <= self.len);
        self.ptrs.copy_within(n..self.len, 0);
        self.len -= n;
    }

    /// Frees the mbufs in slots `from..len` and truncates the burst to `from`.
    pub(crate) fn free_from(&mut self, from: usize) {
        if from >= self.len {
            return;
        }
        let count = u32::try_from(self.len - from).unwrap_or(u32::MAX);
        // SAFETY: slots from..len hold owned mbufs; after truncation the burst forgets them.
        unsafe { ffi::rte_pktmbuf_free_bulk(self.ptrs.as_mut_ptr().add(from), count) };
        self.len = from;
    }
}

impl<const N: usize> Drop for MbufBurst<'_, N> {
    fn drop(&mut self) {
        self.clear();
    }
}

impl<'a, 'm, const N: usize> IntoIterator for &'a MbufBurst<'m, N> {
    type Item = &'a Mbuf<'m>;
    type IntoIter = std::slice::Iter<'a, Mbuf<'m>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, 'm, const N: usize> IntoIterator for &'a mut MbufBurst<'m, N> {
    type Item = &'a mut Mbuf<'m>;
    type IntoIter = std::slice::IterMut<'a, Mbuf<'m>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<const N: usize> std::fmt::Debug for MbufBurst<'_, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbufBurst")
            .field("len", &self.len)
            .field("capacity", &N)
            .finish()
    }
}
