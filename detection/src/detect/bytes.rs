//! Reading numbers out of the buffer for `byte_test`, `byte_jump` and `byte_extract`.

use crate::rules::ast::{Endian, NumBase};

/// Reads a number from `field` (exactly the `nbytes` bytes the keyword names).
///
/// Binary: big or little endian, up to 8 bytes (zero bytes read as 0, for
/// `byte_jump:0,0,from_end`). Strings follow C `strtoull` as Suricata uses
/// it: leading whitespace and a sign are accepted, hex may carry `0x`, parsing stops at the
/// first non-digit and at least one digit is required. Returns the value and the number of
/// bytes consumed (`nbytes` for binary, the parsed length for strings); `None` when there is
/// no number or it overflows 64 bits.
pub(crate) fn read_number(field: &[u8], base: NumBase, endian: Endian) -> Option<(u64, usize)> {
    let radix = match base {
        NumBase::Binary => {
            if field.len() > 8 {
                return None;
            }
            let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
            let v = match endian {
                Endian::Big => field.iter().fold(0, fold),
                Endian::Little => field.iter().rev().fold(0, fold),
            };
            return Some((v, field.len()));
        }
        NumBase::Dec => 10,
        NumBase::Hex => 16,
        NumBase::Oct => 8,
    };
    let mut i = 0;
    while field.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let negative = match field.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digit = |b: u8| (b as char).to_digit(radix).map(u64::from);
    if radix == 16
        && field.get(i) == Some(&b'0')
        && matches!(field.get(i + 1), Some(b'x' | b'X'))
        && field.get(i + 2).copied().and_then(digit).is_some()
    {
        i += 2;
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(d) = field.get(i).copied().and_then(digit) {
        v = v.checked_mul(u64::from(radix))?.checked_add(d)?;
        i += 1;
    }
    if i == start {
        return None;
    }
    Some((if negative { v.wrapping_neg() } else { v }, i))
}

/// Applies a `bitmask`: keep the masked bits and shift them down to bit 0, as Suricata does.
pub(crate) fn apply_bitmask(v: u64, mask: Option<u64>) -> u64 {
    match mask {
        Some(m) if m != 0 => (v & m) >> m.trailing_zeros(),
        Some(_) => 0,
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_endianness() {
        assert_eq!(
            read_number(&[0x01, 0x02], NumBase::Binary, Endian::Big),
            Some((0x0102, 2))
        );
        assert_eq!(
            read_number(&[0x01, 0x02], NumBase::Binary, Endian::Little),
            Some((0x0201, 2))
        );
        assert_eq!(
            read_number(&[0xff; 8], NumBase::Binary, Endian::Big),
            Some((u64::MAX, 8))
        );
        assert_eq!(read_number(&[0; 9], NumBase::Binary, Endian::Big), None);
    }

    #[test]
    fn strings_like_strtoull() {
        assert_eq!(
            read_number(b"123", NumBase::Dec, Endian::Big),
            Some((123, 3))
        );
        assert_eq!(
            read_number(b"12a", NumBase::Dec, Endian::Big),
            Some((12, 2))
        );
        assert_eq!(read_number(b" 7", NumBase::Dec, Endian::Big), Some((7, 2)));
        assert_eq!(
            read_number(b"ff", NumBase::Hex, Endian::Big),
            Some((255, 2))
        );
        assert_eq!(
            read_number(b"0x1F", NumBase::Hex, Endian::Big),
            Some((31, 4))
        );
        assert_eq!(read_number(b"0xg", NumBase::Hex, Endian::Big), Some((0, 1)));
        assert_eq!(
            read_number(b"017", NumBase::Oct, Endian::Big),
            Some((15, 3))
        );
        assert_eq!(read_number(b"8", NumBase::Oct, Endian::Big), None);
        assert_eq!(read_number(b"abc", NumBase::Dec, Endian::Big), None);
        assert_eq!(
            read_number(b"99999999999999999999", NumBase::Dec, Endian::Big),
            None
        );
        assert_eq!(
            read_number(b"-1", NumBase::Dec, Endian::Big),
            Some((u64::MAX, 2))
        );
    }

    #[test]
    fn bitmask_shifts_down() {
        assert_eq!(apply_bitmask(0x48, Some(0xf8)), 0x9);
        assert_eq!(apply_bitmask(0x4854, Some(0xf8f8)), 0x90a);
        assert_eq!(apply_bitmask(0x48, None), 0x48);
        assert_eq!(apply_bitmask(0x48, Some(0)), 0);
    }
}
