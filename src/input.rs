//! Reading what users give us: text files (or stdin) and labeled CSV files, with errors that name the
//! file, the line and what is wrong.

use std::io::Read;
use std::path::Path;

use crate::error::{display_path, Result, StanceError};
use crate::model::LabeledTexts;

/// Reads a whole text file (`-` for stdin) as UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| StanceError::io(path, e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| StanceError::io(path, e))?;
    }
    into_utf8(bytes, &display_path(path), 1)
}

/// `bytes` as a `String`, or an error naming the line (counted from `first_line`) of the first bad byte.
pub fn into_utf8(bytes: Vec<u8>, path: &str, first_line: u64) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = first_line
            + e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
        StanceError::NotUtf8 {
            path: path.to_string(),
            line,
        }
    })
}

/// A CSV reader over a file, with the header row checked.
pub struct CsvInput {
    pub path: String,
    pub reader: csv::Reader<Box<dyn Read>>,
    pub headers: Vec<String>,
}

impl CsvInput {
    pub fn open(path: &Path) -> Result<Self> {
        let source: Box<dyn Read> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|e| StanceError::io(path, e))?)
        };
        let name = display_path(path);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(source);
        let header_bytes = reader
            .byte_headers()
            .map_err(|e| csv_error(&name, e))?
            .clone();
        let headers = header_bytes
            .iter()
            .map(|field| {
                std::str::from_utf8(field)
                    .map(|s| s.trim_start_matches('\u{feff}').to_string())
                    .map_err(|_| StanceError::NotUtf8 {
                        path: name.clone(),
                        line: 1,
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CsvInput {
            path: name,
            reader,
            headers,
        })
    }

    /// Index of a named column, or an error listing the columns there are.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| StanceError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                available: self.headers.clone(),
            })
    }

    /// The next record and its line number, or `None` at the end.
    pub fn next_record(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>> {
        match self.reader.read_byte_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(record.position().map_or(0, |p| p.line()))),
            Err(e) => Err(csv_error(&self.path, e)),
        }
    }

    /// A field of the record as UTF-8 text.
    pub fn field<'r>(
        &self,
        record: &'r csv::ByteRecord,
        index: usize,
        line: u64,
    ) -> Result<&'r str> {
        std::str::from_utf8(record.get(index).unwrap_or_default()).map_err(|_| {
            StanceError::NotUtf8 {
                path: self.path.clone(),
                line,
            }
        })
    }
}

fn csv_error(path: &str, error: csv::Error) -> StanceError {
    let line = error.position().map_or(0, |p| p.line());
    match error.into_kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => StanceError::FieldCount {
            path: path.to_string(),
            line: pos.map_or(line, |p| p.line()),
            expected: expected_len,
            found: len,
        },
        csv::ErrorKind::Io(source) => StanceError::Io {
            path: path.to_string(),
            source,
        },
        other => StanceError::Csv {
            path: path.to_string(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// Labeled rows of a CSV: the text column and, per task, its label column (empty cell = no label).
/// Rows whose text is empty are skipped and counted.
#[derive(Debug)]
pub struct LabeledCsv {
    pub data: LabeledTexts,
    /// Line number of each kept row.
    pub lines: Vec<u64>,
    pub skipped_empty_text: usize,
}

/// Keep only rows whose `column` holds `value` (e.g. `split=test`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFilter {
    pub column: String,
    pub value: String,
}

impl std::str::FromStr for RowFilter {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.split_once('=') {
            Some((column, value)) if !column.is_empty() => Ok(RowFilter {
                column: column.to_string(),
                value: value.to_string(),
            }),
            _ => Err(format!("`{s}` is not COLUMN=VALUE")),
        }
    }
}

/// Reads `text_column` and the `(task, column)` label columns of a CSV, keeping the rows that pass
/// `filter`.
pub fn read_labeled_csv(
    path: &Path,
    text_column: &str,
    label_columns: &[(String, String)],
    filter: Option<&RowFilter>,
) -> Result<LabeledCsv> {
    let mut input = CsvInput::open(path)?;
    let text_index = input.column(text_column)?;
    let filter_index = filter.map(|f| input.column(&f.column)).transpose()?;
    let label_indices = label_columns
        .iter()
        .map(|(_, column)| input.column(column))
        .collect::<Result<Vec<_>>>()?;
    let mut texts = Vec::new();
    let mut lines = Vec::new();
    let mut labels: Vec<Vec<Option<String>>> = vec![Vec::new(); label_columns.len()];
    let mut skipped_empty_text = 0;
    let mut record = csv::ByteRecord::new();
    while let Some(line) = input.next_record(&mut record)? {
        if let (Some(filter), Some(index)) = (filter, filter_index) {
            if input.field(&record, index, line)? != filter.value {
                continue;
            }
        }
        let text = input.field(&record, text_index, line)?.trim();
        if text.is_empty() {
            skipped_empty_text += 1;
            continue;
        }
        texts.push(text.to_string());
        lines.push(line);
        for (task_labels, &index) in labels.iter_mut().zip(&label_indices) {
            let label = input.field(&record, index, line)?.trim();
            task_labels.push((!label.is_empty()).then(|| label.to_string()));
        }
    }
    Ok(LabeledCsv {
        data: LabeledTexts {
            source: input.path.clone(),
            text_column: text_column.to_string(),
            texts,
            tasks: label_columns
                .iter()
                .map(|(task, _)| task.clone())
                .zip(labels)
                .collect(),
        },
        lines,
        skipped_empty_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn csv_file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(content).unwrap();
        file
    }

    fn frame() -> Vec<(String, String)> {
        vec![("frame".to_string(), "frame".to_string())]
    }

    #[test]
    fn reads_texts_and_labels_and_counts_empty_texts() {
        let file = csv_file(b"text,frame\n\"Oil, gas\",economic\n,military\nTroops,\n");
        let csv = read_labeled_csv(file.path(), "text", &frame(), None).unwrap();
        assert_eq!(csv.data.texts, vec!["Oil, gas", "Troops"]);
        assert_eq!(csv.data.tasks[0].1, vec![Some("economic".into()), None]);
        assert_eq!(csv.skipped_empty_text, 1);
        assert_eq!(csv.lines, vec![2, 4]);
    }

    #[test]
    fn a_missing_column_lists_the_columns() {
        let file = csv_file(b"sentence,frame\nx,y\n");
        let err = read_labeled_csv(file.path(), "text", &frame(), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`text`") && err.contains("sentence, frame"),
            "{err}"
        );
    }

    #[test]
    fn a_short_row_names_its_line() {
        let file = csv_file(b"text,frame\na,economic\nb\n");
        let err = read_labeled_csv(file.path(), "text", &frame(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("1 fields"), "{err}");
    }

    #[test]
    fn bad_utf8_names_its_line() {
        let file = csv_file(b"text,frame\na,economic\n\xff\xfe,military\n");
        let err = read_labeled_csv(file.path(), "text", &frame(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn utf8_error_counts_lines() {
        let err = into_utf8(b"one\ntwo\nthr\xffee".to_vec(), "f.txt", 1).unwrap_err();
        assert!(err.to_string().contains("f.txt: line 3"), "{err}");
    }
}
