//! Bag-of-words features: word n-grams (and character n-grams) either looked up in a vocabulary learned
//! at train time (tf-idf: sublinear tf × smooth idf, L2-normalized) or hashed into `2^bits` columns
//! (sublinear tf, L2-normalized; no idf, as no vocabulary is kept). Features are sparse from the start.
//!
//! Both kinds walk the same tokens ([`text::for_each_token`]), in the same order, so a hashed model sees
//! exactly the n-grams a vocabulary model would name.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sprs::CsMat;

use crate::error::{Result, StanceError};
use crate::lexicon::{lexicon_features, lexicon_features_of_tokens, LEXICON_FEATURES};
use crate::text;

/// How text becomes features. Checked once by [`FeatureParams::check`]; stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// Shortest word n-gram.
    pub ngram_min: usize,
    /// Longest word n-gram.
    pub ngram_max: usize,
    /// An n-gram enters the vocabulary when it occurs in at least this many training texts.
    pub min_df: usize,
    /// Keep only the most frequent n-grams (by total count in the training texts).
    pub max_features: Option<usize>,
    /// tf-idf with sublinear tf and L2-normalized rows; raw counts when false.
    pub tfidf: bool,
    /// Character n-grams inside each word, padded with a space at both ends (as scikit-learn's
    /// `char_wb`), from `.0` to `.1` characters; `None` for none. They are a second block of features,
    /// normalized on its own, and catch word forms the vocabulary has not seen (`sanction`/`sanctioned`).
    pub char_ngrams: Option<(usize, usize)>,
    /// Hash every n-gram into one of `2^bits` columns instead of learning a vocabulary (`min_df` and
    /// `max_features` then do not apply). One pass over the data, memory independent of its size.
    #[serde(default)]
    pub hash_bits: Option<u32>,
    /// Eight lexicon features after the n-gram columns ([`crate::lexicon`]): sentiment and frame words
    /// for words the training data never used. (A settings file from before this flag means without
    /// them.)
    #[serde(default)]
    pub lexicon: bool,
    /// Each word of the sentence's lead clause once more, as a feature of its own (named `^word`, in the
    /// word block): the main clause decides the frame (codebook), and in news it usually comes first, so
    /// `^talks` and `^exports` tell apart sentences that share their words but not their subject. See
    /// [`text::lead_clause_tokens`]. (A settings file from before this flag means without them.)
    #[serde(default)]
    pub lead_clause: bool,
}

impl Default for FeatureParams {
    fn default() -> Self {
        FeatureParams {
            ngram_min: 1,
            ngram_max: 2,
            min_df: 2,
            max_features: None,
            tfidf: true,
            char_ngrams: Some((2, 5)),
            hash_bits: None,
            lexicon: false,
            lead_clause: false,
        }
    }
}

/// The smallest and largest `--hash-bits`.
pub const HASH_BITS_RANGE: (u32, u32) = (8, 26);

impl FeatureParams {
    pub fn check(&self) -> Result<()> {
        let invalid = |name, value: String, reason: &str| {
            Err(StanceError::InvalidParam {
                name,
                value,
                reason: reason.to_string(),
            })
        };
        if self.ngram_min == 0 {
            return invalid("ngram-min", "0".into(), "n-grams start at 1 word");
        }
        if self.ngram_max < self.ngram_min {
            return invalid(
                "ngram-max",
                self.ngram_max.to_string(),
                "must be at least ngram-min",
            );
        }
        if self.ngram_max > 5 {
            return invalid("ngram-max", self.ngram_max.to_string(), "at most 5");
        }
        if self.min_df == 0 {
            return invalid("min-df", "0".into(), "must be at least 1");
        }
        if let Some((low, high)) = self.char_ngrams {
            if low == 0 || high < low || high > 8 {
                return invalid(
                    "char-ngrams",
                    format!("{low}..{high}"),
                    "needs 1 <= MIN <= MAX <= 8",
                );
            }
        }
        if self.max_features == Some(0) {
            return invalid("max-features", "0".into(), "must be at least 1");
        }
        if let Some(bits) = self.hash_bits {
            let (low, high) = HASH_BITS_RANGE;
            if !(low..=high).contains(&bits) {
                return invalid(
                    "hash-bits",
                    bits.to_string(),
                    &format!("needs {low} <= BITS <= {high}"),
                );
            }
            if self.max_features.is_some() {
                return invalid(
                    "max-features",
                    self.max_features.unwrap_or_default().to_string(),
                    "keeps a learned vocabulary short; hashed features (--hash-bits) have none",
                );
            }
        }
        Ok(())
    }
}

/// Turns text into one sparse feature row: through a learned vocabulary with idf weights, or by hashing.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    params: FeatureParams,
    columns: Columns,
}

