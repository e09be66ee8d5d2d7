use super::*;
use crate::detect::testutil::*;
use crate::rules::ast::{ByteExtract, ByteJump, ByteOp, ByteTest, NumBase, PayloadMatch, Pcre};

fn eval_at(items: Vec<PayloadMatch>, data: &[u8], base: u64, new_from: Option<usize>) -> bool {
    let p = Payload::compile(&items).expect("compiles");
    let mut vars = vec![0u64; p.var_count()];
    p.matches(
        Buffer {
            data,
            base,
            new_from,
        },
        &mut vars,
    )
}

fn eval(items: Vec<PayloadMatch>, data: &[u8]) -> bool {
    eval_at(items, data, 0, None)
}

#[test]
fn offset_and_depth_are_absolute() {
    let r = |o, d| vec![content(b"def").offset(lit(o)).depth(lit(d)).into()];
    assert!(eval(r(3, 3), b"abcdefghi"));
    assert!(!eval(r(4, 3), b"abcdefghi"));
    assert!(!eval(r(0, 5), b"abcdefghi"));
    assert!(eval(r(0, 6), b"abcdefghi"));
    assert!(!eval(r(20, 3), b"abcdefghi"));
}

#[test]
fn distance_within_backtracks() {
    let r = || {
        vec![
            content(b"a").into(),
            content(b"b").distance(lit(0)).within(lit(1)).into(),
        ]
    };
    assert!(eval(r(), b"axxab"));
    assert!(!eval(r(), b"axxa"));
    assert!(!eval(r(), b"axb"));
    // Negative distance reaches back before the previous match.
    let back = vec![
        content(b"cd").into(),
        content(b"b").distance(lit(-3)).within(lit(2)).into(),
    ];
    assert!(eval(back.clone(), b"abcd"));
    assert!(!eval(back, b"bacd"));
    // Distance alone: at least n bytes after the previous match.
    let dist = vec![content(b"x").into(), content(b"y").distance(lit(2)).into()];
    assert!(eval(dist.clone(), b"x12y"));
    assert!(!eval(dist, b"x1y"));
}

#[test]
fn nocase_content() {
    assert!(eval(vec![content(b"get").nocase().into()], b"xGeT"));
    assert!(!eval(vec![content(b"get").into()], b"xGeT"));
}

#[test]
fn negated_content() {
    assert!(!eval(vec![content(b"evil").negated().into()], b"so evil"));
    assert!(eval(vec![content(b"evil").negated().into()], b"so good"));
    let r = || {
        vec![
            content(b"a").into(),
            content(b"b")
                .negated()
                .distance(lit(0))
                .within(lit(1))
                .into(),
        ]
    };
    assert!(!eval(r(), b"ab"));
    assert!(eval(r(), b"ac"));
    // The first 'a' is followed by 'b', the second is not: backtracking finds it.
    assert!(eval(r(), b"abac"));
    // A negated content with depth only looks inside its window.
    assert!(eval(
        vec![content(b"x").negated().depth(lit(2)).into()],
        b"abx"
    ));
}

#[test]
fn startswith_endswith() {
    assert!(eval(vec![content(b"GET").startswith().into()], b"GET /"));
    assert!(!eval(vec![content(b"GET").startswith().into()], b" GET /"));
    assert!(eval(vec![content(b"\r\n").endswith().into()], b"x\r\n"));
    assert!(!eval(vec![content(b"\r\n").endswith().into()], b"\r\nx"));
    assert!(eval(vec![content(b"ab").endswith().into()], b"abab"));
    assert!(!eval(
        vec![content(b"ab").negated().endswith().into()],
        b"abab"
    ));
    assert!(eval(
        vec![content(b"ab").negated().endswith().into()],
        b"abx"
    ));
    let both = vec![content(b"abc").startswith().endswith().into()];
    assert!(eval(both.clone(), b"abc"));
    assert!(!eval(both, b"abcabc"));
}

#[test]
fn isdataat_absolute_and_relative() {
    assert!(eval(vec![isdataat(4, false, false)], b"12345"));
    assert!(!eval(vec![isdataat(5, false, false)], b"12345"));
    assert!(eval(vec![isdataat(5, true, false)], b"12345"));
    let rel = |n, neg| vec![content(b"ab").into(), isdataat(n, neg, true)];
    assert!(eval(rel(2, false), b"abcd"));
    assert!(!eval(rel(3, false), b"abcd"));
    assert!(eval(rel(3, true), b"abcd"));
    // `isdataat:!1,relative` = the content is at the very end; the second 'ab' is.
    assert!(eval(rel(1, true), b"abxab"));
}

