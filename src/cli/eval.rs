//! `stance eval`: how well a model agrees with labeled data it has not seen.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{load_model, write_output};
use crate::error::{Result, StanceError};
use crate::eval::{evaluate_task, Scored, TaskEvaluation};
use crate::input::{read_labeled_csv, RowFilter};
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
    Markdown,
    /// One self-contained page with charts (confusion heatmap, per-class bars, reliability diagram).
    Html,
}

/// Evaluate a model on a labeled CSV: accuracy, macro/weighted F1, per-class precision/recall/F1,
/// confusion matrix, Cohen's kappa, log loss and the most confident errors, for each task.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labeled CSV (each text cell is classified as one text).
    pub data: PathBuf,
    /// Model file (default: the built-in model).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Gold labels of TASK are in COLUMN (default: the column named like the task).
    #[arg(long = "column", value_name = "TASK=COLUMN", value_parser = parse_task_column)]
    pub columns: Vec<(String, String)>,
    /// The column that holds the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Evaluate only the rows whose COLUMN holds VALUE, e.g. `--filter split=test`.
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub filter: Option<RowFilter>,
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Bootstrap resamples for the 95 % intervals of accuracy and macro-F1 (0: none).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap resampling.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many of the most confident errors to list per task.
    #[arg(long, default_value_t = 10)]
    pub errors: usize,
    /// Write the report here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_task_column(value: &str) -> std::result::Result<(String, String), String> {
    match value.split_once('=') {
        Some((task, column)) if !task.is_empty() && !column.is_empty() => {
            Ok((task.to_string(), column.to_string()))
        }
        _ => Err(format!("`{value}` is not TASK=COLUMN")),
    }
}

pub fn run(args: EvalArgs) -> Result<()> {
    let (model, _) = load_model(args.model.as_deref())?;
    for (task, _) in &args.columns {
        if model.task(task).is_none() {
            let tasks: Vec<&str> = model.tasks.iter().map(|t| t.name.as_str()).collect();
            return Err(StanceError::Invalid(format!(
                "--column {task}=…: the model has no task `{task}`; its tasks are: {}",
                tasks.join(", ")
            )));
        }
    }
    let headers = crate::input::CsvInput::open(&args.data)?.headers;
    let pairs: Vec<(String, String)> = model
        .tasks
        .iter()
        .map(|task| {
            let column = args
                .columns
                .iter()
                .find(|(t, _)| *t == task.name)
                .map_or_else(|| task.name.clone(), |(_, c)| c.clone());
            (task.name.clone(), column)
        })
        .filter(|(_, column)| headers.contains(column))
        .collect();
    if pairs.is_empty() {
        let wanted: Vec<&str> = model.tasks.iter().map(|t| t.name.as_str()).collect();
        return Err(StanceError::Invalid(format!(
            "{}: no column holds the labels of the model's tasks ({}); the columns are: {}; \
             name one with --column TASK=COLUMN",
            crate::error::display_path(&args.data),
            wanted.join(", "),
            headers.join(", ")
        )));
    }
    let csv = read_labeled_csv(&args.data, &args.text_column, &pairs, args.filter.as_ref())?;
    let predictions: Vec<_> = csv.data.texts.iter().map(|t| model.predict(t)).collect();
    let mut evaluations: Vec<TaskEvaluation> = Vec::new();
    for ((task_name, column), (_, gold_labels)) in pairs.iter().zip(&csv.data.tasks) {
        let Some((t, task)) = model.task(task_name) else {
            continue;
        };
        let mut examples = Vec::new();
        for (row, gold) in gold_labels.iter().enumerate() {
            let Some(gold) = gold else { continue };
            let gold_index = task.labels.iter().position(|l| l == gold).ok_or_else(|| {
                StanceError::UnknownLabel {
                    path: csv.data.source.clone(),
                    line: csv.lines[row],
                    column: column.clone(),
                    label: gold.clone(),
                    known: task.labels.clone(),
                }
            })?;
            examples.push(Scored {
                gold: gold_index,
                probabilities: &predictions[row][t].probabilities,
                text: &csv.data.texts[row],
                line: csv.lines[row],
            });
        }
        if examples.is_empty() {
            continue;
        }
        evaluations.push(evaluate_task(
            task_name,
            column,
            &task.labels,
            &examples,
            args.errors,
            Some((args.bootstrap, args.seed)),
        ));
    }
    let source = crate::error::display_path(&args.data);
    let rendered = match args.format {
        EvalFormat::Json => report::eval_json(&evaluations),
        EvalFormat::Text => report::eval_tables(&evaluations, &source, false),
        EvalFormat::Markdown => report::eval_tables(&evaluations, &source, true),
        EvalFormat::Html => crate::html::eval_html(model, &evaluations, &source)
            .map_err(|e| StanceError::Invalid(format!("cannot draw the report: {e}")))?,
    };
    write_output(args.output.as_ref(), &rendered)
}
