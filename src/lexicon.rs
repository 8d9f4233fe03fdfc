//! Lexicon features: what dictionaries say about the words of a text, for words the training sentences
//! never used (n-grams learn the words they saw; the dictionaries know thousands more).
//! - **Sentiment**: how positive and how negative the words are, by the VADER lexicon (Hutto & Gilbert
//!   2014: about 7,500 words and expressions rated from −4 to +4 by ten people each; the
//!   `vader_sentiment` crate ships it). A negation among the three tokens before a word reverses and
//!   damps it (× −0.74), as VADER does. Four values. (A fifth, how far the balance is from either pole,
//!   was 3 for most texts: a near copy of the intercept that kept L-BFGS from converging in 1,000
//!   iterations on `data/frames.csv`; without it the solver converges and the model card's figures stay
//!   within 0.003.)
//! - **Frame words**: how many words and two-word phrases of each frame's word list
//!   (`data/lexicon/*.txt`, written for this project from the codebook, about 480 entries per frame, no
//!   names of countries, people or organisations, no entry in two lists) the text holds. Four values.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::features::{ngram_hash, token_hash, Prehashed};
use crate::text;

/// How many lexicon features a text gets, and their names (as `explain` and `inspect` show them).
pub const LEXICON_FEATURES: [&str; 8] = [
    "[lexicon: positive share]",
    "[lexicon: negative share]",
    "[lexicon: positive]",
    "[lexicon: negative]",
    "[frame words: cultural]",
    "[frame words: diplomatic]",
    "[frame words: economic]",
    "[frame words: military]",
];

/// The word list of each frame, in the order of the frame-word features: one entry (a word or a
/// two-word phrase, as the tokenizer gives it) per line.
const FRAME_WORD_LISTS: [&str; 4] = [
    include_str!("../data/lexicon/cultural.txt"),
    include_str!("../data/lexicon/diplomatic.txt"),
    include_str!("../data/lexicon/economic.txt"),
    include_str!("../data/lexicon/military.txt"),
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
/// The frame-word features are `ln(1 + matches)`, unscaled: about as large as an n-gram block's values
/// (one match gives 0.69, three 1.39).
const FRAME_WORDS_SCALE: f64 = 1.0;

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

/// What the lexicons know of a token (or, for `frames`, of a two-word phrase).
#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// Its valence in the sentiment lexicon.
    valence: Option<f64>,
    /// Whether it negates the words after it.
    negates: bool,
    /// Bit `i` set: it is in the word list of frame `i` (of the frame-word features).
    frames: u8,
    /// Whether a two-word phrase of a frame's word list starts with it.
    starts_phrase: bool,
}

/// Per token hash (and per two-word-phrase hash): what the lexicons know of it. Built on first use,
/// keyed by the hashes the feature walk gives tokens and bigrams, so the lexicons need no second walk
/// over the text's tokens.
fn lexicon() -> &'static ByTokenHash<Entry> {
    static LEXICON: OnceLock<ByTokenHash<Entry>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = ByTokenHash::<Entry>::default();
        for (word, &valence) in vader_sentiment::LEXICON.iter() {
            map.entry(token_hash(&word.to_lowercase()))
                .or_default()
                .valence = Some(valence);
        }
        for word in NEGATIONS {
            map.entry(token_hash(word)).or_default().negates = true;
        }
        for (frame, list) in FRAME_WORD_LISTS.iter().enumerate() {
            for entry in list.lines().filter(|line| !line.is_empty()) {
                let hashes: Vec<u64> = entry.split(' ').map(token_hash).collect();
                let key = match hashes[..] {
                    [word] => word,
                    [first, _] => {
                        map.entry(first).or_default().starts_phrase = true;
                        ngram_hash(&hashes)
                    }
                    _ => continue, // a test keeps every entry at one or two tokens
                };
                map.entry(key).or_default().frames |= 1 << frame;
            }
        }
        map
    })
}

/// The lexicon features of `text`, in the order of [`LEXICON_FEATURES`]: the positive and the negative
/// valence as shares of all valence (both 0 without lexicon words) and the normalized balance split into
/// its positive and negative part, scaled by [`LEXICON_SCALE`]; then per frame `ln(1 + matches)` of its
/// word list.
pub fn lexicon_features(text: &str) -> [f64; 8] {
    let mut token_hashes = Vec::new();
    text::for_each_token(text, |token| token_hashes.push(token_hash(token)));
    lexicon_features_of_tokens(&token_hashes)
}

