//! `stance agreement`: how far two label columns agree (two coders, or a coder and the model's output
//! from `classify --csv`): percent agreement, Cohen's kappa, Krippendorff's alpha, confusion matrix.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::write_output;
use crate::error::{Result, StanceError};
use crate::eval::{accuracy, cohen_kappa, confusion_matrix, krippendorff_alpha};
use crate::input::read_labeled_csv;

/// Inter-coder agreement between two label columns of a CSV (rows where both are filled).
#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// CSV file with the two label columns.
    pub data: PathBuf,
    /// The two columns to compare.
    #[arg(long, num_args = 2, required = true, value_names = ["FIRST", "SECOND"])]
    pub columns: Vec<String>,
    /// The text column: rows with an empty text are skipped.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AgreementArgs) -> Result<()> {
    let columns: Vec<(String, String)> = args
        .columns
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    let csv = read_labeled_csv(&args.data, &args.text_column, &columns, None)?;
    let (first, second) = (&csv.data.tasks[0].1, &csv.data.tasks[1].1);
    let pairs: Vec<(&str, &str)> = first
        .iter()
        .zip(second)
        .filter_map(|(a, b)| Some((a.as_deref()?, b.as_deref()?)))
        .collect();
    if pairs.is_empty() {
        return Err(StanceError::Invalid(format!(
            "{}: no row has both `{}` and `{}` filled",
            csv.data.source, args.columns[0], args.columns[1]
        )));
    }
    let labels: Vec<&str> = pairs
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index = |l: &str| labels.iter().position(|x| *x == l).unwrap_or(0);
    let confusion = confusion_matrix(
        labels.len(),
        pairs.iter().map(|(a, b)| (index(a), index(b))),
    );
    let (agree, kappa, alpha) = (
        accuracy(&confusion),
        cohen_kappa(&confusion),
        krippendorff_alpha(&confusion),
    );
    let out = if args.json {
        let mut text = serde_json::to_string_pretty(&json!({
            "columns": args.columns, "n": pairs.len(), "agreement": agree, "kappa": kappa,
            "krippendorff_alpha": alpha, "confusion": {"labels": labels, "matrix": confusion},
        }))
        .unwrap_or_default();
        text.push('\n');
        text
    } else {
        let mut text = format!(
            "{} vs {} on {} rows: agreement {agree:.3}, Cohen's kappa {kappa:.3}, Krippendorff's alpha {alpha:.3}\n",
            args.columns[0],
            args.columns[1],
            pairs.len()
        );
        text.push_str(&format!(
            "rows: {}, columns: {}\n",
            args.columns[0], args.columns[1]
        ));
        let width = labels.iter().map(|l| l.len()).max().unwrap_or(5).max(5);
        text.push_str(&format!("{:width$}", ""));
        for l in &labels {
            text.push_str(&format!(" {l:>width$}"));
        }
        text.push('\n');
        for (l, row) in labels.iter().zip(&confusion) {
            text.push_str(&format!("{l:width$}"));
            for c in row {
                text.push_str(&format!(" {c:>width$}"));
            }
            text.push('\n');
        }
        text
    };
    write_output(None, &out)
}