/// The n-grams of a learned vocabulary in column order, packed into one string: a model's 240,000 names
/// are one allocation instead of 240,000, and loading the built-in model is most of a short `classify`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Vocabulary {
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<usize>,
}

impl Vocabulary {
    pub fn from_names<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut vocabulary = Vocabulary::default();
        for name in names {
            vocabulary.text.push_str(name);
            vocabulary.ends.push(vocabulary.text.len());
        }
        vocabulary
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The name of `column`.
    pub fn get(&self, column: usize) -> Option<&str> {
        let end = *self.ends.get(column)?;
        let start = column
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous]);
        self.text.get(start..end)
    }

    /// The names in column order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|column| self.get(column).unwrap_or_default())
    }

    /// The column of `name` in a vocabulary in sorted order (as [`Vectorizer::fit`] makes it).
    pub fn binary_search(&self, name: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.get(middle).unwrap_or_default().cmp(name) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }
}

/// The vocabulary of a hashed vectorizer.
static NO_VOCABULARY: Vocabulary = Vocabulary {
    text: String::new(),
    ends: Vec::new(),
};

#[derive(Debug, Clone, PartialEq)]
enum Columns {
    Learned {
        /// N-grams in column order (sorted, so training is deterministic).
        vocabulary: Vocabulary,
        idf: Vec<f64>,
        column_of: ColumnLookup,
    },
    Hashed {
        bits: u32,
    },
}

/// How a learned vocabulary finds the column of an n-gram: by the 64-bit hash the hashing walk gives it
/// (no name is built while featurizing), or by name if two n-grams of the vocabulary share a hash.
#[derive(Debug, Clone, PartialEq)]
enum ColumnLookup {
    ByHash(HashMap<u64, usize, std::hash::BuildHasherDefault<Prehashed>>),
    ByName(HashMap<String, usize>),
}

impl ColumnLookup {
    fn new(vocabulary: &Vocabulary) -> Self {
        let mut hashed: Vec<(u64, usize)> = (0..vocabulary.len())
            .into_par_iter()
            .map(|column| {
                let name = vocabulary.get(column).unwrap_or_default();
                (feature_hash_of_name(name), column)
            })
            .collect();
        // Inserted in the order of the buckets they land in (the table's position is the hash's low
        // bits), the table fills front to back instead of at random: a built-in model's 240,000
        // inserts then cost a few cache misses instead of one each, most of a short classify's time.
        let buckets = (vocabulary.len() * 8 / 7).next_power_of_two().max(1) as u64;
        hashed.par_sort_unstable_by_key(|&(hash, _)| hash & (buckets - 1));
        let mut by_hash: HashMap<u64, usize, _> =
            HashMap::with_capacity_and_hasher(vocabulary.len(), Default::default());
        for (hash, column) in hashed {
            if by_hash.insert(hash, column).is_some() {
                let by_name = vocabulary
                    .iter()
                    .enumerate()
                    .map(|(column, ngram)| (ngram.to_string(), column))
                    .collect();
                return ColumnLookup::ByName(by_name);
            }
        }
        ColumnLookup::ByHash(by_hash)
    }
}

/// A `Hasher` for keys that are hashes already: it passes the `u64` through.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// One text's features: sorted column indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRow {
    pub columns: Vec<usize>,
    pub values: Vec<f64>,
}

/// The feature rows of many texts, packed one after another (three allocations, not two per row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRows {
    /// Row `i` is `columns[ends[i - 1]..ends[i]]` (from 0 for the first row).
    ends: Vec<usize>,
    columns: Vec<usize>,
    values: Vec<f64>,
}

