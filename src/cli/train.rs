//! `stance train`: fit a model on a labeled CSV.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::error::Result;
use crate::features::FeatureParams;
use crate::input::{LabeledCsv, LabeledCsvReader, RowFilter, ShuffledCsvReader};
use crate::model::{
    train, train_streaming, BatchSource, ClassWeight, Solver, TrainParams, TrainReport,
    ValidTrainParams, DEFAULT_NB_WEIGHT,
};

/// With `--solver auto`, data with more labeled rows than this trains with `adagrad` on hashed
/// features; smaller data with the exact `lbfgs`, which is the more accurate there.
pub const AUTO_ADAGRAD_ABOVE_ROWS: usize = 50_000;

/// `--hash-bits` when the adagrad solver is used without it: 8 M columns. On the 1.08 M UN sentences of
/// the speed benchmark 23 bits gave +0.002 accuracy and macro-F1 over 22 in every seed, for 0.2 s more
/// training and twice the table (0.84 GB peak); classifying was as fast.
pub const DEFAULT_ADAGRAD_HASH_BITS: u32 = 23;

/// Which solver trains: `auto` chooses by the number of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SolverChoice {
    /// `lbfgs` up to 50,000 labeled rows, `adagrad` on hashed features above.
    Auto,
    /// Sparse L-BFGS (argmin): exact, converged; for research-size data.
    Lbfgs,
    /// AdaGrad streaming over the rows, hashed features: for millions of rows, memory independent of them.
    Adagrad,
    /// linfa-logistic on a dense copy of the features: a cross-check for small data only.
    Dense,
}

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
    /// Seed of the order in which adagrad reads the rows (chunks of the file in a shuffled order, and
    /// the rows within them): a sorted file is learned as well as a shuffled one, the same way each time.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Settings from `stance tune -o PARAMS.json` instead of the flags below.
    #[arg(long, value_name = "PARAMS.json", conflicts_with_all = [
        "ngram_min", "ngram_max", "min_df", "max_features", "no_tfidf", "char_ngrams",
        "no_char_ngrams", "lexicon", "no_lexicon", "lead_clause", "no_lead_clause", "c", "max_iter", "tolerance", "class_weight", "solver", "hash_bits",
        "epochs", "learning_rate", "nb_weight",
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
    /// Keep n-grams that occur in at least this many training texts (learned vocabulary only).
    #[arg(long, default_value_t = 2)]
    pub min_df: usize,
    /// Keep only the N most frequent n-grams (learned vocabulary only).
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// Hash n-grams into 2^BITS columns instead of learning a vocabulary (8..26; the default for
    /// adagrad is 23). Memory for the weights: 2^BITS × classes × 4 bytes.
    #[arg(long, value_name = "BITS")]
    pub hash_bits: Option<u32>,
    /// Raw counts instead of tf-idf (sublinear tf, L2-normalized rows; hashed features have no idf).
    #[arg(long)]
    pub no_tfidf: bool,
    /// Character n-grams inside each space-padded word, MIN..MAX characters (a second feature block).
    /// Default 2..5 for lbfgs and dense, none for adagrad (they cost ten times the word n-grams).
    #[arg(long, value_name = "MIN..MAX", value_parser = parse_range)]
    pub char_ngrams: Option<(usize, usize)>,
    /// Word n-grams only: no character n-grams.
    #[arg(long, conflicts_with = "char_ngrams")]
    pub no_char_ngrams: bool,
    /// Add eight lexicon features: four of sentiment (VADER's word ratings, negation-aware) and four of
    /// frame words (matches of each frame's word list): the default for lbfgs and dense; adagrad adds
    /// them only with this flag.
    #[arg(long)]
    pub lexicon: bool,
    /// No lexicon features.
    #[arg(long, conflicts_with = "lexicon")]
    pub no_lexicon: bool,
    /// Add each word of the lead clause (up to the first `,` `;` `:` or `as`/`after`/`while`/`despite`/
    /// `amid`/`but`) once more as a feature of its own, `^word`: the main clause decides the frame, and
    /// it usually comes first. The default for lbfgs and dense; adagrad adds them only with this flag.
    #[arg(long)]
    pub lead_clause: bool,
    /// No lead-clause features.
    #[arg(long, conflicts_with = "lead_clause")]
    pub no_lead_clause: bool,
    /// Inverse regularization strength (as scikit-learn's C; larger fits the training data closer).
    #[arg(long, default_value_t = TrainParams::default().c)]
    pub c: f64,
    /// Most L-BFGS iterations per task.
    #[arg(long, default_value_t = TrainParams::default().max_iter)]
    pub max_iter: u64,
    /// Stop when the gradient's L2 norm, per unit of row weight (the gradient of the mean loss, as
    /// scikit-learn's `tol`), falls below this.
    #[arg(long, default_value_t = TrainParams::default().tolerance)]
    pub tolerance: f64,
    /// Weight rows so that every class counts the same in the loss.
    #[arg(long, value_enum, default_value_t = ClassWeight::None)]
    pub class_weight: ClassWeight,
    /// Which solver trains the model.
    #[arg(long, value_enum, default_value_t = SolverChoice::Auto)]
    pub solver: SolverChoice,
    /// Passes over the data (adagrad).
    #[arg(long, default_value_t = TrainParams::default().epochs)]
    pub epochs: u32,
    /// AdaGrad's base step size (adagrad).
    #[arg(long, default_value_t = TrainParams::default().learning_rate)]
    pub learning_rate: f64,
    /// Blend multinomial naive Bayes into each head with this weight: scores are the logistic
    /// regression's plus WEIGHT × naive Bayes' log-probabilities, over the n-gram features. 0 turns it
    /// off. Default 0.2 for lbfgs and dense (better on held-out stories), 0 (and only 0) for adagrad.
    #[arg(long, value_name = "WEIGHT")]
    pub nb_weight: Option<f64>,
}

