//! Decoding: one checked, zero-copy view of a frame (L2 → L3 → L4 → payload) built on
//! `etherparse`'s lax slicing, plus decoder events for everything malformed. Never panics.
//!
//! The rest of the engine sees only [`Packet`]; nothing downstream parses headers again.

pub mod checksum;
mod ether;
mod events;
mod icmp;
mod ip;
mod ipv4_options;
mod ipv6_exts;
mod link;
mod packet;
mod tcp_options;
mod transport;

#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod tests;

pub use events::{DecodeEvent, DecodeEvents};
pub use packet::{
    decode, DecodeOptions, IcmpHeader, IpHeader, LinkType, Packet, TcpHeader, Transport, UdpHeader,
};

/// TCP flag bits as they sit in the 13th byte of the TCP header.
pub mod tcp_flags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push function.
    pub const PSH: u8 = 0x08;
    /// Acknowledgment field significant.
    pub const ACK: u8 = 0x10;
    /// Urgent pointer field significant.
    pub const URG: u8 = 0x20;
    /// ECN-Echo.
    pub const ECE: u8 = 0x40;
    /// Congestion Window Reduced.
    pub const CWR: u8 = 0x80;
}