impl SparseRows {
    pub fn push(&mut self, row: &SparseRow) {
        self.columns.extend_from_slice(&row.columns);
        self.values.extend_from_slice(&row.values);
        self.ends.push(self.columns.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No rows, the memory kept for the next ones.
    pub fn clear(&mut self) {
        self.ends.clear();
        self.columns.clear();
        self.values.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The columns and values of row `i`.
    pub fn row(&self, i: usize) -> (&[usize], &[f64]) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        (&self.columns[start..end], &self.values[start..end])
    }
}

/// Buffers that [`Vectorizer::transform_into`] reuses from one text to the next.
#[derive(Debug, Default)]
pub struct Scratch {
    walk: WalkScratch,
    word_columns: Vec<usize>,
    char_columns: Vec<usize>,
    block: Vec<(usize, f64)>,
    merged: Vec<(usize, f64)>,
}

/// The buffers of one walk over a text's features by hash: its normalized text, its token hashes (which
/// the lexicon reuses) and a padded token for character n-grams.
#[derive(Debug, Default)]
struct WalkScratch {
    normalized: String,
    token_hashes: Vec<u64>,
    padded: String,
    char_starts: Vec<usize>,
}

impl Scratch {
    /// Walks the features of `text` by hash and pushes the column `column_of` gives each (if any) onto
    /// the word or the character columns.
    fn collect_hashed(
        &mut self,
        params: &FeatureParams,
        text: &str,
        column_of: impl Fn(u64) -> Option<usize>,
    ) {
        let Scratch {
            walk,
            word_columns,
            char_columns,
            ..
        } = self;
        for_each_feature_hash(params, text, walk, |hash, is_char| {
            if let Some(column) = column_of(hash) {
                if is_char {
                    char_columns.push(column);
                } else {
                    word_columns.push(column);
                }
            }
        });
    }
}

impl Vectorizer {
    /// Learns the vocabulary and idf from training texts, or, with `hash_bits`, needs none.
    /// `params` must have passed `check`.
    pub fn fit<S: AsRef<str>>(params: FeatureParams, texts: &[S]) -> Result<Self> {
        params.check()?;
        if params.hash_bits.is_some() {
            return Ok(Self::hashed(params));
        }
        let mut stats: HashMap<String, (usize, usize)> = HashMap::new(); // n-gram -> (df, total count)
        for text in texts {
            for (ngram, count) in ngram_counts(&params, text.as_ref()) {
                let entry = stats.entry(ngram).or_default();
                entry.0 += 1;
                entry.1 += count;
            }
        }
        let mut kept: Vec<(String, usize, usize)> = stats
            .into_iter()
            .filter(|(_, (df, _))| *df >= params.min_df)
            .map(|(ngram, (df, total))| (ngram, df, total))
            .collect();
        if let Some(limit) = params.max_features {
            kept.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(limit);
        }
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        if kept.is_empty() {
            return Err(StanceError::Invalid(format!(
                "no n-gram occurs in at least {} training texts: the vocabulary is empty",
                params.min_df
            )));
        }
        let n_texts = texts.len() as f64;
        let idf = kept
            .iter()
            .map(|(_, df, _)| ((1.0 + n_texts) / (1.0 + *df as f64)).ln() + 1.0)
            .collect();
        let vocabulary = Vocabulary::from_names(kept.iter().map(|(ngram, _, _)| ngram.as_str()));
        Ok(Self::from_parts(params, vocabulary, idf))
    }

    /// A vectorizer that hashes: `params.hash_bits` must be set and `params` checked.
    pub fn hashed(params: FeatureParams) -> Self {
        let bits = params.hash_bits.unwrap_or(HASH_BITS_RANGE.0);
        Vectorizer {
            params,
            columns: Columns::Hashed { bits },
        }
    }

    /// Rebuilds a vectorizer from what a model file stores (vocabulary and idf are empty when hashed).
    pub fn from_parts(params: FeatureParams, vocabulary: Vocabulary, idf: Vec<f64>) -> Self {
        if params.hash_bits.is_some() {
            return Self::hashed(params);
        }
        let column_of = ColumnLookup::new(&vocabulary);
        Vectorizer {
            params,
            columns: Columns::Learned {
                vocabulary,
                idf,
                column_of,
            },
        }
    }

    pub fn params(&self) -> &FeatureParams {
        &self.params
    }

    /// The learned n-grams in column order; empty for hashed features.
    pub fn vocabulary(&self) -> &Vocabulary {
        match &self.columns {
            Columns::Learned { vocabulary, .. } => vocabulary,
            Columns::Hashed { .. } => &NO_VOCABULARY,
        }
    }

    /// The idf of each vocabulary column; empty for hashed features.
    pub fn idf(&self) -> &[f64] {
        match &self.columns {
            Columns::Learned { idf, .. } => idf,
            Columns::Hashed { .. } => &[],
        }
    }

    pub fn is_hashed(&self) -> bool {
        matches!(self.columns, Columns::Hashed { .. })
    }

    /// Columns of the n-grams: the vocabulary size, or `2^bits`.
    pub fn ngram_columns(&self) -> usize {
        match &self.columns {
            Columns::Learned { vocabulary, .. } => vocabulary.len(),
            Columns::Hashed { bits } => 1 << bits,
        }
    }

    /// Columns of a feature row: the n-gram columns, then the lexicon's if it is on.
    pub fn n_features(&self) -> usize {
        let lexicon = if self.params.lexicon {
            LEXICON_FEATURES.len()
        } else {
            0
        };
        self.ngram_columns() + lexicon
    }

    /// The name of a column that has one: a vocabulary n-gram or a lexicon feature (a hashed n-gram
    /// column has none; see [`Vectorizer::feature_names`]).
    pub fn column_name(&self, column: usize) -> Option<&str> {
        match column.checked_sub(self.ngram_columns()) {
            Some(lexicon) if self.params.lexicon => LEXICON_FEATURES.get(lexicon).copied(),
            Some(_) => None,
            None => self.vocabulary().get(column),
        }
    }

    /// The feature row of one text; n-grams outside the vocabulary are ignored.
    pub fn transform_one(&self, text: &str) -> SparseRow {
        let mut row = SparseRow::default();
        self.transform_into(text, &mut Scratch::default(), &mut row);
        row
    }

    /// The feature row of one text into `row`, reusing `scratch` (no allocation once they have grown).
    pub fn transform_into(&self, text: &str, scratch: &mut Scratch, row: &mut SparseRow) {
        scratch.word_columns.clear();
        scratch.char_columns.clear();
        // The hashing walks leave the text's token hashes in `scratch`, which the lexicon reuses.
        let token_hashes_ready = !matches!(
            self.columns,
            Columns::Learned {
                column_of: ColumnLookup::ByName(_),
                ..
            }
        );
        match &self.columns {
            Columns::Learned {
                column_of: ColumnLookup::ByName(column_of),
                ..
            } => {
                for_each_feature(&self.params, text, |name| {
                    if let Some(&column) = column_of.get(name) {
                        if is_char_ngram(name) {
                            scratch.char_columns.push(column);
                        } else {
                            scratch.word_columns.push(column);
                        }
                    }
                });
            }
            Columns::Learned {
                column_of: ColumnLookup::ByHash(column_of),
                ..
            } => scratch.collect_hashed(&self.params, text, |hash| column_of.get(&hash).copied()),
            Columns::Hashed { bits } => {
                let shift = 64 - bits;
                scratch.collect_hashed(&self.params, text, |hash| Some((hash >> shift) as usize));
            }
        }
        // Word and character n-grams are weighted and normalized apart, so neither block drowns the other.
        scratch.merged.clear();
        for is_char in [false, true] {
            let columns = if is_char {
                &mut scratch.char_columns
            } else {
                &mut scratch.word_columns
            };
            columns.sort_unstable();
            scratch.block.clear();
            for &column in columns.iter() {
                match scratch.block.last_mut() {
                    Some((last, count)) if *last == column => *count += 1.0,
                    _ => scratch.block.push((column, 1.0)),
                }
            }
            if self.params.tfidf {
                let idf = self.idf();
                for (column, value) in scratch.block.iter_mut() {
                    if *value > 1.0 {
                        *value = 1.0 + value.ln();
                    }
                    if let Some(weight) = idf.get(*column) {
                        *value *= weight;
                    }
                }
                let norm = scratch.block.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
                if norm > 0.0 {
                    scratch.block.iter_mut().for_each(|(_, v)| *v /= norm);
                }
            }
            scratch.merged.extend_from_slice(&scratch.block);
        }
        // A hashed word and character n-gram can share a column: their values add up.
        if !scratch.char_columns.is_empty() {
            scratch.merged.sort_unstable_by_key(|&(column, _)| column);
        }
        row.columns.clear();
        row.values.clear();
        for &(column, value) in &scratch.merged {
            if row.columns.last() == Some(&column) {
                if let Some(last) = row.values.last_mut() {
                    *last += value;
                }
            } else {
                row.columns.push(column);
                row.values.push(value);
            }
        }
        if self.params.lexicon {
            let first = self.ngram_columns();
            let lexicon = if token_hashes_ready {
                lexicon_features_of_tokens(&scratch.walk.token_hashes)
            } else {
                lexicon_features(text)
            };
            for (offset, value) in lexicon.into_iter().enumerate() {
                if value != 0.0 {
                    row.columns.push(first + offset);
                    row.values.push(value);
                }
            }
        }
    }

    /// The CSR matrix (texts × columns) of many texts.
    pub fn transform<S: AsRef<str>>(&self, texts: &[S]) -> CsMat<f64> {
        let mut indptr = Vec::with_capacity(texts.len() + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        indptr.push(0);
        let mut scratch = Scratch::default();
        let mut row = SparseRow::default();
        for text in texts {
            self.transform_into(text.as_ref(), &mut scratch, &mut row);
            indices.extend_from_slice(&row.columns);
            data.extend_from_slice(&row.values);
            indptr.push(indices.len());
        }
        CsMat::new((texts.len(), self.n_features()), indptr, indices, data)
    }

    /// The names of the features of `text`, by column (hashed columns that collide list every name,
    /// joined by ` | `). For hashed models this is the only way back from a column to its n-grams.
    pub fn feature_names(&self, text: &str) -> HashMap<usize, String> {
        let mut names: HashMap<usize, String> = HashMap::new();
        let mut add = |column: usize, name: &str| {
            let entry = names.entry(column).or_default();
            if entry.is_empty() {
                entry.push_str(name);
            } else if !entry.split(" | ").any(|known| known == name) {
                entry.push_str(" | ");
                entry.push_str(name);
            }
        };
        match &self.columns {
            Columns::Learned { vocabulary, .. } => for_each_feature(&self.params, text, |name| {
                if let Some(column) = vocabulary.binary_search(name) {
                    add(column, name);
                }
            }),
            Columns::Hashed { bits } => {
                // Both walks visit the same features in the same order.
                let mut all_names = Vec::new();
                for_each_feature(&self.params, text, |name| all_names.push(name.to_string()));
                let mut scratch = Scratch::default();
                let mut index = 0;
                for_each_feature_hash(&self.params, text, &mut scratch.walk, |hash, _| {
                    if let Some(name) = all_names.get(index) {
                        add((hash >> (64 - bits)) as usize, name);
                    }
                    index += 1;
                });
            }
        }
        if self.params.lexicon {
            let first = self.ngram_columns();
            for (offset, value) in lexicon_features(text).into_iter().enumerate() {
                if value != 0.0 {
                    add(first + offset, LEXICON_FEATURES[offset]);
                }
            }
        }
        names
    }
}

/// Character n-grams are named `[ oil]`: brackets never occur in a word token, so they cannot collide
/// with word n-grams.
fn is_char_ngram(feature: &str) -> bool {
    feature.starts_with('[')
}

/// Calls `visit` with the name of every feature occurrence in `text`: word n-grams in the configured
/// range (joined by one space) and, if configured, character n-grams of each space-padded word. Names
/// are built in one reused buffer, so looking them up allocates nothing.
fn for_each_feature(params: &FeatureParams, text: &str, mut visit: impl FnMut(&str)) {
    let normalized = text::normalize(text);
    let mut tokens = Vec::new();
    text::for_each_normalized_token(&normalized, |token| tokens.push(token.to_string()));
    let mut name = String::new();
    for n in params.ngram_min..=params.ngram_max {
        for window in tokens.windows(n) {
            name.clear();
            for (i, token) in window.iter().enumerate() {
                if i > 0 {
                    name.push(' ');
                }
                name.push_str(token);
            }
            visit(&name);
        }
    }
    if params.lead_clause {
        for token in &tokens[..text::lead_clause_tokens(&normalized)] {
            name.clear();
            name.push(LEAD_CLAUSE_MARK);
            name.push_str(token);
            visit(&name);
        }
    }
    if let Some((low, high)) = params.char_ngrams {
        let mut padded: Vec<char> = Vec::new();
        for token in &tokens {
            padded.clear();
            padded.push(' ');
            padded.extend(token.chars());
            padded.push(' ');
            for n in low..=high.min(padded.len()) {
                for window in padded.windows(n) {
                    name.clear();
                    name.push('[');
                    name.extend(window);
                    name.push(']');
                    visit(&name);
                }
            }
        }
    }
}

/// The hashing counterpart of [`for_each_feature`]: the same features in the same order, each as a
/// 64-bit hash (`true` for character n-grams), computed from token hashes without building names.
/// The hash functions are part of the model format: changing them needs a new format version.
fn for_each_feature_hash(
    params: &FeatureParams,
    text: &str,
    walk: &mut WalkScratch,
    mut visit: impl FnMut(u64, bool),
) {
    let WalkScratch {
        normalized,
        token_hashes,
        padded,
        char_starts,
    } = walk;
    text::normalize_into(text, normalized);
    token_hashes.clear();
    text::for_each_normalized_token(normalized, |token| token_hashes.push(token_hash(token)));
    for n in params.ngram_min..=params.ngram_max {
        for window in token_hashes.windows(n) {
            visit(ngram_hash(window), false);
        }
    }
    if params.lead_clause {
        for &token in &token_hashes[..text::lead_clause_tokens(normalized)] {
            visit(lead_clause_hash(token), false);
        }
    }
    if let Some((low, high)) = params.char_ngrams {
        // Tokens again (cheap next to the n-grams), so the token hashes above need no strings kept.
        text::for_each_normalized_token(normalized, |token| {
            padded.clear();
            padded.push(' ');
            padded.push_str(token);
            padded.push(' ');
            char_starts.clear();
            char_starts.extend(padded.char_indices().map(|(i, _)| i));
            char_starts.push(padded.len());
            let n_chars = char_starts.len() - 1;
            for n in low..=high.min(n_chars) {
                for start in 0..=(n_chars - n) {
                    let bytes = &padded.as_bytes()[char_starts[start]..char_starts[start + n]];
                    visit(mix64(hash_bytes(bytes, CHAR_SEED)), true);
                }
            }
        });
    }
}

/// The hash of a word n-gram from the hashes of its tokens (1 to 5 of them).
pub(crate) fn ngram_hash(token_hashes: &[u64]) -> u64 {
    let mut hash = NGRAM_SEEDS[token_hashes.len() - 1];
    for &token in token_hashes {
        hash = mix64(hash ^ token).wrapping_add(token);
    }
    mix64(hash)
}

/// A lead-clause word is named `^word`: `^` never occurs in a word token.
const LEAD_CLAUSE_MARK: char = '^';

/// The hash of a lead-clause word from its token hash: apart from the word's own unigram.
fn lead_clause_hash(token_hash: u64) -> u64 {
    mix64(token_hash ^ LEAD_CLAUSE_SEED)
}

/// The hash [`for_each_feature_hash`] gives the feature named `name` (as [`for_each_feature`] names it).
fn feature_hash_of_name(name: &str) -> u64 {
    if let Some(word) = name.strip_prefix(LEAD_CLAUSE_MARK) {
        lead_clause_hash(token_hash(word))
    } else if is_char_ngram(name) {
        let inner = &name[1..name.len() - 1];
        mix64(hash_bytes(inner.as_bytes(), CHAR_SEED))
    } else {
        let mut tokens = [0u64; NGRAM_SEEDS.len()];
        let mut n = 0;
        for token in name.split(' ') {
            match tokens.get_mut(n) {
                Some(slot) => *slot = token_hash(token),
                // Longer than any n-gram: no feature walk gives this name, so any hash will do.
                None => return mix64(hash_bytes(name.as_bytes(), WORD_SEED)),
            }
            n += 1;
        }
        ngram_hash(&tokens[..n])
    }
}

/// The 64-bit hash of one token, from which its n-grams' hashes are built (and the lexicon looks it up).
pub(crate) fn token_hash(token: &str) -> u64 {
    mix64(hash_bytes(token.as_bytes(), WORD_SEED))
}

const WORD_SEED: u64 = 0xcbf2_9ce4_8422_2325;
const CHAR_SEED: u64 = 0x84222325_cbf29ce4;
const LEAD_CLAUSE_SEED: u64 = 0x6a09_e667_f3bc_c908;
const NGRAM_SEEDS: [u64; 5] = [
    0x9e37_79b9_7f4a_7c15,
    0xbf58_476d_1ce4_e5b9,
    0x94d0_49bb_1331_11eb,
    0x2545_f491_4f6c_dd1d,
    0x1405_7b7e_f767_814f,
];

/// A fast hash of `bytes` from `seed`, eight bytes per step (callers finish it with [`mix64`]).
fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let step = |hash: u64, word: u64| (hash ^ word).wrapping_mul(K).rotate_left(29);
    let mut hash = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut buffer = [0u8; 8];
        buffer.copy_from_slice(word);
        hash = step(hash, u64::from_le_bytes(buffer));
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut buffer = [0u8; 8];
        buffer[..tail.len()].copy_from_slice(tail);
        hash = step(hash, u64::from_le_bytes(buffer));
    }
    hash
}

/// The SplitMix64 finalizer: spreads every input bit over the output (the column takes the top bits).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Counts of every feature of `text`, by name.
fn ngram_counts(params: &FeatureParams, text: &str) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for_each_feature(params, text, |name| match counts.get_mut(name) {
        Some(count) => *count += 1,
        None => {
            counts.insert(name.to_string(), 1);
        }
    });
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(min_df: usize) -> FeatureParams {
        FeatureParams {
            min_df,
            char_ngrams: None,
            ..FeatureParams::default()
        }
    }

