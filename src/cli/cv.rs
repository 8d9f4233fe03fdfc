//! `stance cv`: k-fold cross-validation of the training settings on a labeled CSV.

use std::path::PathBuf;

use clap::Args;

use super::train::ModelFlags;
use super::write_output;
use crate::crossval::{cross_validate, mean_sd};
use crate::error::Result;
use crate::input::{read_labeled_csv, LabeledCsv, RowFilter};

/// What `cv` and `tune` cross-validate on: the data, its tasks, the folds.
#[derive(Debug, Args)]
pub struct CvData {
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
    pub filter: Option<RowFilter>,
    /// Keep all rows of a group (e.g. a story) in one fold.
    #[arg(long, value_name = "COLUMN")]
    pub group_column: Option<String>,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl CvData {
    /// The labeled rows and, with --group-column, each row's group (its line when the cell is empty).
    pub fn read(&self) -> Result<(LabeledCsv, Option<Vec<String>>)> {
        let mut columns: Vec<(String, String)> =
            self.labels.iter().map(|l| (l.clone(), l.clone())).collect();
        if let Some(group) = &self.group_column {
            columns.push((group.clone(), group.clone()));
        }
        let mut csv = read_labeled_csv(
            &self.data,
            &self.text_column,
            &columns,
            self.filter.as_ref(),
        )?;
        let groups = self.group_column.as_ref().map(|_| {
            let (_, cells) = csv.data.tasks.pop().unwrap_or_default();
            cells
                .into_iter()
                .zip(&csv.lines)
                .map(|(cell, line)| cell.unwrap_or_else(|| format!("line {line}")))
                .collect()
        });
        Ok((csv, groups))
    }

    /// "5-fold cross-validation of data.csv (123 rows, grouped by story)".
    pub fn describe(&self, rows: usize) -> String {
        format!(
            "{}-fold cross-validation of {} ({rows} rows{}, seed {})",
            self.folds,
            crate::error::display_path(&self.data),
            self.group_column
                .as_ref()
                .map(|g| format!(", grouped by {g}"))
                .unwrap_or_default(),
            self.seed
        )
    }
}

/// Cross-validate: train on k−1 folds, evaluate on the held-out fold, report each fold and mean ± sd.
#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    pub cv: CvData,
    #[command(flatten)]
    pub flags: ModelFlags,
    /// Write the report here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: CvArgs) -> Result<()> {
    let params = args.flags.params(args.flags.in_memory_solver())?;
    let cv = &args.cv;
    let (csv, groups) = cv.read()?;
    let folds = cross_validate(&params, &csv.data, groups.as_deref(), cv.folds, cv.seed)?;
    let mut out = format!("{}\n", cv.describe(csv.data.texts.len()));
    for (t, task) in cv.labels.iter().enumerate() {
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
