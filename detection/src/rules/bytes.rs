//! `byte_test`, `byte_jump` and `byte_extract`: fixed leading arguments, then comma-separated
//! options (some with a space-separated argument, e.g. `bitmask 0xf8`, `post_offset -7`).

use super::ast::{ByteExtract, ByteJump, ByteOp, ByteTest, Endian, NumBase};
use super::error::{bad, PResult, ParseError};
use super::num::{parse_i64, parse_u64, parse_value};

/// Options shared by the three keywords.
#[derive(Default)]
struct Common {
    relative: bool,
    endian: Option<Endian>,
    string: bool,
    base: Option<NumBase>,
    bitmask: Option<u64>,
}

impl Common {
    /// Consumes `word [arg]` if it is a shared option; returns whether it was.
    fn take(&mut self, kw: &str, word: &str, arg: Option<&str>) -> PResult<bool> {
        let flag = |set: &mut bool| -> PResult<bool> {
            if arg.is_some() {
                return bad(format!("{kw} option '{word}' takes no argument"));
            }
            *set = true;
            Ok(true)
        };
        match word {
            "relative" => flag(&mut self.relative),
            "string" => flag(&mut self.string),
            "big" | "little" | "hex" | "dec" | "oct" if arg.is_some() => {
                bad(format!("{kw} option '{word}' takes no argument"))
            }
            "big" => set_once(&mut self.endian, Endian::Big, kw, "endianness"),
            "little" => set_once(&mut self.endian, Endian::Little, kw, "endianness"),
            "hex" => set_once(&mut self.base, NumBase::Hex, kw, "number type"),
            "dec" => set_once(&mut self.base, NumBase::Dec, kw, "number type"),
            "oct" => set_once(&mut self.base, NumBase::Oct, kw, "number type"),
            "dce" => Err(ParseError::unsupported(format!("{kw} dce"))),
            "bitmask" => match arg.and_then(parse_u64) {
                Some(m) if self.bitmask.is_none() => {
                    self.bitmask = Some(m);
                    Ok(true)
                }
                _ => bad(format!("{kw} needs one bitmask value")),
            },
            _ => Ok(false),
        }
    }

    /// Resolves encoding and byte order; `string` defaults to decimal, as in Suricata.
    /// Byte counts follow Suricata: up to 8 binary bytes, up to 23 string characters. A count of
    /// 0 is accepted with `string` (ET Open uses it: convert the digits that are there) and,
    /// for byte_jump, in binary form too (the jump is then just the offset).
    fn finish(&self, kw: &str, nbytes: u8, zero_binary: bool) -> PResult<(NumBase, Endian)> {
        let base = match (self.string, self.base) {
            (true, b) => b.unwrap_or(NumBase::Dec),
            (false, None) => NumBase::Binary,
            (false, Some(_)) => return bad(format!("{kw} number type needs 'string'")),
        };
        let (min, max) = if self.string {
            (u8::from(kw == "byte_extract"), 23)
        } else {
            (u8::from(!zero_binary), 8)
        };
        if nbytes < min || nbytes > max {
            return bad(format!(
                "{kw} byte count {nbytes} out of range {min}..={max}"
            ));
        }
        Ok((base, self.endian.unwrap_or(Endian::Big)))
    }
}

/// Sets an option that may appear once.
fn set_once<T>(slot: &mut Option<T>, v: T, kw: &str, what: &str) -> PResult<bool> {
    if slot.is_some() {
        return bad(format!("{kw} has more than one {what}"));
    }
    *slot = Some(v);
    Ok(true)
}

/// Splits `a, b, c` and each option into (word, optional argument).
fn options(parts: &[&str]) -> Vec<(String, Option<String>)> {
    parts
        .iter()
        .map(|p| {
            let p = p.trim();
            match p.split_once(char::is_whitespace) {
                Some((w, a)) => (w.to_ascii_lowercase(), Some(a.trim().to_string())),
                None => (p.to_ascii_lowercase(), None),
            }
        })
        .collect()
}