    #[test]
    fn char_ngrams_are_padded_bracketed_and_normalized_apart() {
        let p = FeatureParams {
            ngram_max: 1,
            min_df: 1,
            char_ngrams: Some((3, 3)),
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(p, &["oil"]).unwrap();
        assert_eq!(
            vectorizer.vocabulary().iter().collect::<Vec<_>>(),
            ["[ oi]", "[il ]", "[oil]", "oil"]
        );
        let row = vectorizer.transform_one("oil");
        let char_norm: f64 = row.values[..3].iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((char_norm - 1.0).abs() < 1e-12);
        assert!((row.values[3] - 1.0).abs() < 1e-12);
        // An unseen form shares character n-grams with a seen one.
        assert!(!vectorizer.transform_one("oily").columns.is_empty());
    }

    #[test]
    fn vocabulary_keeps_ngrams_above_min_df_in_sorted_order() {
        let texts = ["grain exports rose", "grain exports fell", "troops moved"];
        let vectorizer = Vectorizer::fit(params(2), &texts).unwrap();
        assert_eq!(
            vectorizer.vocabulary().iter().collect::<Vec<_>>(),
            ["exports", "grain", "grain exports"]
        );
        assert_eq!(vectorizer.vocabulary().binary_search("grain"), Some(1));
        assert_eq!(vectorizer.vocabulary().binary_search("troops"), None);
        assert_eq!(vectorizer.vocabulary().get(2), Some("grain exports"));
        assert_eq!(vectorizer.vocabulary().get(3), None);
    }

    #[test]
    fn rows_are_l2_normalized_with_tfidf() {
        let texts = ["grain exports rose", "grain exports fell", "grain prices"];
        let vectorizer = Vectorizer::fit(params(1), &texts).unwrap();
        let row = vectorizer.transform_one("grain grain exports unknownword");
        let norm: f64 = row.values.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-12);
        assert!(row.columns.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sublinear_tf_and_smooth_idf_match_hand_computation() {
        let texts = ["a b", "a c", "a b"];
        let p = FeatureParams {
            ngram_max: 1,
            min_df: 1,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(p, &texts).unwrap();
        // idf(a) = ln(4/4) + 1 = 1; idf(b) = ln(4/3) + 1.
        let idf_b = (4.0f64 / 3.0).ln() + 1.0;
        assert_eq!(vectorizer.idf()[0], 1.0);
        assert!((vectorizer.idf()[1] - idf_b).abs() < 1e-12);
        let row = vectorizer.transform_one("a a b");
        let a = (1.0 + 2.0f64.ln()) * 1.0;
        let norm = (a * a + idf_b * idf_b).sqrt();
        assert!((row.values[0] - a / norm).abs() < 1e-12);
        assert!((row.values[1] - idf_b / norm).abs() < 1e-12);
    }

    #[test]
    fn raw_counts_without_tfidf() {
        let p = FeatureParams {
            tfidf: false,
            min_df: 1,
            ngram_max: 1,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(p, &["oil oil gas"]).unwrap();
        let row = vectorizer.transform_one("oil oil gas oil");
        assert_eq!(row.values, vec![1.0, 3.0]);
    }

    #[test]
    fn max_features_keeps_the_most_frequent() {
        let p = FeatureParams {
            max_features: Some(1),
            min_df: 1,
            ngram_max: 1,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(p, &["oil gas oil", "oil"]).unwrap();
        assert_eq!(vectorizer.vocabulary().iter().collect::<Vec<_>>(), ["oil"]);
    }

    #[test]
    fn csr_matrix_has_one_row_per_text() {
        let vectorizer = Vectorizer::fit(params(1), &["oil gas", "troops"]).unwrap();
        let matrix = vectorizer.transform(&["oil", "nothing known", "troops oil"]);
        assert_eq!(matrix.shape(), (3, vectorizer.n_features()));
        assert_eq!(matrix.outer_view(1).map(|r| r.nnz()), Some(0));
        assert_eq!(matrix.outer_view(2).map(|r| r.nnz()), Some(2));
    }

    #[test]
    fn lexicon_features_follow_the_ngram_columns_and_have_names() {
        for hash_bits in [None, Some(10)] {
            let plain = FeatureParams {
                hash_bits,
                ..params(1)
            };
            let with_lexicon = FeatureParams {
                lexicon: true,
                ..plain.clone()
            };
            let texts = ["oil gas welcomed", "troops attacked"];
            let without = Vectorizer::fit(plain, &texts).unwrap();
            let with = Vectorizer::fit(with_lexicon, &texts).unwrap();
            let first = without.n_features();
            assert_eq!(with.ngram_columns(), first);
            assert_eq!(with.n_features(), first + LEXICON_FEATURES.len());
            let text = "Troops attacked the oil terminal";
            let (row, base) = (with.transform_one(text), without.transform_one(text));
            // The n-gram part is unchanged; the lexicon part comes after it.
            assert_eq!(&row.columns[..base.columns.len()], &base.columns[..]);
            assert_eq!(&row.values[..base.values.len()], &base.values[..]);
            let lexicon: Vec<usize> = row.columns[base.columns.len()..].to_vec();
            assert!(
                !lexicon.is_empty() && lexicon.iter().all(|&c| c >= first),
                "{lexicon:?}"
            );
            let negative = first + 3;
            assert!(
                lexicon.contains(&negative),
                "'attacked' is negative: {lexicon:?}"
            );
            assert_eq!(with.column_name(negative), Some("[lexicon: negative]"));
            assert_eq!(with.column_name(first + LEXICON_FEATURES.len()), None);
            assert_eq!(without.column_name(first), None);
            let names = with.feature_names(text);
            assert_eq!(names[&negative], "[lexicon: negative]");
        }
    }

    fn hashed(bits: u32, char_ngrams: Option<(usize, usize)>) -> Vectorizer {
        let params = FeatureParams {
            hash_bits: Some(bits),
            char_ngrams,
            ..FeatureParams::default()
        };
        Vectorizer::fit(params, &[""; 0]).unwrap()
    }

    #[test]
    fn hashed_rows_are_sorted_normalized_and_need_no_fitting() {
        let vectorizer = hashed(18, Some((2, 4)));
        assert!(vectorizer.is_hashed());
        assert_eq!(vectorizer.n_features(), 1 << 18);
        let row = vectorizer.transform_one("Grain exports rose, grain exports fell.");
        assert!(row.columns.windows(2).all(|w| w[0] < w[1]));
        assert!(row.columns.iter().all(|&c| c < 1 << 18));
        // Two blocks, each of norm 1 (unless they collide): the squared norm is 2.
        let squared: f64 = row.values.iter().map(|v| v * v).sum();
        assert!((squared - 2.0).abs() < 1e-9, "{squared}");
    }

    #[test]
    fn hashed_columns_are_named_from_the_text() {
        let vectorizer = hashed(20, None);
        let row = vectorizer.transform_one("Grain exports rose");
        let names = vectorizer.feature_names("Grain exports rose");
        assert_eq!(row.columns.len(), 5);
        let mut named: Vec<&str> = row.columns.iter().map(|c| names[c].as_str()).collect();
        named.sort();
        assert_eq!(
            named,
            ["exports", "exports rose", "grain", "grain exports", "rose"]
        );
    }

    #[test]
    fn lead_clause_words_are_features_of_their_own() {
        let params = FeatureParams {
            hash_bits: Some(20),
            char_ngrams: None,
            lead_clause: true,
            ..FeatureParams::default()
        };
        let hashed = Vectorizer::fit(params.clone(), &[""]).unwrap();
        let text = "Exports rose after talks";
        let names = hashed.feature_names(text);
        let mut named: Vec<&str> = hashed
            .transform_one(text)
            .columns
            .iter()
            .map(|c| names[c].as_str())
            .collect();
        named.sort();
        assert!(
            named.contains(&"^exports") && named.contains(&"^rose"),
            "{named:?}"
        );
        assert!(!named.iter().any(|n| *n == "^talks" || *n == "^after"));
        assert_eq!(named.len(), 7 + 2, "{named:?}");
        // The same names in a learned vocabulary, which keeps them for `explain`.
        let learned = Vectorizer::fit(
            FeatureParams {
                hash_bits: None,
                min_df: 1,
                ..params
            },
            &[text],
        )
        .unwrap();
        assert!(learned.vocabulary().iter().any(|name| name == "^rose"));
        assert_eq!(learned.transform_one(text).columns.len(), 9);
    }

    const PINNED_COLUMNS: [(&str, usize); 3] = [
        ("exports", 985288),
        ("grain", 433695),
        ("grain exports", 434792),
    ];

    #[test]
    fn hash_columns_are_part_of_the_model_format() {
        // A hashed model is only valid with the hash it was trained with: this pins it.
        let vectorizer = hashed(20, None);
        let row = vectorizer.transform_one("grain exports");
        let names = vectorizer.feature_names("grain exports");
        let mut pinned: Vec<(&str, usize)> = row
            .columns
            .iter()
            .map(|c| (names[c].as_str(), *c))
            .collect();
        pinned.sort();
        assert_eq!(pinned, PINNED_COLUMNS);
    }

    #[test]
    fn looking_columns_up_by_hash_gives_the_rows_of_looking_them_up_by_name() {
        let texts = [
            "Kim\u{2019}s visit to Moscow: talks on grain, oil & 3.5% tariffs.",
            "The states' budgets fell; \u{FF35}\u{FF2E} \u{FB01}nance talks resumed in \u{141}\u{F3}d\u{17A}.",
            "Troops fired missiles near the border",
            "\u{41C}\u{43E}\u{441}\u{43A}\u{432}\u{430} talks",
            "The deal was NOT welcomed; critics didn\u{2019}t hide their anger.",
        ];
        // With the lexicon too: the hashing walk hands it the token hashes, the lookup by name does not.
        let params = FeatureParams {
            min_df: 1,
            ngram_max: 3,
            lexicon: true,
            lead_clause: true,
            ..FeatureParams::default()
        };
        let by_hash = Vectorizer::fit(params, &texts).unwrap();
        let mut by_name = by_hash.clone();
        match &mut by_name.columns {
            Columns::Learned {
                vocabulary,
                column_of,
                ..
            } => {
                assert!(matches!(column_of, ColumnLookup::ByHash(_)));
                *column_of = ColumnLookup::ByName(
                    vocabulary
                        .iter()
                        .enumerate()
                        .map(|(column, name)| (name.to_string(), column))
                        .collect(),
                );
            }
            Columns::Hashed { .. } => panic!("a learned vocabulary was expected"),
        }
        for text in texts
            .iter()
            .chain(&["grain talks in Moscow", "unseen words only", ""])
        {
            let row = by_hash.transform_one(text);
            assert_eq!(row, by_name.transform_one(text), "{text}");
        }
        assert!(!by_hash.transform_one(texts[1]).columns.is_empty());
    }

    #[test]
    fn invalid_params_are_rejected_once() {
        let bad = FeatureParams {
            ngram_min: 3,
            ngram_max: 2,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        assert!(bad.check().is_err());
        assert!(Vectorizer::fit(bad, &["x"]).is_err());
        let empty = Vectorizer::fit(params(5), &["one text"]);
        assert!(empty.is_err());
    }
}
