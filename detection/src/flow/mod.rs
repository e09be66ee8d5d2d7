//! Bidirectional flows keyed by 5-tuple, TCP connection state, timeouts and memcap.
