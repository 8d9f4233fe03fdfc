//! `stance explain` and `stance inspect`: why a text got its labels, and what a model has learned.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{load_model, write_output};
use crate::classify::{unit_spans, Unit};
use crate::error::{Result, StanceError};
use crate::explain::{explain, top_features};
use crate::input::read_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

/// Explain predictions: per task, the label and the n-grams that pushed toward and against it
/// (contribution = feature value × the class weight relative to the mean over classes).
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The text to explain (or use --file).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub text: Option<String>,
    /// Explain every sentence of this file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Model file (default: the built-in model).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// How many n-grams to list each way.
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

pub fn run_explain(args: ExplainArgs) -> Result<()> {
    let (model, _) = load_model(args.model.as_deref())?;
    let texts: Vec<String> = match (&args.text, &args.file) {
        (Some(text), _) => vec![text.clone()],
        (None, Some(file)) => {
            let content = read_text(file)?;
            unit_spans(&content, Unit::Sentence)
                .into_iter()
                .map(|(start, end)| content[start..end].to_string())
                .collect()
        }
        (None, None) => return Err(StanceError::Invalid("give a text or --file".into())),
    };
    let mut out = String::new();
    let mut json_items = Vec::new();
    for text in &texts {
        let explanations = explain(model, text);
        if args.format == ExplainFormat::Text {
            out.push_str(&format!("{text}\n"));
        }
        let mut tasks = serde_json::Map::new();
        for e in &explanations {
            let toward: Vec<_> = e
                .contributions
                .iter()
                .filter(|c| c.contribution > 0.0)
                .take(args.top)
                .collect();
            let against: Vec<_> = e
                .contributions
                .iter()
                .rev()
                .filter(|c| c.contribution < 0.0)
                .take(args.top)
                .collect();
            match args.format {
                ExplainFormat::Text => {
                    let list = |items: &[&crate::explain::Contribution]| {
                        items
                            .iter()
                            .map(|c| format!("{} {:+.3}", c.feature, c.contribution))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    out.push_str(&format!(
                        "  {}: {} ({:.2})\n",
                        e.task, e.label, e.probability
                    ));
                    out.push_str(&format!("    toward:  {}\n", list(&toward)));
                    out.push_str(&format!("    against: {}\n", list(&against)));
                }
                ExplainFormat::Json => {
                    let items = |items: &[&crate::explain::Contribution]| {
                        items
                            .iter()
                            .map(|c| json!({"ngram": c.feature, "value": c.value, "contribution": c.contribution}))
                            .collect::<Vec<_>>()
                    };
                    tasks.insert(
                        e.task.clone(),
                        json!({"label": e.label, "probability": e.probability,
                               "toward": items(&toward), "against": items(&against)}),
                    );
                }
            }
        }
        if args.format == ExplainFormat::Json {
            json_items.push(json!({"text": text, "tasks": tasks}));
        } else {
            out.push('\n');
        }
    }
    if args.format == ExplainFormat::Json {
        out = serde_json::to_string_pretty(&json_items).unwrap_or_default();
        out.push('\n');
    }
    write_output(None, &out)
}

/// Show what a model holds: tasks, labels, training flags, vocabulary size and each class's top n-grams.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model file (default: the built-in model).
    pub model: Option<PathBuf>,
    /// How many n-grams to list per class.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
}

pub fn run_inspect(args: InspectArgs) -> Result<()> {
    let (model, source) = load_model(args.model.as_deref())?;
    let info = crate::report::model_json(model, &source);
    let mut out = format!(
        "model: {source}\n{}\n",
        serde_json::to_string_pretty(&info).unwrap_or_default()
    );
    if model.vectorizer.is_hashed() {
        out.push_str(
            "\nhashed features: the model keeps no n-gram names, so it cannot list its top n-grams; \
             `stance explain` names the n-grams of a given text\n",
        );
        return write_output(None, &out);
    }
    for task in &model.tasks {
        out.push_str(&format!("\ntask {}: top n-grams per class\n", task.name));
        for (label, top) in task.labels.iter().zip(top_features(model, task, args.top)) {
            let list: Vec<String> = top.iter().map(|(f, w)| format!("{f} {w:.2}")).collect();
            out.push_str(&format!("  {label}: {}\n", list.join(", ")));
        }
    }
    write_output(None, &out)
}
