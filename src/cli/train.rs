//! `stance train`: fit a model on a labeled CSV.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::error::Result;
use crate::features::FeatureParams;
use crate::input::{read_labeled_csv, RowFilter};
use crate::model::{train, ClassWeight, Solver, TrainParams, ValidTrainParams};

/// Train a model from a CSV of labeled sentences (one head per --label column, shared vocabulary).
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// CSV file with a header row: a text column and one column per task.
    pub data: PathBuf,
    /// A label column to learn (a task), e.g. `--label frame --label tone`. A row with an empty cell
    /// in a label column is left out of that task only.
    #[arg(long = "label", required = true, value_name = "TASK")]
    pub labels: Vec<String>,
    /// The column that holds the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Train only on the rows whose COLUMN holds VALUE, e.g. `--filter split=train`.
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub filter: Option<RowFilter>,
    /// Where to write the model file.
    #[arg(short, long, value_name = "MODEL")]
    pub output: PathBuf,
    /// Settings from `stance tune -o PARAMS.json` instead of the flags below.
    #[arg(long, value_name = "PARAMS.json", conflicts_with_all = [
        "ngram_min", "ngram_max", "min_df", "max_features", "no_tfidf", "char_ngrams",
        "no_char_ngrams", "c", "max_iter", "tolerance", "class_weight", "solver",
    ])]
    pub params: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ModelFlags,
}

/// The feature and model flags that `train` and `cv` share.
#[derive(Debug, Args)]
pub struct ModelFlags {
    /// Shortest word n-gram.
    #[arg(long, default_value_t = 1)]
    pub ngram_min: usize,
    /// Longest word n-gram.
    #[arg(long, default_value_t = 2)]
    pub ngram_max: usize,
    /// Keep n-grams that occur in at least this many training texts.
    #[arg(long, default_value_t = 2)]
    pub min_df: usize,
    /// Keep only the N most frequent n-grams.
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// Raw counts instead of tf-idf (sublinear tf, L2-normalized rows).
    #[arg(long)]
    pub no_tfidf: bool,
    /// Character n-grams inside each space-padded word, MIN..MAX characters (a second feature block).
    #[arg(long, value_name = "MIN..MAX", default_value = "2..5", value_parser = parse_range)]
    pub char_ngrams: (usize, usize),
    /// Word n-grams only: no character n-grams.
    #[arg(long)]
    pub no_char_ngrams: bool,
    /// Inverse regularization strength (as scikit-learn's C; larger fits the training data closer).
    #[arg(long, default_value_t = TrainParams::default().c)]
    pub c: f64,
    /// Most L-BFGS iterations per task.
    #[arg(long, default_value_t = TrainParams::default().max_iter)]
    pub max_iter: u64,
    /// Stop when the gradient norm falls below this.
    #[arg(long, default_value_t = TrainParams::default().tolerance)]
    pub tolerance: f64,
    /// Weight rows so that every class counts the same in the loss.
    #[arg(long, value_enum, default_value_t = ClassWeight::None)]
    pub class_weight: ClassWeight,
    /// `lbfgs`: sparse L-BFGS (argmin); `dense`: linfa-logistic on dense features (small data only).
    #[arg(long, value_enum, default_value_t = Solver::Lbfgs)]
    pub solver: Solver,
}

impl ModelFlags {
    /// The checked training parameters: invalid flags stop here, before any data is read.
    pub fn params(&self) -> Result<ValidTrainParams> {
        TrainParams {
            features: FeatureParams {
                ngram_min: self.ngram_min,
                ngram_max: self.ngram_max,
                min_df: self.min_df,
                max_features: self.max_features,
                tfidf: !self.no_tfidf,
                char_ngrams: (!self.no_char_ngrams).then_some(self.char_ngrams),
            },
            c: self.c,
            max_iter: self.max_iter,
            tolerance: self.tolerance,
            class_weight: self.class_weight,
            solver: self.solver,
        }
        .check()
    }
}

/// Settings written by `stance tune`, checked like the flags.
fn read_params(path: &std::path::Path) -> Result<ValidTrainParams> {
    let text = crate::input::read_text(path)?;
    let params: TrainParams = serde_json::from_str(&text).map_err(|e| {
        crate::error::StanceError::Invalid(format!(
            "{}: line {}: not a settings file from `stance tune`: {e}",
            crate::error::display_path(path),
            e.line()
        ))
    })?;
    params.check()
}

fn parse_range(value: &str) -> std::result::Result<(usize, usize), String> {
    let (low, high) = value
        .split_once("..")
        .ok_or_else(|| format!("`{value}` is not MIN..MAX, e.g. 2..5"))?;
    let parse = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{value}` is not MIN..MAX, e.g. 2..5"))
    };
    Ok((parse(low)?, parse(high)?))
}

pub fn run(args: TrainArgs) -> Result<()> {
    let started = Instant::now();
    let params = match &args.params {
        Some(path) => read_params(path)?,
        None => args.flags.params()?,
    };
    let columns: Vec<(String, String)> =
        args.labels.iter().map(|l| (l.clone(), l.clone())).collect();
    let csv = read_labeled_csv(
        &args.data,
        &args.text_column,
        &columns,
        args.filter.as_ref(),
    )?;
    eprintln!(
        "read {}: {} rows with text{}",
        csv.data.source,
        csv.data.texts.len(),
        if csv.skipped_empty_text > 0 {
            format!(" ({} rows with empty text skipped)", csv.skipped_empty_text)
        } else {
            String::new()
        }
    );
    let (model, report) = train(&params, &csv.data)?;
    let f = &params.get().features;
    eprintln!(
        "vocabulary: {} n-grams (word {}..{}-grams{}, min_df {}{}, {})",
        report.vocabulary_size,
        f.ngram_min,
        f.ngram_max,
        f.char_ngrams
            .map(|(low, high)| format!(", character {low}..{high}-grams"))
            .unwrap_or_default(),
        f.min_df,
        f.max_features
            .map(|m| format!(", max {m}"))
            .unwrap_or_default(),
        if f.tfidf { "tf-idf" } else { "raw counts" }
    );
    for task in &report.tasks {
        let classes: Vec<String> = task
            .class_counts
            .iter()
            .map(|(label, count)| format!("{label} {count}"))
            .collect();
        eprintln!(
            "task {}: {} rows, {} classes: {} ({} solver, {} iterations)",
            task.name,
            task.rows,
            classes.len(),
            classes.join(", "),
            params.get().solver,
            task.iterations
        );
    }
    model.save(&args.output)?;
    eprintln!(
        "wrote {} in {:.2} s",
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
