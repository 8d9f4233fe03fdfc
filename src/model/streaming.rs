//! Training on data larger than memory: rows arrive in batches, read on one thread, their hashed features
//! computed in parallel on another, while AdaGrad learns from the batch before on a third, in input order.
//! Memory holds the weight table and a few batches, whatever the number of rows.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use super::adagrad::AdagradHead;
use super::train::{
    assemble_model, ClassWeight, LabeledTexts, Solver, TaskReport, TrainReport, ValidTrainParams,
};
use super::{Model, TaskHead};
use crate::error::{Result, StanceError};
use crate::features::{Scratch, SparseRow, SparseRows, Vectorizer};

/// Rows per batch: enough to keep both cores busy, few enough that memory does not notice.
pub const STREAM_BATCH_ROWS: usize = 8192;
/// Rows featurized together by one parallel work item.
const ROWS_PER_TASK: usize = 512;

/// One task's labels in a batch: the distinct labels in the order they first appear, and each row's
/// index into them (`None` for an unlabeled row). The reading side builds it, so the learner compares no
/// strings and frees none.
struct BatchLabels {
    names: Vec<String>,
    ids: Vec<Option<u32>>,
}

impl BatchLabels {
    fn new(labels: Vec<Option<String>>) -> Self {
        let mut names: Vec<String> = Vec::new();
        // Few classes: comparing the labels is faster than hashing them; many: a map.
        let mut index: HashMap<String, u32> = HashMap::new();
        let ids = labels
            .into_iter()
            .map(|label| {
                let label = label?;
                let known = if names.len() <= 16 {
                    names
                        .iter()
                        .position(|name| *name == label)
                        .map(|id| id as u32)
                } else {
                    index.get(&label).copied()
                };
                Some(known.unwrap_or_else(|| {
                    let id = names.len() as u32;
                    index.insert(label.clone(), id);
                    names.push(label);
                    id
                }))
            })
            .collect();
        BatchLabels { names, ids }
    }
}

/// What the reading side hands the learner: the feature rows of a batch and each task's labels.
struct FeaturizedBatch {
    text_column: String,
    tasks: Vec<(String, BatchLabels)>,
    rows: Vec<SparseRows>,
}

/// The feature rows of a batch's texts (computed in parallel) and its labels as ids. The texts are
/// freed here, on the reading side, not by the learner.
fn featurize(vectorizer: &Vectorizer, batch: LabeledTexts) -> FeaturizedBatch {
    let rows: Vec<SparseRows> = batch
        .texts
        .par_chunks(ROWS_PER_TASK)
        .map_init(
            || (Scratch::default(), SparseRow::default()),
            |(scratch, row), texts| {
                let mut rows = SparseRows::default();
                for text in texts {
                    vectorizer.transform_into(text, scratch, row);
                    rows.push(row);
                }
                rows
            },
        )
        .collect();
    FeaturizedBatch {
        text_column: batch.text_column,
        tasks: batch
            .tasks
            .into_iter()
            .map(|(name, labels)| (name, BatchLabels::new(labels)))
            .collect(),
        rows,
    }
}

/// Labeled rows, batch by batch (a CSV read as it goes).
pub trait BatchSource: Send {
    /// Up to `max_rows` more rows, or `None` at the end. Every batch has the same tasks in the same order.
    fn next_batch(&mut self, max_rows: usize) -> Result<Option<LabeledTexts>>;
}

/// One task while it streams: its classes in the order they first appeared, and its head.
struct StreamTask {
    name: String,
    class_index: HashMap<String, usize>,
    classes: Vec<String>,
    counts: Vec<usize>,
    /// Rows of each class learned from so far (over all passes): the class weights of a stream.
    seen: Vec<usize>,
    head: Option<AdagradHead>,
}

/// A stream's balanced class weight can only use the class counts read so far; capped so that the first
/// row of a class is not a hundredfold step.
const MAX_STREAM_CLASS_WEIGHT: f64 = 10.0;

