//! Text normalization and word tokenization: the first stage of the pipeline.
//!
//! Training and prediction both go through [`tokens`], so they can never disagree about preprocessing.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// NFKC, one apostrophe and one double quote for all their typographic variants, lowercase.
pub fn normalize(text: &str) -> String {
    let mut normalized = String::new();
    normalize_into(text, &mut normalized);
    normalized
}

/// [`normalize`] into `out` (cleared first), so a loop over many texts reuses one buffer.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        // The same result as below, without the Unicode tables: ASCII is NFKC already and lowercases
        // byte by byte; the backtick is the only ASCII quote variant.
        out.push_str(text);
        out.make_ascii_lowercase();
        if out.contains('`') {
            *out = out.replace('`', "'");
        }
        return;
    }
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        out.extend(text.chars().map(unify_quote).flat_map(char::to_lowercase));
    } else {
        out.extend(text.nfkc().map(unify_quote).flat_map(char::to_lowercase));
    }
}

fn unify_quote(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' | '`'
        | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => '"',
        other => other,
    }
}

/// The word tokens of `text`: normalized, split on Unicode word boundaries (UAX #29), numbers kept
/// (`3.5`, `2,000`), the possessive `'s` (and the bare `'` of `states'`) dropped so `Kim's` gives `kim`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_token(text, |token| tokens.push(token.to_string()));
    tokens
}

/// Calls `visit` with each token of `text`, exactly those [`tokens`] returns, without allocating one
/// `String` per token.
pub fn for_each_token(text: &str, visit: impl FnMut(&str)) {
    for_each_normalized_token(&normalize(text), visit);
}

/// [`for_each_token`] of a text already [`normalize`]d: the hot loop of training and classifying at
/// scale, which normalizes into a reused buffer and may walk the tokens more than once.
pub fn for_each_normalized_token(normalized: &str, mut visit: impl FnMut(&str)) {
    if normalized.is_ascii() {
        ascii_words(normalized, |word| {
            let token = strip_possessive(word);
            if !token.is_empty() {
                visit(token);
            }
        });
        return;
    }
    for word in normalized.unicode_words() {
        // NFKC can put a space before a combining mark, which UAX #29 then keeps in the word.
        for piece in word.split_whitespace() {
            let token = strip_possessive(piece);
            if !token.is_empty() {
                visit(token);
            }
        }
    }
}

/// Words that open a second clause when they follow the lead clause's first word.
const CLAUSE_OPENERS: [&str; 6] = ["as", "after", "while", "despite", "amid", "but"];

/// How many of the tokens of `normalized` (as [`for_each_normalized_token`] gives them) make its lead
/// clause: those before the first `,` `;` or `:` that ends a word (followed by a space or the end, so
/// not the comma of `2,000`) and before the first of `as`, `after`, `while`, `despite`, `amid`, `but`
/// that is not the first word. "Grain exports resumed after the two leaders met" leads with
/// "grain exports resumed"; "After the leaders met, grain exports resumed" with "after the leaders met".
pub fn lead_clause_tokens(normalized: &str) -> usize {
    let end = normalized
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ',' | ';' | ':')
                && normalized[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map_or(normalized.len(), |(i, _)| i);
    let mut count = 0;
    let mut ended = false;
    for_each_normalized_token(&normalized[..end], |token| {
        if ended || (count > 0 && CLAUSE_OPENERS.contains(&token)) {
            ended = true;
        } else {
            count += 1;
        }
    });
    count
}

/// The words of ASCII text exactly as `unicode_words` (UAX #29) gives them, without its tables: the
/// rules WB5–WB13b restricted to ASCII (letters, digits, `_`, and `:` `.` `'` inside words, `,` `;` `.`
/// `'` inside numbers), keeping segments that hold a letter or digit. A property test checks it
/// against `unicode_words`.
fn ascii_words<'t>(text: &'t str, mut visit: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let class = |i: usize| bytes.get(i).map_or(OTHER, |&b| ASCII_CLASS[usize::from(b)]);
    // No break between bytes i − 1 and i (both inside a word).
    let joined = |i: usize| {
        let (a, b) = (class(i - 1), class(i));
        if a & WORD != 0 && b & WORD != 0 {
            return true; // WB5, WB8–WB10, WB13a–b
        }
        if a & LETTER != 0 && b & MID_LETTER != 0 {
            return class(i + 1) & LETTER != 0; // WB6
        }
        if a & MID_LETTER != 0 && b & LETTER != 0 && i >= 2 && class(i - 2) & LETTER != 0 {
            return true; // WB7
        }
        if a & DIGIT != 0 && b & MID_NUMBER != 0 {
            return class(i + 1) & DIGIT != 0; // WB12
        }
        a & MID_NUMBER != 0 && b & DIGIT != 0 && i >= 2 && class(i - 2) & DIGIT != 0
        // WB11
    };
    let mut start = 0;
    let mut has_alphanumeric = false;
    for i in 0..bytes.len() {
        if i > start && !joined(i) {
            if has_alphanumeric {
                visit(&text[start..i]);
            }
            start = i;
            has_alphanumeric = false;
        }
        has_alphanumeric |= class(i) & (LETTER | DIGIT) != 0;
    }
    if has_alphanumeric {
        visit(&text[start..]);
    }
}