#[test]
fn byte_test_examples_from_suricata_docs() {
    let data = b"\x00\x01\x00\x02\xaa\xbb\x00\x03\x00\x00\x10\x00\x00\x00\x00\x01\x00\x01";
    let c = || PayloadMatch::from(content(b"\x00\x01\x00\x02"));
    let bt = |t: ByteTest| PayloadMatch::ByteTest(t);
    // byte_test:2,=,0x01,0
    assert!(eval(vec![c(), bt(byte_test(2, ByteOp::Eq, 1, 0))], data));
    // byte_test:2,=,0x03,2,relative
    let mut t = byte_test(2, ByteOp::Eq, 3, 2);
    t.relative = true;
    assert!(eval(vec![c(), bt(t.clone())], data));
    t.value = Value::Lit(4);
    assert!(!eval(vec![c(), bt(t)], data));
    // byte_test:2,!=,0x06,0
    let mut ne = byte_test(2, ByteOp::Eq, 6, 0);
    ne.negated = true;
    assert!(eval(vec![c(), bt(ne)], data));
    // byte_test:2,>,1000,1,relative   (bytes 5..7 = 0xbb00)
    let mut gt = byte_test(2, ByteOp::Gt, 1000, 1);
    gt.relative = true;
    assert!(eval(vec![c(), bt(gt)], data));
    // byte_test:2,&,0x01,12,relative  (bytes 16..18 = 0x0001)
    let mut and = byte_test(2, ByteOp::And, 1, 12);
    and.relative = true;
    assert!(eval(vec![c(), bt(and.clone())], data));
    and.offset = Value::Lit(11);
    assert!(!eval(vec![c(), bt(and)], data));
    // byte_test:4,=,1337,1,relative,string,dec
    let mut s = byte_test(4, ByteOp::Eq, 1337, 1);
    s.relative = true;
    s.base = NumBase::Dec;
    assert!(eval(
        vec![content(b"foobar").into(), bt(s.clone())],
        b"foobar 1337"
    ));
    assert!(!eval(
        vec![content(b"foobar").into(), bt(s)],
        b"foobar 1338"
    ));
    // Reading past the end does not match.
    assert!(!eval(vec![bt(byte_test(4, ByteOp::Ge, 0, 0))], b"abc"));
    // <= and >= and ^
    assert!(eval(vec![bt(byte_test(1, ByteOp::Le, 5, 0))], b"\x05"));
    assert!(!eval(vec![bt(byte_test(1, ByteOp::Ge, 6, 0))], b"\x05"));
    assert!(eval(vec![bt(byte_test(1, ByteOp::Xor, 4, 0))], b"\x05"));
    assert!(!eval(vec![bt(byte_test(1, ByteOp::Xor, 5, 0))], b"\x05"));
}

#[test]
fn byte_test_bitmask_from_suricata_verify() {
    // detect-bytetest-01: 'H' = 0x48, bitmask 0xf8 -> 0x09.
    let mut t = byte_test(1, ByteOp::Eq, 9, 0);
    t.bitmask = Some(0xf8);
    assert!(eval(vec![PayloadMatch::ByteTest(t)], b"HTTP"));
    let mut t2 = byte_test(2, ByteOp::Eq, 0x90a, 0);
    t2.bitmask = Some(0xf8f8);
    assert!(eval(vec![PayloadMatch::ByteTest(t2)], b"HTTP"));
}

#[test]
fn byte_jump_examples_from_suricata_docs() {
    let bj = |j: ByteJump| PayloadMatch::ByteJump(j);
    // byte_jump:2,0; byte_jump:2,0,relative; content:"foobar"; distance:0; within:6;
    let mut rel = byte_jump(2, 0);
    rel.relative = true;
    let multi = vec![
        bj(byte_jump(2, 0)),
        bj(rel),
        content(b"foobar").distance(lit(0)).within(lit(6)).into(),
    ];
    assert!(eval(multi.clone(), b"\x00\x02ab\x00\x03xyzfoobar"));
    assert!(!eval(multi, b"\x00\x02ab\x00\x04xyzfoobar"));
    // byte_jump:0,0,from_end,post_offset -8; content:"|6c 33 33 74|"; distance:0; within:4;
    let mut end = byte_jump(0, 0);
    end.from_end = true;
    end.post_offset = -8;
    let from_end = vec![
        bj(end),
        content(b"l33t").distance(lit(0)).within(lit(4)).into(),
    ];
    assert!(eval(from_end.clone(), b"xxxxxxxxl33txxxx"));
    assert!(!eval(from_end, b"xxxxxxxxxl33txxx"));
    // multiplier, align, post_offset, from_beginning
    let mut m = byte_jump(1, 0);
    m.multiplier = 2;
    m.align = true;
    m.post_offset = 1;
    // 3 * 2 = 6 -> aligned 8, + 1 = 9, from 0 + 1 byte read = 10.
    let at10 = |j| vec![bj(j), content(b"Z").distance(lit(0)).within(lit(1)).into()];
    assert!(eval(at10(m.clone()), b"\x03123456789Z"));
    assert!(!eval(at10(m), b"\x0312345678Z9"));
    let mut b = byte_jump(1, 1);
    b.from_beginning = true;
    assert!(eval(at10(b.clone()), b"_\x0a12345678Z"));
    // Jumping to or past the end does not match.
    assert!(!eval(vec![bj(b)], b"_\x0a"));
    // String base.
    let mut s = byte_jump(2, 0);
    s.base = NumBase::Hex;
    assert!(eval(at10(s), b"0812345678Z"));
}

