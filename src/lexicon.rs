//! Sentiment lexicon features: how positive and how negative the words of a text are, by the VADER
//! lexicon (Hutto & Gilbert 2014: about 7,500 words and expressions rated from −4 to +4 by ten people
//! each; the `vader_sentiment` crate ships it). A negation among the three tokens before a word reverses
//! and damps it (× −0.74), as VADER does. Five values per text that carry tone to words the training
//! sentences never used: n-grams learn the words they saw, the lexicon knows thousands more.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::features::{token_hash, Prehashed};
use crate::text;

/// How many lexicon features a text gets, and their names (as `explain` and `inspect` show them).
pub const LEXICON_FEATURES: [&str; 5] = [
    "[lexicon: positive share]",
    "[lexicon: negative share]",
    "[lexicon: positive]",
    "[lexicon: negative]",
    "[lexicon: neutral]",
];

/// VADER's damping of a negated word.
const NEGATION_SCALAR: f64 = -0.74;
/// VADER's normalization of a valence sum `x` into (−1, 1): `x / sqrt(x² + ALPHA)`.
const NORMALIZATION_ALPHA: f64 = 15.0;
/// Tokens before a word that a negation reaches.
const NEGATION_REACH: usize = 3;
/// The features are multiplied by this, so that the L2 penalty lets them weigh about as much as an n-gram
/// block (each L2-normalized to 1 per text). At 3, 5-fold cross-validation on `data/frames.csv` grouped
/// by story put tone macro-F1 0.003 above the n-grams alone (`stance cv` with and without `--no-lexicon`,
/// 0.801 vs 0.798), and `scripts/model-card.sh` the shared real-news tone corpora 0.03–0.08 above; other
/// scales were not compared.
pub const LEXICON_SCALE: f64 = 3.0;

/// Words that negate the words after them: VADER's list in our tokenizer's forms (lowercase, one
/// apostrophe; its `uh-uh` is two tokens and left out), with `no`, `hardly` and `barely`.
const NEGATIONS: [&str; 61] = [
    "aint",
    "ain't",
    "arent",
    "aren't",
    "barely",
    "cannot",
    "cant",
    "can't",
    "couldnt",
    "couldn't",
    "darent",
    "daren't",
    "despite",
    "didnt",
    "didn't",
    "doesnt",
    "doesn't",
    "dont",
    "don't",
    "hadnt",
    "hadn't",
    "hardly",
    "hasnt",
    "hasn't",
    "havent",
    "haven't",
    "isnt",
    "isn't",
    "mightnt",
    "mightn't",
    "mustnt",
    "mustn't",
    "neednt",
    "needn't",
    "neither",
    "never",
    "no",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "oughtn't",
    "rarely",
    "seldom",
    "shant",
    "shan't",
    "shouldnt",
    "shouldn't",
    "uhuh",
    "wasnt",
    "wasn't",
    "werent",
    "weren't",
    "without",
    "wont",
    "won't",
    "wouldnt",
    "wouldn't",
];

/// Token hashes are already well mixed: a map keyed by them needs no second hash.
type ByTokenHash<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// Per token hash: its valence in the lexicon (`None` for no valence) and whether it negates. Built on
/// first use from the crate's lexicon, keyed by the hash the feature walk gives each token, so the
/// lexicon needs no second walk over the text's tokens.
fn lexicon() -> &'static ByTokenHash<(Option<f64>, bool)> {
    static LEXICON: OnceLock<ByTokenHash<(Option<f64>, bool)>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = ByTokenHash::default();
        for (word, &valence) in vader_sentiment::LEXICON.iter() {
            map.insert(token_hash(&word.to_lowercase()), (Some(valence), false));
        }
        for word in NEGATIONS {
            map.entry(token_hash(word)).or_insert((None, false)).1 = true;
        }
        map
    })
}

/// The five lexicon features of `text`, in the order of [`LEXICON_FEATURES`]: the positive and the
/// negative valence as shares of all valence (both 0 without lexicon words), the normalized balance
/// split into its positive and negative part, and how far the balance is from either pole. Scaled by
/// [`LEXICON_SCALE`].
pub fn lexicon_features(text: &str) -> [f64; 5] {
    let mut token_hashes = Vec::new();
    text::for_each_token(text, |token| token_hashes.push(token_hash(token)));
    lexicon_features_of_tokens(&token_hashes)
}

/// [`lexicon_features`] of a text whose tokens' hashes ([`token_hash`]) are at hand.
pub fn lexicon_features_of_tokens(token_hashes: &[u64]) -> [f64; 5] {
    let lexicon = lexicon();
    let (mut positive, mut negative) = (0.0, 0.0);
    // Where the last negation was, in tokens.
    let mut last_negation: Option<usize> = None;
    for (position, hash) in token_hashes.iter().enumerate() {
        let Some(&(valence, negates)) = lexicon.get(hash) else {
            continue;
        };
        if let Some(mut value) = valence {
            if last_negation.is_some_and(|at| position - at <= NEGATION_REACH) {
                value *= NEGATION_SCALAR;
            }
            if value > 0.0 {
                positive += value;
            } else {
                negative -= value;
            }
        }
        if negates {
            last_negation = Some(position);
        }
    }
    let total = positive + negative;
    let balance = positive - negative;
    let balance = balance / (balance * balance + NORMALIZATION_ALPHA).sqrt();
    [
        positive / (total + 1.0),
        negative / (total + 1.0),
        balance.max(0.0),
        (-balance).max(0.0),
        1.0 - balance.abs(),
    ]
    .map(|value| value * LEXICON_SCALE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positive_minus_negative(text: &str) -> f64 {
        let f = lexicon_features(text);
        f[2] - f[3]
    }

    #[test]
    fn praise_is_positive_and_threats_negative() {
        assert!(
            positive_minus_negative("The leaders welcomed a friendly and hopeful agreement.") > 0.5
        );
        assert!(
            positive_minus_negative("Officials condemned the deadly attack and warned of war.")
                < -0.5
        );
    }

    #[test]
    fn a_text_without_lexicon_words_is_neutral() {
        let f = lexicon_features("The ministers met in Hanoi on Tuesday.");
        assert_eq!(f, [0.0, 0.0, 0.0, 0.0, LEXICON_SCALE]);
    }

    #[test]
    fn a_negation_reverses_the_words_it_reaches() {
        assert!(positive_minus_negative("The talks were successful.") > 0.0);
        assert!(positive_minus_negative("The talks were not successful.") < 0.0);
        assert!(positive_minus_negative("The talks weren't successful.") < 0.0);
        // Out of reach: four tokens between the negation and the word.
        assert!(positive_minus_negative("No one in the room was successful.") > 0.0);
    }

    #[test]
    fn every_negation_is_one_token_as_the_tokenizer_gives_it() {
        for word in NEGATIONS {
            assert_eq!(text::tokens(word), [word], "{word}");
        }
    }

    #[test]
    fn the_features_are_bounded_and_follow_the_tokenizer() {
        for text in [
            "",
            "!!!",
            "GREAT great Great",
            "Ça va très bien, merci",
            "not not not",
        ] {
            let f = lexicon_features(text);
            assert!(
                f.iter().all(|v| (0.0..=LEXICON_SCALE).contains(v)),
                "{text}: {f:?}"
            );
        }
        // Case and typographic quotes do not matter: the tokenizer normalizes them.
        assert_eq!(
            lexicon_features("They DIDN’T welcome it"),
            lexicon_features("they didn't welcome it")
        );
    }
}
