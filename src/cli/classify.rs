//! `stance classify`: frame and tone of every sentence (or line, or document) of new text.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use std::io::{BufRead, BufReader};

use super::{load_model, with_output, write_output};
use crate::classify::{classify_document, render_line_units, Unit};
use crate::error::{Result, StanceError};
use crate::input::{read_text, CsvInput};
use crate::model::Model;
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassifyFormat {
    /// A table per document, with its summary (for people).
    Table,
    /// One JSON object: the model, and every document with its sentences and summary.
    Json,
    /// One JSON object per sentence and line, with its `document`.
    Jsonl,
    /// One CSV row per sentence with the predicted label and every class score per task.
    Csv,
    /// A page with each sentence shaded by its frame and marked by its tone, and the stance chart.
    Html,
}

/// Classify text files (or stdin) sentence by sentence; or annotate a CSV corpus with --csv.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Text files to classify; stdin when none or `-`.
    pub files: Vec<PathBuf>,
    /// Model file (default: the built-in model).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClassifyFormat::Table)]
    pub format: ClassifyFormat,
    /// What one prediction is for: sentences, input lines, or the whole input.
    #[arg(long, value_enum, default_value_t = Unit::Sentence)]
    pub unit: Unit,
    /// Annotate a CSV corpus: copy every column of IN.csv and append, per task, the predicted label
    /// and each class score (`task_label`); a name the input already has gets the prefix `predicted_`
    /// (a gold `frame` column stays, the prediction is `predicted_frame`). Each text cell is
    /// classified as one text.
    #[arg(long, value_name = "IN.csv", conflicts_with_all = ["files", "format", "unit"])]
    pub csv: Option<PathBuf>,
    /// The column that holds the text (with --csv).
    #[arg(long, default_value = "text", requires = "csv")]
    pub text_column: String,
    /// Write the output here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ClassifyArgs) -> Result<()> {
    let (model, model_source) = load_model(args.model.as_deref())?;
    if let Some(csv_path) = &args.csv {
        return annotate_csv(model, csv_path, &args.text_column, args.output.as_ref());
    }
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    if args.unit == Unit::Line && matches!(args.format, ClassifyFormat::Jsonl | ClassifyFormat::Csv)
    {
        return stream_lines(model, &files, args.format, args.output.as_ref());
    }
    let mut documents = Vec::with_capacity(files.len());
    for file in &files {
        let text = read_text(file)?;
        let source = crate::error::display_path(file);
        documents.push(classify_document(model, &source, &text, args.unit));
    }
    let rendered = match args.format {
        ClassifyFormat::Table => report::classify_table(model, &documents),
        ClassifyFormat::Json => report::classify_json(model, &model_source, &documents),
        ClassifyFormat::Jsonl => report::classify_jsonl(model, &documents),
        ClassifyFormat::Csv => report::classify_csv(model, &documents)
            .map_err(|e| StanceError::Invalid(format!("cannot write CSV: {e}")))?,
        ClassifyFormat::Html => crate::html::classify_html(model, &documents)
            .map_err(|e| StanceError::Invalid(format!("cannot draw the page: {e}")))?,
    };
    write_output(args.output.as_ref(), &rendered)
}

/// One text per line, written as it is classified: memory stays flat for inputs of any size.
fn stream_lines(
    model: &Model,
    files: &[PathBuf],
    format: ClassifyFormat,
    output: Option<&PathBuf>,
) -> Result<()> {
    let jsonl = report::JsonlWriter::new(model);
    with_output(output, |out| {
        let mut write = |bytes: &[u8]| {
            out.write_all(bytes)
                .map_err(|e| StanceError::io("<output>", e))
        };
        if format == ClassifyFormat::Csv {
            write(&csv_row(&report::csv_header(model))?)?;
        }
        for file in files {
            let source = crate::error::display_path(file);
            let render = |unit: &crate::classify::ClassifiedUnit, buffer: &mut Vec<u8>| {
                if format == ClassifyFormat::Csv {
                    buffer.extend(csv_row(&report::csv_record(model, &source, unit))?);
                } else {
                    jsonl.write_line(&source, unit, buffer);
                }
                Ok(())
            };
            let size = std::fs::metadata(file).map_or(0, |m| m.len());
            let bar = super::progress_bar(
                size,
                "{bar:40} {bytes}/{total_bytes} {elapsed} ({eta} left)",
            );
            let reader = bar.wrap_read(open_lines(file)?);
            let done = render_line_units(
                model,
                BufReader::with_capacity(1 << 16, reader),
                &source,
                render,
                &mut write,
            );
            bar.finish_and_clear();
            done?;
        }
        Ok(())
    })
}

/// One CSV row, quoted as needed, with its line break.
fn csv_row(fields: &[String]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).map_err(csv_write_error)?;
    writer
        .into_inner()
        .map_err(|e| StanceError::Invalid(format!("cannot write CSV: {e}")))
}

/// A buffered reader over a file, or stdin for `-`.
fn open_lines(file: &Path) -> Result<Box<dyn BufRead + Send>> {
    if file.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let handle = std::fs::File::open(file).map_err(|e| StanceError::io(file, e))?;
    Ok(Box::new(BufReader::new(handle)))
}

/// Every input row with its columns, then the label and class scores of each task, written row by row.
fn annotate_csv(
    model: &Model,
    path: &Path,
    text_column: &str,
    output: Option<&PathBuf>,
) -> Result<()> {
    let mut input = CsvInput::open(path)?;
    let text_index = input.column(text_column)?;
    let score_columns = report::score_columns(model);
    with_output(output, |out| {
        let mut writer = csv::Writer::from_writer(out);
        let mut header = input.headers.clone();
        header.extend(annotation_columns(&input.headers, &score_columns));
        writer.write_record(&header).map_err(csv_write_error)?;
        let mut record = csv::ByteRecord::new();
        while let Some(line) = input.next_record(&mut record)? {
            // Every cell is checked, so bytes that are not UTF-8 are named by their input line.
            let mut row: Vec<String> = (0..record.len())
                .map(|i| input.field(&record, i, line).map(str::to_string))
                .collect::<Result<_>>()?;
            let text = row.get(text_index).map(String::as_str).unwrap_or_default();
            if text.trim().is_empty() {
                row.extend(score_columns.iter().map(|_| String::new()));
            } else {
                let predictions = model.predict(text);
                row.extend(report::score_values(model, &predictions));
            }
            writer.write_record(&row).map_err(csv_write_error)?;
        }
        writer.flush().map_err(|e| StanceError::io("<output>", e))
    })
}

/// The appended column names: a name the input already has (a gold `frame` column, say) gets the
/// prefix `predicted_`, so no two columns of the output share a name.
fn annotation_columns(input_columns: &[String], score_columns: &[String]) -> Vec<String> {
    score_columns
        .iter()
        .map(|name| {
            if input_columns.contains(name) {
                format!("predicted_{name}")
            } else {
                name.clone()
            }
        })
        .collect()
}

/// A CSV write error; an I/O error stays one, so a closed pipe ends the output quietly.
fn csv_write_error(e: csv::Error) -> StanceError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => StanceError::Io {
            path: "<output>".into(),
            source,
        },
        other => StanceError::Invalid(format!("cannot write CSV: {other:?}")),
    }
}
