//! Bag-of-words features: a vocabulary of word n-grams learned at train time, tf-idf weighting with
//! sublinear tf and L2-normalized rows. Features are sparse (CSR rows) from the start.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sprs::CsMat;

use crate::error::{Result, StanceError};
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
        }
    }
}

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
        Ok(())
    }
}

/// The learned vocabulary and idf weights: turns text into one sparse feature row.
#[derive(Debug, Clone, PartialEq)]
pub struct Vectorizer {
    params: FeatureParams,
    /// N-grams in column order (sorted, so training is deterministic).
    vocabulary: Vec<String>,
    idf: Vec<f64>,
    column_of: HashMap<String, usize>,
}

/// One text's features: sorted column indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRow {
    pub columns: Vec<usize>,
    pub values: Vec<f64>,
}

impl Vectorizer {
    /// Learns the vocabulary and idf from training texts. `params` must have passed `check`.
    pub fn fit<S: AsRef<str>>(params: FeatureParams, texts: &[S]) -> Result<Self> {
        params.check()?;
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
        let vocabulary = kept.into_iter().map(|(ngram, _, _)| ngram).collect();
        Ok(Self::from_parts(params, vocabulary, idf))
    }

    /// Rebuilds a vectorizer from what a model file stores.
    pub fn from_parts(params: FeatureParams, vocabulary: Vec<String>, idf: Vec<f64>) -> Self {
        let column_of = vocabulary
            .iter()
            .enumerate()
            .map(|(column, ngram)| (ngram.clone(), column))
            .collect();
        Vectorizer {
            params,
            vocabulary,
            idf,
            column_of,
        }
    }

    pub fn params(&self) -> &FeatureParams {
        &self.params
    }

    pub fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }

    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// The feature row of one text; n-grams outside the vocabulary are ignored.
    pub fn transform_one(&self, text: &str) -> SparseRow {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for_each_feature(&self.params, text, |name| {
            if let Some(&column) = self.column_of.get(name) {
                *counts.entry(column).or_insert(0) += 1;
            }
        });
        let mut entries: Vec<(usize, f64)> = counts
            .into_iter()
            .map(|(column, count)| (column, count as f64))
            .collect();
        entries.sort_by_key(|&(column, _)| column);
        if self.params.tfidf {
            for (column, value) in entries.iter_mut() {
                *value = (1.0 + value.ln()) * self.idf[*column];
            }
            // Word and character n-grams are normalized apart, so neither block drowns the other.
            let is_char = |column: usize| is_char_ngram(&self.vocabulary[column]);
            for block in [false, true] {
                let norm = entries
                    .iter()
                    .filter(|(c, _)| is_char(*c) == block)
                    .map(|(_, v)| v * v)
                    .sum::<f64>()
                    .sqrt();
                if norm > 0.0 {
                    entries
                        .iter_mut()
                        .filter(|(c, _)| is_char(*c) == block)
                        .for_each(|(_, v)| *v /= norm);
                }
            }
        }
        let (columns, values) = entries.into_iter().unzip();
        SparseRow { columns, values }
    }

    /// The CSR matrix (texts × vocabulary) of many texts.
    pub fn transform<S: AsRef<str>>(&self, texts: &[S]) -> CsMat<f64> {
        let mut indptr = Vec::with_capacity(texts.len() + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        indptr.push(0);
        for text in texts {
            let row = self.transform_one(text.as_ref());
            indices.extend(row.columns);
            data.extend(row.values);
            indptr.push(indices.len());
        }
        CsMat::new((texts.len(), self.n_features()), indptr, indices, data)
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
    let tokens = text::tokens(text);
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
        assert_eq!(vectorizer.vocabulary(), ["[ oi]", "[il ]", "[oil]", "oil"]);
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
            vectorizer.vocabulary(),
            ["exports", "grain", "grain exports"]
        );
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
        assert_eq!(vectorizer.vocabulary(), ["oil"]);
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