impl StreamTask {
    /// Learns from the labeled rows of one batch; `count` them in the class counts on the first pass.
    fn learn(
        &mut self,
        labels: &BatchLabels,
        rows: &[SparseRows],
        n_features: usize,
        rate: f64,
        count: bool,
        class_weight: ClassWeight,
    ) {
        // The batch's labels in the order they first appear in it, so classes keep that order overall.
        let class_of_name: Vec<usize> = labels.names.iter().map(|l| self.class_of(l)).collect();
        if self.head.is_none() {
            // Classes of the first batch are known before the table is allocated: no regrowth for them.
            if self.classes.is_empty() {
                return;
            }
            self.head = Some(AdagradHead::new(n_features, self.classes.len(), rate));
        }
        let Some(head) = self.head.as_mut() else {
            return;
        };
        let all_rows = rows
            .iter()
            .flat_map(|part| (0..part.len()).map(move |i| part.row(i)));
        let mut next_rows = all_rows.clone().skip(1);
        for (label, (columns, values)) in labels.ids.iter().zip(all_rows) {
            if let Some((next, _)) = next_rows.next() {
                head.prefetch(next);
            }
            let Some(label) = label else { continue };
            let class = class_of_name[*label as usize];
            if count {
                self.counts[class] += 1;
            }
            self.seen[class] += 1;
            let weight = match class_weight {
                ClassWeight::None => 1.0,
                // n / (classes × class count), as for in-memory data, from the rows read so far.
                ClassWeight::Balanced => {
                    let rows: usize = self.seen.iter().sum();
                    let share = self.seen.len() as f64 * self.seen[class] as f64;
                    (rows as f64 / share).min(MAX_STREAM_CLASS_WEIGHT)
                }
            };
            // A class first seen in a later batch joins the table at its first row.
            while head.n_classes() <= class {
                head.add_class();
            }
            head.update(columns, values, class, weight);
        }
    }

    fn class_of(&mut self, label: &str) -> usize {
        if let Some(&class) = self.class_index.get(label) {
            return class;
        }
        self.classes.push(label.to_string());
        self.counts.push(0);
        self.seen.push(0);
        self.class_index
            .insert(label.to_string(), self.classes.len() - 1);
        self.classes.len() - 1
    }
}

/// Trains with the `adagrad` solver on hashed features, reading the data `params.epochs` times through
/// `open` (each call starts the data from its beginning). `source` names the data in errors.
pub fn train_streaming<S: BatchSource>(
    params: &ValidTrainParams,
    source: &str,
    mut open: impl FnMut() -> Result<S>,
) -> Result<(Model, TrainReport)> {
    let p = params.get();
    if p.solver != Solver::Adagrad || p.features.hash_bits.is_none() {
        return Err(StanceError::Invalid(
            "streaming training needs the adagrad solver and hashed features (--hash-bits)".into(),
        ));
    }
    let vectorizer = Vectorizer::hashed(p.features.clone());
    let n_features = vectorizer.n_features();
    let mut tasks: Vec<StreamTask> = Vec::new();
    let mut text_column = String::new();
    for epoch in 0..p.epochs {
        let mut data = open()?;
        std::thread::scope(|scope| -> Result<()> {
            // Three stages on their own threads, each handing the next a bounded queue: reading (chunks
            // read in parallel, then shuffled), featurizing (in parallel) and learning (in input order).
            // Reading's and featurizing's serial parts then overlap each other's parallel parts.
            let (read_sender, read_receiver) = sync_channel::<Result<LabeledTexts>>(1);
            let (sender, receiver) = sync_channel::<Result<FeaturizedBatch>>(2);
            let vectorizer = &vectorizer;
            scope.spawn(move || loop {
                let batch = data.next_batch(STREAM_BATCH_ROWS).transpose();
                let Some(batch) = batch else { return };
                let failed = batch.is_err();
                if read_sender.send(batch).is_err() || failed {
                    return; // the next stage stopped on an error, or this one did
                }
            });
            scope.spawn(move || {
                for batch in read_receiver {
                    let featurized = batch.map(|batch| featurize(vectorizer, batch));
                    let failed = featurized.is_err();
                    if sender.send(featurized).is_err() || failed {
                        return;
                    }
                }
            });
            for item in receiver {
                let batch = item?;
                if tasks.is_empty() {
                    text_column = batch.text_column.clone();
                    tasks = batch
                        .tasks
                        .iter()
                        .map(|(name, _)| StreamTask {
                            name: name.clone(),
                            class_index: HashMap::new(),
                            classes: Vec::new(),
                            counts: Vec::new(),
                            seen: Vec::new(),
                            head: None,
                        })
                        .collect();
                }
                for (task, (_, labels)) in tasks.iter_mut().zip(&batch.tasks) {
                    task.learn(
                        labels,
                        &batch.rows,
                        n_features,
                        p.learning_rate,
                        epoch == 0,
                        p.class_weight,
                    );
                }
            }
            Ok(())
        })?;
    }
    finish(params, source, vectorizer, tasks, text_column)
}