/// [`lexicon_features`] of a text whose tokens' hashes (`features::token_hash`) are at hand.
pub fn lexicon_features_of_tokens(token_hashes: &[u64]) -> [f64; 8] {
    let lexicon = lexicon();
    let (mut positive, mut negative) = (0.0, 0.0);
    let mut frame_matches = [0u32; 4];
    let mut count_frames = |frames: u8| {
        for (frame, matches) in frame_matches.iter_mut().enumerate() {
            *matches += u32::from(frames >> frame & 1);
        }
    };
    // Where the last negation was, in tokens.
    let mut last_negation: Option<usize> = None;
    for (position, hash) in token_hashes.iter().enumerate() {
        let Some(&Entry {
            valence,
            negates,
            frames,
            starts_phrase,
        }) = lexicon.get(hash)
        else {
            continue;
        };
        count_frames(frames);
        if starts_phrase {
            if let Some(pair) = token_hashes.get(position..position + 2) {
                if let Some(phrase) = lexicon.get(&ngram_hash(pair)) {
                    count_frames(phrase.frames);
                }
            }
        }
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
    let sentiment = [
        positive / (total + 1.0),
        negative / (total + 1.0),
        balance.max(0.0),
        (-balance).max(0.0),
    ];
    let mut features = [0.0; 8];
    for (feature, value) in features[..4].iter_mut().zip(sentiment) {
        *feature = value * LEXICON_SCALE;
    }
    for (feature, matches) in features[4..].iter_mut().zip(frame_matches) {
        *feature = f64::from(matches).ln_1p() * FRAME_WORDS_SCALE;
    }
    features
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
        let f = lexicon_features("They met in Hanoi on Tuesday.");
        assert_eq!(f, [0.0; 8]);
    }

    /// The frame-word features of `text` as match counts (cultural, diplomatic, economic, military).
    fn frame_matches(text: &str) -> [u32; 4] {
        let f = lexicon_features(text);
        [4, 5, 6, 7].map(|i| ((f[i] / FRAME_WORDS_SCALE).exp() - 1.0).round() as u32)
    }

    #[test]
    fn frame_words_count_words_and_two_word_phrases() {
        assert_eq!(
            frame_matches("Troops fired missiles at the base."),
            [0, 0, 0, 2]
        );
        assert_eq!(
            frame_matches("Wheat exports and grain prices rose."),
            [0, 0, 4, 0]
        );
        assert_eq!(frame_matches("Students toured the museum."), [2, 0, 0, 0]);
        // "foreign minister" is a phrase of the diplomatic list; "foreign" alone is in none.
        assert_eq!(frame_matches("The foreign minister arrived."), [0, 1, 0, 0]);
        assert_eq!(frame_matches("The foreign tour arrived."), [0, 0, 0, 0]);
        // Case, plural possessives and typographic quotes go through the tokenizer first.
        assert_eq!(
            frame_matches("The Foreign Minister’s visit"),
            frame_matches("the foreign minister visit")
        );
    }

    #[test]
    fn frame_word_lists_are_clean() {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (frame, list) in FRAME_WORD_LISTS.iter().enumerate() {
            let entries: Vec<&str> = list.lines().collect();
            assert!(
                entries.len() >= 300,
                "list {frame}: {} entries",
                entries.len()
            );
            let mut sorted = entries.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                sorted, entries,
                "list {frame} is sorted and without duplicates"
            );
            for entry in entries {
                // As the tokenizer gives it, so that its hashes are the text's.
                let tokens = text::tokens(entry);
                assert!((1..=2).contains(&tokens.len()), "{entry}: {tokens:?}");
                assert_eq!(tokens.join(" "), entry);
                if let Some(other) = seen.insert(entry, frame) {
                    panic!("`{entry}` is in the lists of frames {other} and {frame}");
                }
            }
        }
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
                f[..4].iter().all(|v| (0.0..=LEXICON_SCALE).contains(v)),
                "{text}: {f:?}"
            );
            assert!(f[4..].iter().all(|&v| v >= 0.0), "{text}: {f:?}");
        }
        // Case and typographic quotes do not matter: the tokenizer normalizes them.
        assert_eq!(
            lexicon_features("They DIDN’T welcome it"),
            lexicon_features("they didn't welcome it")
        );
    }
}
