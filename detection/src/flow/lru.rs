//! Intrusive least-recently-seen lists over flow slot indices, one list per timeout class.
//!
//! Every packet moves its flow to the back of its class list, so within one list the front is
//! the flow idle the longest. All flows of a list share one timeout, so expiry only ever looks
//! at list fronts, and the globally least recently seen flow is the oldest of the fronts:
//! both are O(1) per flow, with no scan of the table.

/// Marks the absence of a neighbour.
const NIL: u32 = u32::MAX;

/// Number of timeout classes: four protocol groups times three flow phases.
pub(super) const CLASSES: usize = 12;

#[derive(Debug, Clone, Copy)]
struct Link {
    prev: u32,
    next: u32,
    class: u8,
}

#[derive(Debug, Clone, Copy)]
struct Ends {
    head: u32,
    tail: u32,
}

const EMPTY: Ends = Ends {
    head: NIL,
    tail: NIL,
};

/// The per-class lists; slot `i` of the flow table is linked through `links[i]`.
#[derive(Debug)]
pub(super) struct LruLists {
    links: Vec<Link>,
    ends: [Ends; CLASSES],
}

impl LruLists {
    /// Empty lists.
    pub(super) fn new() -> Self {
        LruLists {
            links: Vec::new(),
            ends: [EMPTY; CLASSES],
        }
    }

    /// Appends unlinked slot `idx` at the back (most recent end) of list `class`.
    pub(super) fn push_back(&mut self, idx: u32, class: usize) {
        let i = idx as usize;
        if self.links.len() <= i {
            self.links.resize(
                i + 1,
                Link {
                    prev: NIL,
                    next: NIL,
                    class: 0,
                },
            );
        }
        let tail = self.ends[class].tail;
        self.links[i] = Link {
            prev: tail,
            next: NIL,
            class: class as u8,
        };
        match self.links.get_mut(tail as usize) {
            Some(t) => t.next = idx,
            None => self.ends[class].head = idx,
        }
        self.ends[class].tail = idx;
    }

    /// Removes linked slot `idx` from its list.
    pub(super) fn unlink(&mut self, idx: u32) {
        let Some(link) = self.links.get(idx as usize).copied() else {
            return;
        };
        let ends = &mut self.ends[usize::from(link.class)];
        match self.links.get_mut(link.prev as usize) {
            Some(p) => p.next = link.next,
            None => ends.head = link.next,
        }
        match self.links.get_mut(link.next as usize) {
            Some(n) => n.prev = link.prev,
            None => ends.tail = link.prev,
        }
    }

    /// Marks `idx` as just seen, in (possibly new) list `class`.
    pub(super) fn touch(&mut self, idx: u32, class: usize) {
        self.unlink(idx);
        self.push_back(idx, class);
    }

    /// The least recently seen slot of list `class`.
    pub(super) fn front(&self, class: usize) -> Option<u32> {
        let head = self.ends[class].head;
        (head != NIL).then_some(head)
    }

    /// Forgets every list.
    pub(super) fn clear(&mut self) {
        self.links.clear();
        self.ends = [EMPTY; CLASSES];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(l: &LruLists, class: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = l.ends[class].head;
        while cur != NIL {
            out.push(cur);
            cur = l.links[cur as usize].next;
        }
        out
    }

    #[test]
    fn touch_moves_to_back_and_between_lists() {
        let mut l = LruLists::new();
        for i in 0..4 {
            l.push_back(i, 0);
        }
        assert_eq!(order(&l, 0), vec![0, 1, 2, 3]);
        l.touch(0, 0);
        assert_eq!(order(&l, 0), vec![1, 2, 3, 0]);
        l.touch(2, 5);
        assert_eq!(order(&l, 0), vec![1, 3, 0]);
        assert_eq!(order(&l, 5), vec![2]);
        assert_eq!(l.front(0), Some(1));
        l.unlink(1);
        l.unlink(0);
        assert_eq!(order(&l, 0), vec![3]);
        assert_eq!(l.ends[0].tail, 3);
        l.unlink(2);
        assert_eq!(l.front(5), None);
        l.clear();
        assert_eq!(l.front(0), None);
    }
}
