//! `stance uncertain`: the texts the model is least sure of, as a CSV ready for coders to label.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{load_model, write_output};
use crate::classify::{unit_spans, Unit};
use crate::error::{Result, StanceError};
use crate::explain::{entropy, margin};
use crate::input::{read_text, CsvInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Uncertainty {
    /// Highest entropy of the class scores first.
    Entropy,
    /// Smallest gap between the two best classes first.
    Margin,
}

/// List the N texts the model is least sure of (for one task), as CSV with empty label columns for
/// coders; fill them in and train on the file.
#[derive(Debug, Args)]
pub struct UncertainArgs {
    /// A text file (split into sentences) or a CSV file (`.csv`, one text per row of --text-column).
    pub corpus: PathBuf,
    /// How many texts to list.
    #[arg(long, default_value_t = 100)]
    pub n: usize,
    /// The task whose uncertainty ranks the texts (default: the model's first task).
    #[arg(long)]
    pub task: Option<String>,
    #[arg(long, value_enum, default_value_t = Uncertainty::Entropy)]
    pub by: Uncertainty,
    /// The column that holds the text (CSV corpus).
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Model file (default: the built-in model).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Write the CSV here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: UncertainArgs) -> Result<()> {
    let (model, _) = load_model(args.model.as_deref())?;
    let task_index = match &args.task {
        Some(name) => model.task(name).map(|(i, _)| i).ok_or_else(|| {
            let names: Vec<&str> = model.tasks.iter().map(|t| t.name.as_str()).collect();
            StanceError::Invalid(format!(
                "the model has no task `{name}`; its tasks are: {}",
                names.join(", ")
            ))
        })?,
        None => 0,
    };
    // (where, text)
    let mut texts: Vec<(String, String)> = Vec::new();
    if args
        .corpus
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        let mut input = CsvInput::open(&args.corpus)?;
        let column = input.column(&args.text_column)?;
        let mut record = csv::ByteRecord::new();
        while let Some(line) = input.next_record(&mut record)? {
            let text = input.field(&record, column, line)?.trim();
            if !text.is_empty() {
                texts.push((format!("line {line}"), text.to_string()));
            }
        }
    } else {
        let content = read_text(&args.corpus)?;
        for (start, end) in unit_spans(&content, Unit::Sentence) {
            let char_start = content[..start].chars().count();
            texts.push((
                format!("char {char_start}"),
                content[start..end].to_string(),
            ));
        }
    }
    let mut scored: Vec<(f64, usize, Vec<crate::model::TaskPrediction>)> = texts
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            let predictions = model.predict(text);
            let p = &predictions[task_index].probabilities;
            let rank = match args.by {
                Uncertainty::Entropy => -entropy(p),
                Uncertainty::Margin => margin(p),
            };
            (rank, i, predictions)
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.truncate(args.n);

    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "source".to_string(),
        "where".to_string(),
        "text".to_string(),
    ];
    for task in &model.tasks {
        header.push(task.name.clone());
        header.push(format!("{}_predicted", task.name));
        header.push(format!("{}_score", task.name));
    }
    header.push(format!("{:?}", args.by).to_lowercase());
    let write_error = |e: csv::Error| StanceError::Invalid(format!("cannot write CSV: {e}"));
    writer.write_record(&header).map_err(write_error)?;
    let source = crate::error::display_path(&args.corpus);
    for (rank, i, predictions) in &scored {
        let mut row = vec![source.clone(), texts[*i].0.clone(), texts[*i].1.clone()];
        for (task, p) in model.tasks.iter().zip(predictions) {
            row.push(String::new());
            row.push(task.labels[p.best].clone());
            row.push(format!("{:.4}", p.probabilities[p.best]));
        }
        let value = match args.by {
            Uncertainty::Entropy => -rank,
            Uncertainty::Margin => *rank,
        };
        row.push(format!("{value:.4}"));
        writer.write_record(&row).map_err(write_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| StanceError::Invalid(format!("cannot write CSV: {}", e.error())))?;
    write_output(args.output.as_ref(), &String::from_utf8_lossy(&bytes))
}
