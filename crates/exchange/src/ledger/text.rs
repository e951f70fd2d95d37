//! Cleaning the text officials type: stray spaces (full-width too), line breaks inside headers,
//! full-width digits and punctuation.

/// Folds a full-width ASCII form (`２０２２`, `．`, `／`, `（`) to its ASCII character.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Characters that are not whitespace to Unicode but are invisible in a cell.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}')
}

/// The text of a cell as a user means it: trimmed of spaces of every width and invisible marks.
pub(crate) fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// The key a header or a word is compared by: no spaces or line breaks, no punctuation, ASCII
/// letters in lower case, full-width forms folded. Bracket characters go, their content stays
/// (`总投资（亿元）` → `总投资亿元`).
pub(crate) fn header_key(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .filter(|c| !(c.is_whitespace() || is_invisible(*c) || is_header_punctuation(*c)))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_header_punctuation(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '【'
            | '】'
            | '<'
            | '>'
            | '《'
            | '》'
            | ':'
            | ';'
            | ','
            | '.'
            | '、'
            | '。'
            | '*'
            | '"'
            | '\''
            | '“'
            | '”'
            | '‘'
            | '’'
            | '#'
            | '№'
            | '_'
            | '-'
            | '—'
    )
}

/// The header without its bracketed parts: `总投资（亿元）` → `总投资`.
pub(crate) fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars().map(fold_width) {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Display width in a fixed-width font: CJK and other wide characters count double.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// `0 → A`, `25 → Z`, `26 → AA`: the column letters a user sees in Excel.
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `A → 0`, `AA → 26`; `None` for anything that is not a column of a worksheet (A to XFD).
pub fn column_index(letters: &str) -> Option<u32> {
    let t = letters.trim();
    if t.is_empty() || t.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for c in t.chars() {
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + (c as u32 - 'A' as u32 + 1);
    }
    (n <= 16_384).then(|| n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_spaces_and_invisible_marks_are_trimmed() {
        assert_eq!(clean("\u{3000}横峰县\u{00A0} \u{200B}"), "横峰县");
    }

    #[test]
    fn headers_compare_without_spaces_breaks_and_brackets() {
        assert_eq!(header_key(" 总 投资\n（亿元）"), "总投资亿元");
        assert_eq!(header_key("其中：固投"), "其中固投");
        assert_eq!(strip_brackets("用地面积（亩）"), "用地面积");
        assert_eq!(strip_brackets("总投资(万元)合计"), "总投资合计");
    }

    #[test]
    fn chinese_characters_are_twice_as_wide_as_latin_ones() {
        assert_eq!(display_width("总投资"), 6);
        assert_eq!(display_width("GWh"), 3);
    }

    #[test]
    fn column_letters_round_trip_to_the_last_excel_column() {
        for (i, l) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (16_383, "XFD")] {
            assert_eq!(column_letter(i), l);
            assert_eq!(column_index(l), Some(i));
        }
        assert_eq!(column_index("XFE"), None);
        assert_eq!(column_index("A1"), None);
    }
}