#[test]
fn byte_extract_examples_from_suricata_docs() {
    let be = |e: ByteExtract| PayloadMatch::ByteExtract(e);
    // content:"Alice"; byte_extract:2,0,size; content:"Bob"; distance:size; within:3;
    let dist = vec![
        content(b"Alice").into(),
        be(byte_extract(2, 0, "size")),
        content(b"Bob").distance(var("size")).within(lit(3)).into(),
    ];
    assert!(eval(dist.clone(), b"\x00\x05AliceBob"));
    assert!(!eval(dist, b"\x00\x04AliceBob"));
    // content:"|00 FF|"; byte_extract:1,0,len,relative; content:"|5c 00|"; distance:2; within:len;
    let mut len = byte_extract(1, 0, "len");
    len.relative = true;
    let within = |l: ByteExtract| {
        vec![
            content(b"\x00\xff").into(),
            be(l),
            content(b"\x5c\x00")
                .distance(lit(2))
                .within(var("len"))
                .into(),
        ]
    };
    assert!(eval(within(len.clone()), b"\x00\xff\x06ab\x5c\x00xx"));
    assert!(!eval(within(len), b"\x00\xff\x01ab\x5c\x00xx"));
    // content:"|00 FF|"; byte_extract:2,0,cmp_ver,relative; content:"FooBar"; distance:0;
    // byte_test:2,=,cmp_ver,0;
    let mut ver = byte_extract(2, 0, "cmp_ver");
    ver.relative = true;
    let mut cmp = byte_test(2, ByteOp::Eq, 0, 0);
    cmp.value = Value::Var("cmp_ver".into());
    let r = vec![
        content(b"\x00\xff").into(),
        be(ver),
        content(b"FooBar").distance(lit(0)).into(),
        PayloadMatch::ByteTest(cmp),
    ];
    assert!(eval(r.clone(), b"\x00\x07\x00\xff\x00\x07FooBar"));
    assert!(!eval(r, b"\x00\x08\x00\xff\x00\x07FooBar"));
}

#[test]
fn byte_extract_options_and_offset_variables() {
    // byte-extract-01 rule 9: byte_extract:1,4,hexten; byte_extract:1,0,decone,string,dec;
    // content:"|66|"; offset:hexten; depth:decone;
    let mut one = byte_extract(1, 0, "decone");
    one.base = NumBase::Dec;
    let r = vec![
        PayloadMatch::ByteExtract(byte_extract(1, 4, "hexten")),
        PayloadMatch::ByteExtract(one),
        content(b"f")
            .offset(var("hexten"))
            .depth(var("decone"))
            .into(),
    ];
    assert!(eval(r.clone(), b"1xxx\x0a_____f"));
    assert!(!eval(r, b"1xxx\x0a______f"));
    // multiplier, align and bitmask
    let mut e = byte_extract(1, 0, "n");
    e.multiplier = 3;
    e.align = 4;
    e.bitmask = Some(0x0f);
    let r = vec![
        PayloadMatch::ByteExtract(e),
        // (0xf1 & 0x0f) * 3 = 3 -> aligned 4
        content(b"Z").distance(var("n")).within(lit(1)).into(),
    ];
    assert!(eval(r.clone(), b"\xf1abcdZ"));
    assert!(!eval(r, b"\xf1abcZ"));
    let err = Payload::compile(&[content(b"a").distance(var("nope")).into()]).unwrap_err();
    assert_eq!(err, "unknown byte_extract variable 'nope'");
}

#[test]
fn pcre_relative_negated_and_backtracking() {
    let r = |p: Pcre| vec![content(b"GET").into(), PayloadMatch::Pcre(p)];
    assert!(eval(r(pcre(r"^\s+/admin", "R")), b"GET  /admin"));
    assert!(!eval(r(pcre(r"^\s+/admin", "R")), b"GET x /admin"));
    assert!(eval(r(pcre(r"^\s+/admin", "")), b"  /adminGET"));
    let mut neg = pcre("secret", "R");
    neg.negated = true;
    assert!(eval(r(neg.clone()), b"secret GET public"));
    assert!(!eval(r(neg), b"GET secret"));
    // The pcre's first match is retried when the relative content after it fails.
    let back = vec![
        PayloadMatch::Pcre(pcre("a.", "")),
        content(b"Z").distance(lit(0)).within(lit(1)).into(),
    ];
    assert!(eval(back.clone(), b"abaXZ"));
    assert!(!eval(back, b"abaXY"));
}

