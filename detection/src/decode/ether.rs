//! EtherType dispatch: peels 802.1Q / 802.1ad / QinQ tags, then hands IPv4 or IPv6 on.
//!
//! Tags are walked one at a time with `etherparse::SingleVlanSlice` (etherparse's own packet
//! slicer stops after two tags); beyond two the extra tags raise `VlanTooManyLayers` and are
//! skipped so the IP layer is still decoded. Suricata stops at the third tag instead; we keep
//! decoding so a third tag cannot hide a payload from inspection.

use etherparse::{ether_type, EtherType, SingleVlanSlice};

use super::{ip, DecodeEvent, DecodeOptions, Packet};

/// Decodes `data` (starting at `offset` in the frame) as the payload of EtherType `et`.
pub(super) fn decode_ether_type<'a>(
    mut et: EtherType,
    mut data: &'a [u8],
    mut offset: usize,
    opts: &DecodeOptions,
    pkt: &mut Packet<'a>,
) {
    while is_vlan(et) {
        let Ok(tag) = SingleVlanSlice::from_slice(data) else {
            pkt.ether_type = et.0;
            pkt.events.insert(DecodeEvent::VlanTruncated);
            return;
        };
        match pkt.vlan.get_mut(usize::from(pkt.vlan_count)) {
            Some(slot) => {
                *slot = tag.vlan_identifier().value();
                pkt.vlan_count += 1;
            }
            None => pkt.events.insert(DecodeEvent::VlanTooManyLayers),
        }
        et = tag.ether_type();
        offset += tag.header_len();
        data = tag.payload_slice();
    }
    pkt.ether_type = et.0;
    match et {
        ether_type::IPV4 => ip::decode_ip(Some(4), data, offset, opts, pkt),
        ether_type::IPV6 => ip::decode_ip(Some(6), data, offset, opts, pkt),
        _ => {}
    }
}

/// Whether `et` announces a VLAN tag (802.1Q, 802.1ad, or the legacy QinQ 0x9100).
fn is_vlan(et: EtherType) -> bool {
    matches!(
        et,
        ether_type::VLAN_TAGGED_FRAME
            | ether_type::PROVIDER_BRIDGING
            | ether_type::VLAN_DOUBLE_TAGGED_FRAME
    )
}
