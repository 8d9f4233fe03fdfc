//! The library's one error type: every message names the file, the line or column, and what is wrong.

use std::path::PathBuf;

/// Where input came from, for error messages (`-` is standard input).
pub fn display_path(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StanceError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: line {line}: {message}")]
    Csv {
        path: String,
        line: u64,
        message: String,
    },

    #[error("{path}: no column named `{column}`; the columns are: {}", available.join(", "))]
    MissingColumn {
        path: String,
        column: String,
        available: Vec<String>,
    },

    #[error("{path}: line {line}: the row has {found} fields but the header has {expected}")]
    FieldCount {
        path: String,
        line: u64,
        expected: u64,
        found: u64,
    },

    #[error("{path}: line {line}: the bytes are not valid UTF-8")]
    NotUtf8 { path: String, line: u64 },

    #[error("{path}: column `{column}` has {} class(es) ({}); a task needs at least two", classes.len(), classes.join(", "))]
    TooFewClasses {
        path: String,
        column: String,
        classes: Vec<String>,
    },

    #[error("{path}: line {line}: column `{column}` has the label `{label}`, which the model does not know; its labels are: {}", known.join(", "))]
    UnknownLabel {
        path: String,
        line: u64,
        column: String,
        label: String,
        known: Vec<String>,
    },

    #[error("{path}: {problem}")]
    ModelFile { path: String, problem: String },

    #[error("invalid setting {name} = {value}: {reason}")]
    InvalidParam {
        name: &'static str,
        value: String,
        reason: String,
    },

    #[error("{0}")]
    Invalid(String),

    #[error("training task `{task}` failed: {message}")]
    Solver { task: String, message: String },

    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),
}

impl StanceError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StanceError::Io {
            path: display_path(&path.into()),
            source,
        }
    }
}

pub type Result<T, E = StanceError> = std::result::Result<T, E>;