#[test]
fn budget_bounds_hostile_backtracking() {
    // The second 'a' must lie within `k` bytes of the first and be followed by 'b': only the
    // last few first-'a' candidates work, so the search costs about 2k steps per candidate.
    let chain = |k| {
        vec![
            content(b"a").into(),
            content(b"a").distance(lit(0)).within(lit(k)).into(),
            content(b"b").distance(lit(0)).within(lit(1)).into(),
        ]
    };
    let data = |n| {
        let mut d = vec![b'a'; n];
        d.push(b'b');
        d
    };
    assert!(eval(chain(5), &data(20)));
    // ~300 candidates x 200 steps: the budget gives up first, as Suricata's limit does.
    assert!(!eval(chain(100), &data(400)));
    assert!(eval(chain(100), &data(110)));
}

#[test]
fn stream_offsets_and_dedup() {
    let get = || vec![content(b"GET").depth(lit(3)).into()];
    assert!(eval_at(get(), b"GET /", 0, Some(0)));
    assert!(!eval_at(get(), b"GET /", 100, Some(0)));
    // A match entirely in old data is not reported again; one spanning old/new is.
    let any = || vec![PayloadMatch::from(content(b"GET"))];
    assert!(!eval_at(any(), b"xxGETyy", 10, Some(5)));
    assert!(eval_at(any(), b"xxGETyy", 10, Some(4)));
    // The first occurrence is old, a later one is new: backtracking finds the new one.
    assert!(eval_at(any(), b"GET...GET", 10, Some(5)));
    // The final position counts, not the first content.
    let chain = || vec![content(b"A").into(), content(b"B").distance(lit(0)).into()];
    assert!(eval_at(chain(), b"A....B", 10, Some(3)));
    assert!(!eval_at(chain(), b"AB....", 10, Some(3)));
    // Without a positive match the final position is the buffer end: new data suffices.
    let neg = || vec![PayloadMatch::from(content(b"zz").negated())];
    assert!(eval_at(neg(), b"abc", 0, Some(2)));
    assert!(!eval_at(neg(), b"abc", 0, Some(3)));
    // Absolute isdataat and byte_test use stream offsets.
    assert!(eval_at(
        vec![isdataat(105, false, false)],
        b"0123456789",
        100,
        Some(0)
    ));
    assert!(!eval_at(
        vec![isdataat(110, false, false)],
        b"0123456789",
        100,
        Some(0)
    ));
    let t = PayloadMatch::ByteTest(byte_test(1, ByteOp::Eq, i64::from(b'3'), 103));
    assert!(eval_at(vec![t.clone()], b"0123456789", 100, Some(0)));
    assert!(!eval_at(vec![t], b"0123456789", 0, Some(0)));
}

#[test]
fn empty_buffer_never_matches_payload_rules() {
    assert!(!eval(vec![content(b"x").negated().into()], b""));
    assert!(eval(vec![], b""));
}

#[test]
fn retry_reaches_past_keywords_that_keep_the_cursor() {
    // 'c' is relative to "a" (the isdataat and byte_test in between do not move the cursor):
    // the first "a" fails, the second works.
    let r = vec![
        content(b"a").into(),
        isdataat(1, false, false),
        PayloadMatch::ByteTest(byte_test(1, ByteOp::Gt, 0, 0)),
        content(b"c").distance(lit(0)).within(lit(1)).into(),
    ];
    assert!(eval(r, b"abac"));
    // Through a relative jump: a different "J" gives a different jump target.
    let mut j = byte_jump(1, 0);
    j.relative = true;
    let r = vec![
        content(b"J").into(),
        PayloadMatch::ByteJump(j),
        content(b"Z").distance(lit(0)).within(lit(1)).into(),
    ];
    assert!(eval(r.clone(), b"J\x01xyJ\x01xZ"));
    assert!(!eval(r, b"J\x01xyJ\x01xY"));
}

#[test]
fn retry_flags_follow_dependencies() {
    let p = Payload::compile(&[
        content(b"a").into(),
        content(b"b").into(),
        isdataat(1, false, true),
        content(b"c").negated().distance(lit(0)).into(),
        PayloadMatch::Pcre(pcre("x", "")),
    ])
    .unwrap();
    assert_eq!(p.retry, vec![false, true, false, false, false]);
}