impl ModelFlags {
    /// The solver to use when the data is in memory (cross-validation): `auto` is `lbfgs` there.
    pub fn in_memory_solver(&self) -> Solver {
        match self.solver {
            SolverChoice::Auto | SolverChoice::Lbfgs => Solver::Lbfgs,
            SolverChoice::Adagrad => Solver::Adagrad,
            SolverChoice::Dense => Solver::Dense,
        }
    }

    /// The checked training parameters for `solver`, its defaults filled in: invalid flags stop here,
    /// before any data is read.
    pub fn params(&self, solver: Solver) -> Result<ValidTrainParams> {
        let adagrad = solver == Solver::Adagrad;
        let char_ngrams = match (self.char_ngrams, self.no_char_ngrams) {
            (_, true) => None,
            (Some(range), false) => Some(range),
            (None, false) => (!adagrad).then_some((2, 5)),
        };
        let lexicon = self.lexicon || (!adagrad && !self.no_lexicon);
        let lead_clause = self.lead_clause || (!adagrad && !self.no_lead_clause);
        let hash_bits = self
            .hash_bits
            .or(adagrad.then_some(DEFAULT_ADAGRAD_HASH_BITS));
        TrainParams {
            features: FeatureParams {
                ngram_min: self.ngram_min,
                ngram_max: self.ngram_max,
                min_df: self.min_df,
                max_features: self.max_features,
                tfidf: !self.no_tfidf,
                char_ngrams,
                hash_bits,
                lexicon,
                lead_clause,
            },
            c: self.c,
            max_iter: self.max_iter,
            tolerance: self.tolerance,
            class_weight: self.class_weight,
            solver,
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            nb_weight: self
                .nb_weight
                .unwrap_or(if adagrad { 0.0 } else { DEFAULT_NB_WEIGHT }),
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
    let columns: Vec<(String, String)> =
        args.labels.iter().map(|l| (l.clone(), l.clone())).collect();
    let open = || {
        LabeledCsvReader::open(
            &args.data,
            &args.text_column,
            &columns,
            args.filter.as_ref(),
        )
    };
    // Every flag is checked before any data is read.
    let chosen = match &args.params {
        Some(path) => Some(read_params(path)?),
        None => match args.flags.solver {
            SolverChoice::Auto => {
                args.flags.params(Solver::Lbfgs)?;
                None
            }
            _ => Some(args.flags.params(args.flags.in_memory_solver())?),
        },
    };
    // In memory (and how many rows), or streamed: `auto` reads up to its limit to know which.
    let (params, in_memory) = match chosen {
        Some(params) if params.get().solver == Solver::Adagrad => (params, None),
        Some(params) => (params, Some(open()?.next_batch(usize::MAX)?)),
        None => {
            // Flags adagrad cannot take keep auto on lbfgs, whatever the size.
            let adagrad = args.flags.params(Solver::Adagrad).ok();
            let limit = match adagrad {
                Some(_) => AUTO_ADAGRAD_ABOVE_ROWS + 1,
                None => usize::MAX,
            };
            let head = open()?.next_batch(limit)?;
            let rows = head.as_ref().map_or(0, |h| h.data.texts.len());
            if let (Some(adagrad), true) = (adagrad, rows > AUTO_ADAGRAD_ABOVE_ROWS) {
                eprintln!(
                    "solver: adagrad on hashed features (auto: more than {AUTO_ADAGRAD_ABOVE_ROWS} rows; \
                     --solver lbfgs for the exact solver)"
                );
                (adagrad, None)
            } else {
                eprintln!(
                    "solver: lbfgs (auto: at most {AUTO_ADAGRAD_ABOVE_ROWS} rows; --solver adagrad streams)"
                );
                (args.flags.params(Solver::Lbfgs)?, Some(head))
            }
        }
    };
    let (model, report) = match in_memory {
        Some(batch) => {
            let csv = batch.unwrap_or_else(|| LabeledCsv::empty(&args.data, &args.text_column));
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
            let spinner = super::progress_bar(0, "{spinner} training ({msg} solver), {elapsed}");
            spinner.set_message(params.get().solver.to_string());
            spinner.enable_steady_tick(std::time::Duration::from_millis(200));
            let trained = train(&params, &csv.data);
            spinner.finish_and_clear();
            trained?
        }
        None => {
            let source = crate::error::display_path(&args.data);
            let mut epoch = 0;
            let bar = super::progress_bar(0, "{bar:40} {pos}/~{len} rows, pass {msg}, {elapsed}");
            // The file is scanned for record starts once; each pass reads it in another order.
            let mut scanned: Option<ShuffledCsvReader> = None;
            let trained = train_streaming(&params, &source, || {
                epoch += 1;
                let seed = args.seed.wrapping_add(epoch);
                let reader = match &scanned {
                    Some(file) => file.next_pass(seed)?,
                    None => {
                        let file = ShuffledCsvReader::open(
                            &args.data,
                            &args.text_column,
                            &columns,
                            args.filter.as_ref(),
                            seed,
                        )?;
                        scanned.insert(file).next_pass(seed)?
                    }
                };
                bar.set_length(reader.records_estimate());
                bar.set_position(0);
                bar.set_message(format!("{epoch}/{}", params.get().epochs));
                Ok(Progress {
                    inner: reader,
                    bar: bar.clone(),
                })
            });
            bar.finish_and_clear();
            trained?
        }
    };
    describe(&params, &report);
    model.save(&args.output)?;
    eprintln!(
        "wrote {} in {:.2} s",
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A batch source that moves a progress bar by the rows it hands out.
struct Progress<S> {
    inner: S,
    bar: indicatif::ProgressBar,
}

impl<S: BatchSource> BatchSource for Progress<S> {
    fn next_batch(&mut self, max_rows: usize) -> Result<Option<crate::model::LabeledTexts>> {
        let batch = self.inner.next_batch(max_rows)?;
        if let Some(batch) = &batch {
            self.bar.inc(batch.texts.len() as u64);
        }
        Ok(batch)
    }
}

/// What was trained, on stderr.
fn describe(params: &ValidTrainParams, report: &TrainReport) {
    let f = &params.get().features;
    let columns = match f.hash_bits {
        Some(bits) => format!("{} hashed columns (2^{bits})", report.vocabulary_size),
        None => format!("vocabulary: {} n-grams", report.vocabulary_size),
    };
    eprintln!(
        "{columns} (word {}..{}-grams{}{}, {}){}{}",
        f.ngram_min,
        f.ngram_max,
        f.char_ngrams
            .map(|(low, high)| format!(", character {low}..{high}-grams"))
            .unwrap_or_default(),
        if f.hash_bits.is_some() {
            String::new()
        } else {
            format!(
                ", min_df {}{}",
                f.min_df,
                f.max_features
                    .map(|m| format!(", max {m}"))
                    .unwrap_or_default()
            )
        },
        match (f.tfidf, f.hash_bits.is_some()) {
            (false, _) => "raw counts",
            (true, false) => "tf-idf",
            (true, true) => "sublinear tf, L2-normalized",
        },
        if f.lead_clause {
            " + lead-clause words"
        } else {
            ""
        },
        if f.lexicon {
            " + 8 lexicon features (sentiment, frame words)"
        } else {
            ""
        }
    );
    for task in &report.tasks {
        let classes: Vec<String> = task
            .class_counts
            .iter()
            .map(|(label, count)| format!("{label} {count}"))
            .collect();
        eprintln!(
            "task {}: {} rows, {} classes: {} ({} solver, {} {})",
            task.name,
            task.rows,
            classes.len(),
            classes.join(", "),
            params.get().solver,
            task.iterations,
            match (params.get().solver, task.iterations) {
                (Solver::Adagrad, 1) => "pass",
                (Solver::Adagrad, _) => "passes",
                _ => "iterations",
            }
        );
        let p = params.get();
        if p.solver == Solver::Lbfgs && task.iterations >= p.max_iter {
            eprintln!(
                "warning: task {}: L-BFGS stopped at --max-iter {} before its --tolerance {}: the \
                 weights are near the optimum, not at it (raise --max-iter to converge)",
                task.name, p.max_iter, p.tolerance
            );
        }
    }
}
