//! `stance`: frame (economic, military, cultural, diplomatic) and tone (positive, neutral, negative) of
//! news text, sentence by sentence.
//!
//! The pipeline, one module per stage: [`text`] (normalize, tokenize) → [`sentences`] (split) →
//! [`features`] (n-grams, tf-idf) → [`model`] (multinomial logistic regression, file format) →
//! [`classify`] (documents and summaries) → [`eval`] (metrics) and [`report`] (output formats).

pub mod classify;
pub mod cli;
pub mod crossval;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod html;
pub mod input;
pub mod lexicon;
pub mod model;
pub mod report;
pub mod rng;
pub mod sentences;
pub mod text;

pub use error::{Result, StanceError};