/// Byte count argument.
fn nbytes(text: &str, kw: &str) -> PResult<u8> {
    match parse_u64(text).and_then(|v| u8::try_from(v).ok()) {
        Some(n) => Ok(n),
        None => bad(format!("invalid {kw} byte count '{}'", text.trim())),
    }
}

/// `multiplier <n>`, 1..=65535 as in Suricata.
fn multiplier(arg: Option<&str>, kw: &str) -> PResult<u32> {
    match arg.and_then(parse_u64) {
        Some(m) if (1..=65535).contains(&m) => Ok(m as u32),
        _ => bad(format!("{kw} multiplier must be 1..=65535")),
    }
}

/// Splits the value into its comma-separated parts, requiring at least `fixed`.
fn split<'a>(value: &'a str, fixed: usize, kw: &str) -> PResult<Vec<&'a str>> {
    let parts: Vec<&str> = value.split(',').collect();
    if parts.len() < fixed {
        return bad(format!("{kw} needs at least {fixed} arguments"));
    }
    Ok(parts)
}

/// `byte_test:<bytes>,[!]<op>,<value>,<offset>[,relative][,<endian>][,string,<num type>]
/// [,dce][,bitmask <v>]`.
pub fn parse_byte_test(value: &str, extracted: &[String]) -> PResult<ByteTest> {
    const KW: &str = "byte_test";
    let parts = split(value, 4, KW)?;
    let n = nbytes(parts[0], KW)?;
    let (negated, op) = parse_op(parts[1].trim())?;
    let test_value = parse_value(parts[2], extracted, "byte_test value")?;
    let offset = parse_value(parts[3], extracted, "byte_test offset")?;
    let mut common = Common::default();
    for (word, arg) in options(&parts[4..]) {
        if !common.take(KW, &word, arg.as_deref())? {
            return bad(format!("unknown byte_test option '{word}'"));
        }
    }
    let (base, endian) = common.finish(KW, n, false)?;
    Ok(ByteTest {
        nbytes: n,
        negated,
        op,
        value: test_value,
        offset,
        relative: common.relative,
        base,
        endian,
        bitmask: common.bitmask,
    })
}

/// The operator of byte_test, with its optional `!` (`!=` is a negated `=`, a lone `!` too).
fn parse_op(text: &str) -> PResult<(bool, ByteOp)> {
    let (negated, op) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let op = match op {
        "<" => ByteOp::Lt,
        ">" => ByteOp::Gt,
        "=" => ByteOp::Eq,
        "" if negated => ByteOp::Eq,
        "<=" => ByteOp::Le,
        ">=" => ByteOp::Ge,
        "&" => ByteOp::And,
        "^" => ByteOp::Xor,
        _ => return bad(format!("invalid byte_test operator '{text}'")),
    };
    Ok((negated, op))
}

/// `byte_jump:<bytes>,<offset>[,relative][,multiplier <n>][,<endian>][,string][,hex|dec|oct]
/// [,align][,from_beginning][,from_end][,post_offset <n>][,dce][,bitmask <v>]`.
///
/// A byte count of 0 is accepted (Suricata does: the jump is then just the offset).
pub fn parse_byte_jump(value: &str, extracted: &[String]) -> PResult<ByteJump> {
    const KW: &str = "byte_jump";
    let parts = split(value, 2, KW)?;
    let n = nbytes(parts[0], KW)?;
    let offset = parse_value(parts[1], extracted, "byte_jump offset")?;
    let mut common = Common::default();
    let mut jump = ByteJump::new(n, offset);
    for (word, arg) in options(&parts[2..]) {
        if common.take(KW, &word, arg.as_deref())? {
            continue;
        }
        match (word.as_str(), arg.as_deref()) {
            ("multiplier", a) => jump.multiplier = multiplier(a, KW)?,
            ("align", None) => jump.align = true,
            ("from_beginning", None) => jump.from_beginning = true,
            ("from_end", None) => jump.from_end = true,
            ("post_offset", Some(a)) => match parse_i64(a) {
                Some(v) => jump.post_offset = v,
                None => return bad(format!("invalid byte_jump post_offset '{a}'")),
            },
            _ => return bad(format!("unknown byte_jump option '{word}'")),
        }
    }
    if jump.from_beginning && jump.from_end {
        return bad("byte_jump from_beginning and from_end are exclusive");
    }
    (jump.base, jump.endian) = common.finish(KW, n, true)?;
    jump.relative = common.relative;
    jump.bitmask = common.bitmask;
    Ok(jump)
}

