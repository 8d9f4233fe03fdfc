//! Text normalization and word tokenization: the first stage of the pipeline.
//!
//! Training and prediction both go through [`tokens`], so they can never disagree about preprocessing.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// NFKC, one apostrophe and one double quote for all their typographic variants, lowercase.
pub fn normalize(text: &str) -> String {
    let nfkc: String = if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfkc().collect()
    };
    nfkc.chars()
        .map(unify_quote)
        .flat_map(char::to_lowercase)
        .collect()
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
    normalize(text)
        .unicode_words()
        // NFKC can put a space before a combining mark, which UAX #29 then keeps in the word.
        .flat_map(str::split_whitespace)
        .map(strip_possessive)
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

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

    #[test]
    fn punctuation_only_gives_no_tokens() {
        assert!(tokens(" ... !? -- ").is_empty());
    }

    proptest! {
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
