//! The fitted model: a shared vectorizer and one softmax head per task (e.g. `frame`, `tone`).

mod adagrad;
mod file;
mod fit;
mod memory;
mod naive_bayes;
mod solver;
mod streaming;
mod train;

pub use file::{persist_output, temp_file_beside, write_atomically, FORMAT_VERSION, MAGIC};
pub use fit::{SparseDataset, SparseFeatures};
pub use solver::Fitted;
pub use streaming::{train_streaming, BatchSource};
pub use train::{
    train, ClassWeight, LabeledTexts, Solver, TaskReport, TrainParams, TrainReport,
    ValidTrainParams, DEFAULT_NB_WEIGHT,
};

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use std::cell::RefCell;

use crate::features::{Scratch, SparseRow, SparseRows, Vectorizer};

/// The training flags, kept in the model file so a model says how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    pub c: f64,
    pub max_iter: u64,
    pub tolerance: f64,
    pub class_weight: ClassWeight,
    pub solver: Solver,
    /// Passes over the data (adagrad).
    pub epochs: u32,
    /// AdaGrad's base step size (adagrad).
    pub learning_rate: f64,
    /// Weight of the naive Bayes log-probabilities blended into the heads (0: none).
    pub nb_weight: f64,
    pub text_column: String,
    /// Rows used per task.
    pub rows: Vec<(String, usize)>,
}

/// One task's multinomial logistic regression over the shared features.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskHead {
    pub name: String,
    /// Class labels in score order (sorted).
    pub labels: Vec<String>,
    /// n_features × n_classes (single precision: half the memory and file, the same predictions).
    pub weights: Array2<f32>,
    /// One per class.
    pub intercept: Array1<f64>,
}

impl TaskHead {
    /// Class probabilities (softmax) for one feature row, in `labels` order.
    pub fn probabilities(&self, row: &SparseRow) -> Vec<f64> {
        self.probabilities_of(&row.columns, &row.values)
    }

    /// [`TaskHead::probabilities`] of a row given as its columns and values.
    pub fn probabilities_of(&self, columns: &[usize], values: &[f64]) -> Vec<f64> {
        let mut scores = self.intercept.to_vec();
        let k = scores.len();
        match self.weights.as_slice() {
            // The usual layout (row-major, contiguous): plain slices, no views.
            Some(weights) => {
                // A large (hashed) table is read at random: ask for every row before using the first, so
                // the memory reads overlap instead of waiting one after another.
                for &column in columns {
                    if let Some(first) = weights.get(column * k) {
                        prefetch(first);
                    }
                    if let Some(last) = weights.get(column * k + k - 1) {
                        prefetch(last);
                    }
                }
                for (&column, &value) in columns.iter().zip(values) {
                    let row = &weights[column * k..(column + 1) * k];
                    for (score, &weight) in scores.iter_mut().zip(row) {
                        *score += value * f64::from(weight);
                    }
                }
            }
            None => {
                for (&column, &value) in columns.iter().zip(values) {
                    for (score, &weight) in scores.iter_mut().zip(self.weights.row(column)) {
                        *score += value * f64::from(weight);
                    }
                }
            }
        }
        softmax_in_place(&mut scores);
        scores
    }
}

/// A hint to the CPU to load the cache line of `value`; nothing on other architectures.
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that never faults and changes no memory; SSE, which it needs, is
        // part of every x86-64 CPU. The pointer is to a live value anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Numerically stable softmax.
pub fn softmax_in_place(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for score in scores.iter_mut() {
        *score = (*score - max).exp();
        sum += *score;
    }
    scores.iter_mut().for_each(|score| *score /= sum);
}

/// What the model says about one text for one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPrediction {
    /// Index into the task's labels of the most probable class.
    pub best: usize,
    pub probabilities: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub vectorizer: Vectorizer,
    pub tasks: Vec<TaskHead>,
    pub training: TrainingRecord,
    /// The `stance` version that wrote the model.
    pub crate_version: String,
}

impl Model {
    /// Per task (in `tasks` order), the prediction for `text`.
    pub fn predict(&self, text: &str) -> Vec<TaskPrediction> {
        thread_local! {
            static BUFFERS: RefCell<(Scratch, SparseRow)> = RefCell::default();
        }
        BUFFERS.with(|buffers| {
            let (scratch, row) = &mut *buffers.borrow_mut();
            self.vectorizer.transform_into(text, scratch, row);
            self.predict_row(row)
        })
    }

    /// Per task, the predictions for many texts (in their order). While one text is scored, the weight
    /// rows of the next are already being fetched from memory: a large (hashed) model is mostly cache
    /// misses otherwise.
    pub fn predict_many<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<TaskPrediction>> {
        thread_local! {
            // Reused from call to call: large fresh buffers would cost page faults every time.
            static BUFFERS: RefCell<(Scratch, SparseRows, SparseRow)> = RefCell::default();
        }
        BUFFERS.with(|buffers| {
            let (scratch, rows, row) = &mut *buffers.borrow_mut();
            rows.clear();
            for text in texts {
                self.vectorizer.transform_into(text.as_ref(), scratch, row);
                rows.push(row);
            }
            (0..rows.len())
                .map(|i| {
                    if i + 1 < rows.len() {
                        self.prefetch(rows.row(i + 1).0);
                    }
                    let (columns, values) = rows.row(i);
                    self.predict_columns(columns, values)
                })
                .collect()
        })
    }

    /// Asks the CPU to start loading the weight rows of `columns` into cache.
    fn prefetch(&self, columns: &[usize]) {
        for task in &self.tasks {
            for &column in columns {
                if let Some(weight) = task.weights.get((column, 0)) {
                    prefetch(weight);
                }
            }
        }
    }

    /// Per task, the prediction for one feature row.
    pub fn predict_row(&self, row: &SparseRow) -> Vec<TaskPrediction> {
        self.predict_columns(&row.columns, &row.values)
    }

    fn predict_columns(&self, columns: &[usize], values: &[f64]) -> Vec<TaskPrediction> {
        self.tasks
            .iter()
            .map(|task| {
                let probabilities = task.probabilities_of(columns, values);
                TaskPrediction {
                    best: argmax(&probabilities),
                    probabilities,
                }
            })
            .collect()
    }

    pub fn task(&self, name: &str) -> Option<(usize, &TaskHead)> {
        self.tasks.iter().enumerate().find(|(_, t)| t.name == name)
    }
}

/// Index of the largest value (the first on ties).
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}