/// `byte_extract:<bytes>,<offset>,<name>[,relative][,multiplier <n>][,<endian>]
/// [,string[,<num type>]][,align <2|4>][,dce][,bitmask <v>]`.
pub fn parse_byte_extract(value: &str, extracted: &[String]) -> PResult<ByteExtract> {
    const KW: &str = "byte_extract";
    let parts = split(value, 3, KW)?;
    let n = nbytes(parts[0], KW)?;
    let Some(offset) = parse_i64(parts[1]) else {
        return bad(format!("invalid byte_extract offset '{}'", parts[1].trim()));
    };
    let name = parts[2].trim();
    let valid_name = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_name {
        return bad(format!("invalid byte_extract variable name '{name}'"));
    }
    if extracted.iter().any(|e| e == name) {
        return bad(format!("byte_extract variable '{name}' defined twice"));
    }
    let mut common = Common::default();
    let mut multiplier_value = 1;
    let mut align = 0;
    for (word, arg) in options(&parts[3..]) {
        if common.take(KW, &word, arg.as_deref())? {
            continue;
        }
        match (word.as_str(), arg.as_deref()) {
            ("multiplier", a) => multiplier_value = multiplier(a, KW)?,
            ("align", Some("2")) => align = 2,
            ("align", Some("4")) => align = 4,
            ("align", _) => return bad("byte_extract align must be 2 or 4"),
            _ => return bad(format!("unknown byte_extract option '{word}'")),
        }
    }
    let (base, endian) = common.finish(KW, n, false)?;
    Ok(ByteExtract {
        nbytes: n,
        offset,
        name: name.to_string(),
        relative: common.relative,
        base,
        endian,
        multiplier: multiplier_value,
        align,
        bitmask: common.bitmask,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::Value;

    fn none() -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn byte_test_forms() {
        assert_eq!(
            parse_byte_test("1,=,0x9,0, bitmask 0xf8", &none()).unwrap(),
            ByteTest {
                nbytes: 1,
                negated: false,
                op: ByteOp::Eq,
                value: Value::Lit(9),
                offset: Value::Lit(0),
                relative: false,
                base: NumBase::Binary,
                endian: Endian::Big,
                bitmask: Some(0xf8),
            }
        );
        let t = parse_byte_test("4, !>, 1000, -20, relative, little", &none()).unwrap();
        assert!(t.negated && t.relative);
        assert_eq!(
            (t.op, t.offset, t.endian),
            (ByteOp::Gt, Value::Lit(-20), Endian::Little)
        );
        let t = parse_byte_test("1,!=,0x48,0", &none()).unwrap();
        assert_eq!((t.negated, t.op), (true, ByteOp::Eq));
        let t = parse_byte_test("10,<=,len,0,string,hex", &["len".into()]).unwrap();
        assert_eq!(
            (t.base, t.value, t.op),
            (NumBase::Hex, Value::Var("len".into()), ByteOp::Le)
        );
        assert_eq!(
            parse_byte_test("3,&,1,0,string", &none()).unwrap().base,
            NumBase::Dec
        );
        assert_eq!(
            parse_byte_test("0,=,0,0,string,dec", &none())
                .unwrap()
                .nbytes,
            0
        );
        assert_eq!(
            parse_byte_test("23,=,0,0,string,oct", &none())
                .unwrap()
                .nbytes,
            23
        );
        assert_eq!(parse_byte_test("2,^,1,0", &none()).unwrap().op, ByteOp::Xor);
    }

    #[test]
    fn byte_test_errors() {
        let e = |s| parse_byte_test(s, &none()).unwrap_err();
        assert_eq!(
            e("1,=,1"),
            ParseError::malformed("byte_test needs at least 4 arguments")
        );
        assert_eq!(
            e("0,=,1,0"),
            ParseError::malformed("byte_test byte count 0 out of range 1..=8")
        );
        assert_eq!(
            e("24,=,1,0,string"),
            ParseError::malformed("byte_test byte count 24 out of range 0..=23")
        );
        assert_eq!(
            e("9,=,1,0"),
            ParseError::malformed("byte_test byte count 9 out of range 1..=8")
        );
        assert_eq!(
            e("1,=,1,0,string,dec,big,little"),
            ParseError::malformed("byte_test has more than one endianness")
        );
        assert_eq!(
            e("1,=>,1,0"),
            ParseError::malformed("invalid byte_test operator '=>'")
        );
        assert_eq!(
            e("1,=,1,0,hex"),
            ParseError::malformed("byte_test number type needs 'string'")
        );
        assert_eq!(e("1,=,1,0,dce"), ParseError::unsupported("byte_test dce"));
        assert_eq!(
            e("1,=,1,0,wat"),
            ParseError::malformed("unknown byte_test option 'wat'")
        );
        assert_eq!(
            e("1,=,x,0"),
            ParseError::malformed("byte_test value uses undefined byte_extract variable 'x'")
        );
    }

    #[test]
    fn byte_jump_forms() {
        assert_eq!(
            parse_byte_jump("0,0,relative,post_offset -7", &none()).unwrap(),
            ByteJump {
                nbytes: 0,
                offset: Value::Lit(0),
                relative: true,
                base: NumBase::Binary,
                endian: Endian::Big,
                multiplier: 1,
                align: false,
                from_beginning: false,
                from_end: false,
                post_offset: -7,
                bitmask: None,
            }
        );
        let j = parse_byte_jump(
            "4,12,relative,little,multiplier 2,align,from_beginning,bitmask 0x0fff",
            &none(),
        )
        .unwrap();
        assert_eq!(
            (j.endian, j.multiplier, j.align, j.from_beginning, j.bitmask),
            (Endian::Little, 2, true, true, Some(0x0fff))
        );
        let j = parse_byte_jump("2,0,string,oct,from_end", &none()).unwrap();
        assert_eq!((j.base, j.from_end), (NumBase::Oct, true));
        assert_eq!(
            parse_byte_jump("2,0,from_end,from_beginning", &none()).unwrap_err(),
            ParseError::malformed("byte_jump from_beginning and from_end are exclusive")
        );
        assert_eq!(
            parse_byte_jump("2,0,multiplier 0", &none()).unwrap_err(),
            ParseError::malformed("byte_jump multiplier must be 1..=65535")
        );
    }

    #[test]
    fn byte_extract_forms() {
        assert_eq!(
            parse_byte_extract("2,0,two1,string,dec", &none()).unwrap(),
            ByteExtract {
                nbytes: 2,
                offset: 0,
                name: "two1".into(),
                relative: false,
                base: NumBase::Dec,
                endian: Endian::Big,
                multiplier: 1,
                align: 0,
                bitmask: None,
            }
        );
        let x = parse_byte_extract("2,1,v,relative,multiplier 6,little,align 2", &none()).unwrap();
        assert_eq!(
            (x.relative, x.multiplier, x.endian, x.align, x.base),
            (true, 6, Endian::Little, 2, NumBase::Binary)
        );
        let e = |s, v: &[String]| parse_byte_extract(s, v).unwrap_err();
        assert_eq!(
            e("1,0,v", &["v".into()]),
            ParseError::malformed("byte_extract variable 'v' defined twice")
        );
        assert_eq!(
            e("1,0,1v", &[]),
            ParseError::malformed("invalid byte_extract variable name '1v'")
        );
        assert_eq!(
            e("1,0,v,align 3", &[]),
            ParseError::malformed("byte_extract align must be 2 or 4")
        );
        assert_eq!(
            e("1,x,v", &[]),
            ParseError::malformed("invalid byte_extract offset 'x'")
        );
        assert_eq!(
            e("0,0,v", &[]),
            ParseError::malformed("byte_extract byte count 0 out of range 1..=8")
        );
    }
}
