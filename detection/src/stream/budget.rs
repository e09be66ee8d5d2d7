//! The reassembly memory budget shared by every reassembler of one worker.

/// Bytes buffered by all reassemblers of a worker against `stream.reassembly.memcap`.
///
/// Reassemblers borrow it for each call rather than owning a share, so there is no `Drop`
/// bookkeeping: a reassembler gives its bytes back with `Reassembler::release`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemBudget {
    used: u64,
    limit: u64,
}

impl MemBudget {
    /// A budget of `limit` bytes, none used.
    pub fn new(limit: u64) -> Self {
        MemBudget { used: 0, limit }
    }

    /// Takes `bytes` from the budget if they fit; false (and nothing taken) otherwise.
    pub fn try_reserve(&mut self, bytes: u64) -> bool {
        match self.used.checked_add(bytes) {
            Some(total) if total <= self.limit => {
                self.used = total;
                true
            }
            _ => false,
        }
    }

    /// Gives `bytes` back.
    pub fn release(&mut self, bytes: u64) {
        self.used = self.used.saturating_sub(bytes);
    }

    /// Bytes currently taken.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The memcap.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_and_release() {
        let mut b = MemBudget::new(10);
        assert!(b.try_reserve(6));
        assert!(!b.try_reserve(5));
        assert_eq!(b.used(), 6);
        assert!(b.try_reserve(4));
        assert!(!b.try_reserve(u64::MAX));
        b.release(7);
        assert_eq!(b.used(), 3);
        b.release(100);
        assert_eq!(b.used(), 0);
        assert_eq!(b.limit(), 10);
    }
}
