//! `stance cv`: k-fold cross-validation of the training settings on a labeled CSV.

use std::path::PathBuf;

use clap::Args;

use super::train::ModelFlags;
use super::write_output;
use crate::crossval::{cross_validate, mean_sd};
use crate::error::Result;
use crate::input::read_labeled_csv;

/// Cross-validate: train on k−1 folds, evaluate on the held-out fold, report each fold and mean ± sd.
#[derive(Debug, Args)]
pub struct CvArgs {
    /// Labeled CSV file.
    pub data: PathBuf,
    /// A label column (task) to evaluate; stratification uses the first.
    #[arg(long = "label", required = true, value_name = "TASK")]
    pub labels: Vec<String>,
    /// The column that holds the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Number of folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Use only the rows whose COLUMN holds VALUE, e.g. `--filter split=train`.
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub filter: Option<crate::input::RowFilter>,
    /// Keep all rows of a group (e.g. a story) in one fold.
    #[arg(long, value_name = "COLUMN")]
    pub group_column: Option<String>,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub flags: ModelFlags,
    /// Write the report here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: CvArgs) -> Result<()> {
    let params = args.flags.params()?;
    let mut columns: Vec<(String, String)> =
        args.labels.iter().map(|l| (l.clone(), l.clone())).collect();
    if let Some(group) = &args.group_column {
        columns.push((group.clone(), group.clone()));
    }
    let mut csv = read_labeled_csv(
        &args.data,
        &args.text_column,
        &columns,
        args.filter.as_ref(),
    )?;
    let groups: Option<Vec<String>> = args.group_column.as_ref().map(|_| {
        let (_, cells) = csv.data.tasks.pop().unwrap_or_default();
        cells
            .into_iter()
            .zip(&csv.lines)
            .map(|(cell, line)| cell.unwrap_or_else(|| format!("line {line}")))
            .collect()
    });
    let folds = cross_validate(&params, &csv.data, groups.as_deref(), args.folds, args.seed)?;
    let mut out = format!(
        "{}-fold cross-validation of {} ({} rows{}, seed {})\n",
        args.folds,
        csv.data.source,
        csv.data.texts.len(),
        args.group_column
            .as_ref()
            .map(|g| format!(", grouped by {g}"))
            .unwrap_or_default(),
        args.seed
    );
    for (t, task) in args.labels.iter().enumerate() {
        for (metric, pick) in [
            (
                "accuracy",
                (|e| e.accuracy) as fn(&crate::eval::TaskEvaluation) -> f64,
            ),
            ("macro-F1", |e| e.macro_f1),
            ("kappa", |e| e.kappa),
            ("log loss", |e| e.log_loss),
        ] {
            let values: Vec<f64> = folds.iter().map(|f| pick(&f[t])).collect();
            let (mean, sd) = mean_sd(&values);
            let each: Vec<String> = values.iter().map(|v| format!("{v:.3}")).collect();
            out.push_str(&format!(
                "{task:<8} {metric:<9} {mean:.3} ± {sd:.3}   folds: {}\n",
                each.join(" ")
            ));
        }
    }
    write_output(args.output.as_ref(), &out)
}
