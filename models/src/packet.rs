//! The extractor's input: one packet reduced to the fields features are computed from, so the
//! models crate needs nothing from the decoder and the trainer and data plane fill it alike.

use std::net::IpAddr;

/// TCP flag bits as they appear in the TCP header's flag byte.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
}

/// One packet of a flow, as the extractor sees it.
#[derive(Debug, Clone, Copy)]
pub struct PacketInfo<'a> {
    /// Packet time, microseconds since the Unix epoch.
    pub ts_us: u64,
    /// Whether the packet travels from the flow's client (its opener) to the server.
    pub to_server: bool,
    /// Frame length in bytes (as counted in the flow's byte counters).
    pub frame_len: u32,
    /// Application payload (only a bounded prefix of it is ever read).
    pub payload: &'a [u8],
    /// TCP flag byte, `None` for other protocols.
    pub tcp_flags: Option<u8>,
    /// IP protocol number.
    pub proto: u8,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port (0 without ports).
    pub src_port: u16,
    /// Destination port (0 without ports).
    pub dst_port: u16,
}