const OTHER: u8 = 0;
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
/// Letters, digits and `_` (ExtendNumLet) join each other.
const WORD: u8 = 4;
/// MidLetter or MidNumLetQ: `:` `.` `'` between letters.
const MID_LETTER: u8 = 8;
/// MidNum or MidNumLetQ: `,` `;` `.` `'` between digits.
const MID_NUMBER: u8 = 16;

/// The word-break classes of each ASCII byte.
const ASCII_CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            LETTER | WORD
        } else if c.is_ascii_digit() {
            DIGIT | WORD
        } else if c == b'_' {
            WORD
        } else if c == b':' {
            MID_LETTER
        } else if c == b'.' || c == b'\'' {
            MID_LETTER | MID_NUMBER
        } else if c == b',' || c == b';' {
            MID_NUMBER
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

fn strip_possessive(mut word: &str) -> &str {
    while let Some(stem) = word.strip_suffix("'s").or_else(|| word.strip_suffix('\'')) {
        word = stem;
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn curly_and_straight_apostrophes_give_the_same_tokens() {
        assert_eq!(tokens("Kim\u{2019}s visit"), tokens("Kim's visit"));
        assert_eq!(tokens("Kim's visit"), vec!["kim", "visit"]);
    }

    #[test]
    fn numbers_and_percentages_are_kept() {
        assert_eq!(
            tokens("Exports rose 3.5% to $2,000 million in 2024."),
            vec!["exports", "rose", "3.5", "to", "2,000", "million", "in", "2024"]
        );
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        // Full-width letters and the "ﬁ" ligature fold to plain ASCII.
        assert_eq!(tokens("ＵＮ ﬁnance"), vec!["un", "finance"]);
    }

    #[test]
    fn non_latin_scripts_are_tokenized() {
        assert_eq!(tokens("Москва и Пхеньян"), vec!["москва", "и", "пхеньян"]);
    }

    #[test]
    fn plural_possessive_and_contractions() {
        assert_eq!(
            tokens("the states' budgets"),
            vec!["the", "states", "budgets"]
        );
        assert_eq!(tokens("don't"), vec!["don't"]);
    }

    fn lead_of(text: &str) -> Vec<String> {
        let mut all = tokens(text);
        all.truncate(lead_clause_tokens(&normalize(text)));
        all
    }

    #[test]
    fn the_lead_clause_ends_at_a_clause_break() {
        assert_eq!(
            lead_of("Grain exports resumed after the two leaders met"),
            ["grain", "exports", "resumed"]
        );
        assert_eq!(
            lead_of("After the leaders met, grain exports resumed"),
            ["after", "the", "leaders", "met"]
        );
        assert_eq!(
            lead_of("Exports of $2,000 million; talks go on"),
            ["exports", "of", "2,000", "million"]
        );
        assert_eq!(lead_of("Tokyo: talks at 10:30 resume"), ["tokyo"]);
        assert_eq!(
            lead_of("Sanctions bite as talks stall"),
            ["sanctions", "bite"]
        );
        assert_eq!(lead_of("Москва, Пхеньян"), ["москва"]);
        assert!(lead_of(", talks").is_empty());
        assert!(lead_of("").is_empty());
    }

    #[test]
    fn punctuation_only_gives_no_tokens() {
        assert!(tokens(" ... !? -- ").is_empty());
    }

    /// The general path of `normalize`, to check the ASCII shortcut against.
    fn normalize_without_shortcut(text: &str) -> String {
        text.nfkc()
            .map(unify_quote)
            .flat_map(char::to_lowercase)
            .collect()
    }

    fn unicode_words_of(text: &str) -> Vec<&str> {
        text.unicode_words().collect()
    }

    fn ascii_words_of(text: &str) -> Vec<&str> {
        let mut words = Vec::new();
        ascii_words(text, |w| words.push(w));
        words
    }

    #[test]
    fn ascii_words_follow_uax29_on_hard_cases() {
        for text in [
            "u.s. 3.5% 2,000 a:b 10:30 don't 'quoted' a_b __ _a 1_000 x.y.z 1.2.3 a'b'c 1,2;3 ab.",
            "e.g. i.e. ... a..b 1..2 a.1 1.a a'1 1'a ,1, .5 5. a-b a/b #tag @user $5 x\r\ny",
        ] {
            assert_eq!(ascii_words_of(text), unicode_words_of(text), "{text}");
        }
    }

    proptest! {
        #[test]
        fn ascii_words_match_unicode_words(text in "[a-c0-2 .,;:'_\"!?()\r\n\t-]{0,40}") {
            prop_assert_eq!(ascii_words_of(&text), unicode_words_of(&text));
        }

        #[test]
        fn ascii_shortcut_normalizes_as_the_unicode_path(text in "[ -~\t\n]{0,80}") {
            prop_assert_eq!(normalize(&text), normalize_without_shortcut(&text));
        }

        #[test]
        fn a_reused_buffer_normalizes_as_a_fresh_one(first in "\\PC{0,40}", second in "\\PC{0,40}") {
            let mut buffer = String::new();
            normalize_into(&first, &mut buffer);
            normalize_into(&second, &mut buffer);
            prop_assert_eq!(buffer, normalize(&second));
        }

        #[test]
        fn the_lead_clause_is_the_first_tokens_up_to_a_break(text in "[a-c0-2 .,;:'_\"!?()\r\n\t-]{0,40}|(as|but|amid|x|, |: ){0,8}") {
            let normalized = normalize(&text);
            let count = lead_clause_tokens(&normalized);
            let all = tokens(&text);
            prop_assert!(count <= all.len());
            // Every token after the lead clause's last one starts past a break.
            if count < all.len() {
                let opener = CLAUSE_OPENERS.contains(&all[count].as_str()) && count > 0;
                let chars: Vec<char> = normalized.chars().collect();
                let broke = chars.iter().enumerate().any(|(i, c)| {
                    matches!(c, ',' | ';' | ':') && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
                });
                prop_assert!(opener || broke, "{:?}: {} of {:?}", text, count, all);
            }
        }

        #[test]
        fn tokens_are_lowercase_nonempty_and_without_whitespace(text in "\\PC{0,80}") {
            for token in tokens(&text) {
                prop_assert!(!token.is_empty());
                prop_assert!(!token.chars().any(char::is_whitespace));
                prop_assert_eq!(normalize(&token), token.clone());
            }
        }

        #[test]
        fn tokenizing_is_idempotent_on_joined_tokens(text in "[a-zA-Z0-9 ,.'’]{0,60}") {
            let first = tokens(&text);
            let again = tokens(&first.join(" "));
            prop_assert_eq!(first, again);
        }
    }
}