/// Puts each task's classes in sorted order and builds the model and its report.
fn finish(
    params: &ValidTrainParams,
    source: &str,
    vectorizer: Vectorizer,
    tasks: Vec<StreamTask>,
    text_column: String,
) -> Result<(Model, TrainReport)> {
    let p = params.get();
    if tasks.iter().all(|t| t.head.is_none()) {
        return Err(StanceError::Invalid(format!(
            "{source}: no row has both a text and a label"
        )));
    }
    let mut heads = Vec::new();
    let mut reports = Vec::new();
    for task in tasks {
        let sorted: BTreeMap<&str, usize> = task
            .classes
            .iter()
            .enumerate()
            .map(|(i, label)| (label.as_str(), i))
            .collect();
        let (Some(head), true) = (task.head, sorted.len() >= 2) else {
            return Err(StanceError::TooFewClasses {
                path: source.to_string(),
                column: task.name,
                classes: sorted.keys().map(|s| s.to_string()).collect(),
            });
        };
        let order: Vec<usize> = sorted.values().copied().collect();
        let labels: Vec<String> = sorted.keys().map(|s| s.to_string()).collect();
        reports.push(TaskReport {
            name: task.name.clone(),
            rows: task.counts.iter().sum(),
            class_counts: order
                .iter()
                .map(|&i| (task.classes[i].clone(), task.counts[i]))
                .collect(),
            iterations: u64::from(p.epochs),
        });
        let (weights, intercept) = head.into_weights(&order);
        heads.push(TaskHead {
            name: task.name,
            labels,
            weights,
            intercept,
        });
    }
    let report = TrainReport {
        vocabulary_size: vectorizer.ngram_columns(),
        tasks: reports,
    };
    let model = assemble_model(p, vectorizer, heads, &report, &text_column);
    Ok((model, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureParams;
    use crate::model::TrainParams;

    /// Batches of three rows from a list, as a file would give them.
    struct Rows(Vec<(&'static str, Option<&'static str>)>);

    impl BatchSource for Rows {
        fn next_batch(&mut self, _: usize) -> Result<Option<LabeledTexts>> {
            if self.0.is_empty() {
                return Ok(None);
            }
            let rest = self.0.split_off(self.0.len().min(3));
            let batch = std::mem::replace(&mut self.0, rest);
            Ok(Some(LabeledTexts {
                source: "rows".into(),
                text_column: "text".into(),
                texts: batch.iter().map(|(t, _)| t.to_string()).collect(),
                tasks: vec![(
                    "frame".into(),
                    batch.iter().map(|(_, l)| l.map(String::from)).collect(),
                )],
            }))
        }
    }

    fn rows() -> Rows {
        Rows(vec![
            ("troops fired missiles", Some("military")),
            ("grain exports rose", Some("economic")),
            ("an unlabeled sentence", None),
            ("grain prices fell", Some("economic")),
            ("the army moved troops", Some("military")),
            ("museum of art opened", Some("cultural")),
            ("the art festival", Some("cultural")),
        ])
    }

    fn params(epochs: u32) -> ValidTrainParams {
        TrainParams {
            features: FeatureParams {
                hash_bits: Some(16),
                char_ngrams: None,
                ..FeatureParams::default()
            },
            solver: Solver::Adagrad,
            epochs,
            nb_weight: 0.0,
            ..TrainParams::default()
        }
        .check()
        .unwrap()
    }

    #[test]
    fn streamed_training_learns_the_classes_in_sorted_order() {
        let (model, report) = train_streaming(&params(5), "rows", || Ok(rows())).unwrap();
        assert_eq!(model.tasks[0].labels, ["cultural", "economic", "military"]);
        assert_eq!(
            report.tasks[0].rows, 6,
            "rows are counted once, not per pass"
        );
        assert_eq!(
            report.tasks[0].class_counts,
            [
                ("cultural".to_string(), 2),
                ("economic".to_string(), 2),
                ("military".to_string(), 2)
            ]
        );
        for (text, label) in [
            ("troops", "military"),
            ("grain", "economic"),
            ("art", "cultural"),
        ] {
            let prediction = &model.predict(text)[0];
            assert_eq!(model.tasks[0].labels[prediction.best], label, "{text}");
        }
    }

    #[test]
    fn balanced_weights_stream_from_the_counts_read_so_far() {
        let balanced = TrainParams {
            class_weight: ClassWeight::Balanced,
            ..params(5).get().clone()
        }
        .check()
        .unwrap();
        let skewed = || {
            let mut rows = rows();
            rows.0.extend([
                ("grain harvest", Some("economic")),
                ("grain trade", Some("economic")),
                ("oil exports", Some("economic")),
            ]);
            Ok(rows)
        };
        let (weighted, _) = train_streaming(&balanced, "rows", skewed).unwrap();
        let (plain, _) = train_streaming(&params(5), "rows", skewed).unwrap();
        assert_ne!(weighted.tasks[0].intercept, plain.tasks[0].intercept);
        let prediction = &weighted.predict("art museum")[0];
        assert_eq!(weighted.tasks[0].labels[prediction.best], "cultural");
    }

    #[test]
    fn batch_labels_number_labels_in_the_order_they_first_appear() {
        let label = |l: &str| Some(l.to_string());
        let labels = BatchLabels::new(vec![label("b"), None, label("a"), label("b"), label("c")]);
        assert_eq!(labels.names, ["b", "a", "c"]);
        assert_eq!(labels.ids, [Some(0), None, Some(1), Some(0), Some(2)]);
        // Past 16 labels the lookup is a map: the same numbering.
        let many: Vec<Option<String>> = (0..40)
            .chain(0..40)
            .map(|i| label(&format!("c{i}")))
            .collect();
        let labels = BatchLabels::new(many);
        assert_eq!(labels.names.len(), 40);
        let expected: Vec<Option<u32>> = (0..40).chain(0..40).map(Some).collect();
        assert_eq!(labels.ids, expected);
    }

    #[test]
    fn streamed_training_is_deterministic() {
        let (a, _) = train_streaming(&params(2), "rows", || Ok(rows())).unwrap();
        let (b, _) = train_streaming(&params(2), "rows", || Ok(rows())).unwrap();
        assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
    }

    #[test]
    fn a_single_class_or_unhashed_features_are_errors() {
        let one_class = || {
            Ok(Rows(vec![
                ("grain", Some("economic")),
                ("oil", Some("economic")),
            ]))
        };
        let err = train_streaming(&params(1), "rows", one_class).unwrap_err();
        assert!(err.to_string().contains("at least two"), "{err}");
        let unhashed = TrainParams {
            solver: Solver::Adagrad,
            nb_weight: 0.0,
            ..TrainParams::default()
        }
        .check()
        .unwrap();
        assert!(train_streaming(&unhashed, "rows", || Ok(rows())).is_err());
    }
}
