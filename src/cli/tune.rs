//! `stance tune`: search the training settings by (grouped) cross-validation and write the best ones
//! for `stance train --params`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::cv::CvData;
use super::write_output;
use crate::crossval::{cross_validate, mean_sd};
use crate::error::{Result, StanceError};
use crate::features::FeatureParams;
use crate::model::{ClassWeight, TrainParams};

/// Search C, n-gram range, min_df, tf-idf, character n-grams and class weights by k-fold
/// cross-validation (grouped with --group-column); rank settings by the mean macro-F1 over the tasks.
#[derive(Debug, Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub cv: CvData,
    /// Values of C to try.
    #[arg(long = "c", value_delimiter = ',', default_values_t = [1.0, 10.0])]
    pub c_values: Vec<f64>,
    /// Longest word n-grams to try.
    #[arg(long = "ngram-max", value_delimiter = ',', default_values_t = [1, 2])]
    pub ngram_max_values: Vec<usize>,
    /// min_df values to try.
    #[arg(long = "min-df", value_delimiter = ',', default_values_t = [2])]
    pub min_df_values: Vec<usize>,
    /// tf-idf on (`true`) and/or off (`false`).
    #[arg(long = "tfidf", value_delimiter = ',', default_values_t = [true])]
    pub tfidf_values: Vec<bool>,
    /// Character 2..5-grams on (`true`) and/or off (`false`).
    #[arg(long = "char-ngrams", value_delimiter = ',', default_values_t = [true, false])]
    pub char_values: Vec<bool>,
    /// Class weights to try.
    #[arg(long = "class-weight", value_delimiter = ',', default_values_t = [ClassWeight::None])]
    pub class_weights: Vec<ClassWeight>,
    /// Write the best settings (JSON) here, for `stance train --params`.
    #[arg(short, long, value_name = "PARAMS.json")]
    pub output: Option<PathBuf>,
}

struct Trial {
    params: TrainParams,
    /// Per task: (mean, sd) of macro-F1 over the folds.
    scores: Vec<(f64, f64)>,
    mean: f64,
}

fn grid(args: &TuneArgs) -> Vec<TrainParams> {
    let mut trials = Vec::new();
    for &c in &args.c_values {
        for &ngram_max in &args.ngram_max_values {
            for &min_df in &args.min_df_values {
                for &tfidf in &args.tfidf_values {
                    for &chars in &args.char_values {
                        for &class_weight in &args.class_weights {
                            trials.push(TrainParams {
                                features: FeatureParams {
                                    ngram_max,
                                    min_df,
                                    tfidf,
                                    char_ngrams: chars.then_some((2, 5)),
                                    lexicon: true,
                                    lead_clause: true,
                                    ..FeatureParams::default()
                                },
                                c,
                                class_weight,
                                ..TrainParams::default()
                            });
                        }
                    }
                }
            }
        }
    }
    trials
}

fn describe(p: &TrainParams) -> String {
    format!(
        "c={} ngram=1..{} min_df={} tfidf={} chars={} class_weight={}",
        p.c,
        p.features.ngram_max,
        p.features.min_df,
        p.features.tfidf,
        p.features.char_ngrams.is_some(),
        p.class_weight
    )
}

pub fn run(args: TuneArgs) -> Result<()> {
    let settings = grid(&args);
    // Every setting is checked before any data is read or any model trained.
    let checked = settings
        .iter()
        .map(|p| p.clone().check())
        .collect::<Result<Vec<_>>>()?;
    let cv = &args.cv;
    let (csv, groups) = cv.read()?;
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(checked.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} settings, {elapsed} ({eta} left) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut trials = Vec::with_capacity(checked.len());
    for (params, valid) in settings.into_iter().zip(&checked) {
        progress.set_message(describe(&params));
        let folds = cross_validate(valid, &csv.data, groups.as_deref(), cv.folds, cv.seed)?;
        let scores: Vec<(f64, f64)> = (0..cv.labels.len())
            .map(|t| mean_sd(&folds.iter().map(|f| f[t].macro_f1).collect::<Vec<_>>()))
            .collect();
        let mean = scores.iter().map(|s| s.0).sum::<f64>() / scores.len() as f64;
        trials.push(Trial {
            params,
            scores,
            mean,
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    trials.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    let mut out = format!(
        "{} settings, {}, ranked by mean macro-F1\n",
        trials.len(),
        cv.describe(csv.data.texts.len())
    );
    for (rank, trial) in trials.iter().enumerate() {
        let per_task: Vec<String> = cv
            .labels
            .iter()
            .zip(&trial.scores)
            .map(|(task, (mean, sd))| format!("{task} {mean:.3} ± {sd:.3}"))
            .collect();
        out.push_str(&format!(
            "{:>3}. mean {:.3}  {}  [{}]\n",
            rank + 1,
            trial.mean,
            per_task.join(", "),
            describe(&trial.params)
        ));
    }
    let best = trials
        .first()
        .ok_or_else(|| StanceError::Invalid("no setting to try".into()))?;
    if let Some(path) = &args.output {
        let mut json = serde_json::to_string_pretty(&best.params)
            .map_err(|e| StanceError::Invalid(format!("cannot encode settings: {e}")))?;
        json.push('\n');
        crate::model::write_atomically(path, json.as_bytes())?;
        out.push_str(&format!(
            "best settings written to {} (use: stance train --params {} ...)\n",
            path.display(),
            path.display()
        ));
    }
    write_output(None, &out)
}
