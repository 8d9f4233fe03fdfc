//! Training: checked hyperparameters, one shared vocabulary, one head per task.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::Array1;

use super::fit::SparseFeatures;
use super::naive_bayes::blend_naive_bayes;
use super::{Model, TaskHead, TrainingRecord};
use crate::error::{Result, StanceError};
use crate::features::{FeatureParams, Vectorizer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// Every row counts the same.
    None,
    /// Rows weighted by n / (classes × class count), so rare classes count as much as common ones.
    Balanced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// L-BFGS on sparse features (argmin); takes class weights. Exact: converges to the optimum.
    Lbfgs,
    /// AdaGrad over the stream of examples, one or a few passes: for millions of rows.
    Adagrad,
    /// linfa-logistic on a dense copy of the features; no class weights, small data only.
    Dense,
}

impl fmt::Display for ClassWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClassWeight::None => "none",
            ClassWeight::Balanced => "balanced",
        })
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Solver::Lbfgs => "lbfgs",
            Solver::Adagrad => "adagrad",
            Solver::Dense => "dense",
        })
    }
}

/// Everything `stance train` can set. Turn into [`ValidTrainParams`] with [`TrainParams::check`].
/// `stance tune` writes it as JSON and `stance train --params` reads it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    #[serde(flatten)]
    pub features: FeatureParams,
    /// Inverse regularization strength, as in scikit-learn (α = 1/C).
    pub c: f64,
    pub max_iter: u64,
    /// L-BFGS stops when the L2 norm of the mean loss's gradient (the objective's gradient divided by the
    /// total row weight, as for scikit-learn's `tol`) falls below this.
    pub tolerance: f64,
    pub class_weight: ClassWeight,
    pub solver: Solver,
    /// Passes over the data (adagrad).
    #[serde(default = "default_epochs")]
    pub epochs: u32,
    /// AdaGrad's base step size (adagrad).
    #[serde(default = "default_learning_rate")]
    pub learning_rate: f64,
    /// Weight of the naive Bayes log-probabilities blended into the head (0: logistic regression
    /// alone; lbfgs and dense only). A settings file without it means 0, as before the blend existed.
    #[serde(default)]
    pub nb_weight: f64,
}

/// The naive Bayes weight of lbfgs and dense models, chosen by story-grouped cross-validation on
/// `data/frames.csv` (see the README's model card).
pub const DEFAULT_NB_WEIGHT: f64 = 0.2;

fn default_epochs() -> u32 {
    1
}

/// Measured on 1.08 M UN debate sentences (bench/scale.sh): 0.8 to 1.6 are within 0.005 macro-F1. On a
/// development split of the training sessions (`bench/learning-rate.sh`) 1.5 gained 0.004 macro-F1, most
/// of it on the rarest decade (absent from the test split), and on the test split none, for 0.003 accuracy.
fn default_learning_rate() -> f64 {
    1.0
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            features: FeatureParams::default(),
            c: 10.0,
            max_iter: 1000,
            tolerance: 1e-4,
            class_weight: ClassWeight::None,
            solver: Solver::Lbfgs,
            epochs: default_epochs(),
            learning_rate: default_learning_rate(),
            nb_weight: DEFAULT_NB_WEIGHT,
        }
    }
}

/// Hyperparameters that passed every check; training takes only these.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainParams(TrainParams);

impl TrainParams {
    pub fn check(self) -> Result<ValidTrainParams> {
        self.features.check()?;
        let invalid = |name, value: String, reason: &str| StanceError::InvalidParam {
            name,
            value,
            reason: reason.to_string(),
        };
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(invalid(
                "c",
                self.c.to_string(),
                "must be a positive number",
            ));
        }
        if self.max_iter == 0 {
            return Err(invalid("max-iter", "0".into(), "must be at least 1"));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(invalid(
                "tolerance",
                self.tolerance.to_string(),
                "must be a positive number",
            ));
        }
        if self.epochs == 0 {
            return Err(invalid("epochs", "0".into(), "must be at least 1"));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(invalid(
                "learning-rate",
                self.learning_rate.to_string(),
                "must be a positive number",
            ));
        }
        if !(self.nb_weight.is_finite() && self.nb_weight >= 0.0) {
            return Err(invalid(
                "nb-weight",
                self.nb_weight.to_string(),
                "must be a number of 0 or more",
            ));
        }
        if self.solver == Solver::Adagrad && self.nb_weight > 0.0 {
            return Err(invalid(
                "nb-weight",
                self.nb_weight.to_string(),
                "the naive Bayes blend needs the data in memory: use 0 with --solver adagrad",
            ));
        }
        if self.solver == Solver::Dense && self.class_weight != ClassWeight::None {
            return Err(invalid(
                "class-weight",
                self.class_weight.to_string(),
                "the dense solver (linfa-logistic) takes no weights; use --solver lbfgs",
            ));
        }
        Ok(ValidTrainParams(self))
    }
}

impl ValidTrainParams {
    pub fn get(&self) -> &TrainParams {
        &self.0
    }
}

/// Texts with, per task, an optional label for each text (`None`: not labeled for that task).
#[derive(Debug, Clone, Default)]
pub struct LabeledTexts {
    pub source: String,
    pub text_column: String,
    pub texts: Vec<String>,
    pub tasks: Vec<(String, Vec<Option<String>>)>,
}

#[derive(Debug, Clone)]
pub struct TaskReport {
    pub name: String,
    pub rows: usize,
    pub class_counts: Vec<(String, usize)>,
    pub iterations: u64,
}

#[derive(Debug, Clone)]
pub struct TrainReport {
    pub vocabulary_size: usize,
    pub tasks: Vec<TaskReport>,
}

/// Fits the shared vocabulary on every text that has a label for some task, then one head per task.
pub fn train(valid: &ValidTrainParams, data: &LabeledTexts) -> Result<(Model, TrainReport)> {
    let params = valid.get();
    let used: Vec<&str> = (0..data.texts.len())
        .filter(|&i| data.tasks.iter().any(|(_, labels)| labels[i].is_some()))
        .map(|i| data.texts[i].as_str())
        .collect();
    if used.is_empty() {
        return Err(StanceError::Invalid(format!(
            "{}: no row has both a text and a label",
            data.source
        )));
    }
    let vectorizer = Vectorizer::fit(params.features.clone(), &used)?;

    let mut heads = Vec::new();
    let mut reports = Vec::new();
    for (name, labels) in &data.tasks {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for label in labels.iter().flatten() {
            *counts.entry(label.as_str()).or_default() += 1;
        }
        if counts.len() < 2 {
            return Err(StanceError::TooFewClasses {
                path: data.source.clone(),
                column: name.clone(),
                classes: counts.keys().map(|s| s.to_string()).collect(),
            });
        }
        let class_names: Vec<String> = counts.keys().map(|s| s.to_string()).collect();
        let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i].is_some()).collect();
        let texts: Vec<&str> = rows.iter().map(|&i| data.texts[i].as_str()).collect();
        let targets: Vec<usize> = rows
            .iter()
            .filter_map(|&i| labels[i].as_deref())
            .map(|label| class_names.iter().position(|c| c == label).unwrap_or(0))
            .collect();
        let dataset = DatasetBase::new(
            SparseFeatures(vectorizer.transform(&texts)),
            Array1::from(targets.clone()),
        );
        let mut fitted = valid.fit(&dataset).map_err(|e| StanceError::Solver {
            task: name.clone(),
            message: e.to_string(),
        })?;
        if params.nb_weight > 0.0 {
            let row_weights =
                class_sample_weights(params.class_weight, &targets, class_names.len());
            blend_naive_bayes(
                &mut fitted.weights,
                &mut fitted.intercept,
                &dataset.records.0,
                &targets,
                &row_weights,
                vectorizer.ngram_columns(),
                params.nb_weight,
            );
        }
        reports.push(TaskReport {
            name: name.clone(),
            rows: rows.len(),
            class_counts: counts.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            iterations: fitted.iterations,
        });
        heads.push(TaskHead {
            name: name.clone(),
            labels: class_names,
            weights: fitted.weights.mapv(|w| w as f32),
            intercept: fitted.intercept,
        });
    }
    let report = TrainReport {
        vocabulary_size: vectorizer.ngram_columns(),
        tasks: reports,
    };
    let model = assemble_model(params, vectorizer, heads, &report, &data.text_column);
    Ok((model, report))
}

/// The model of trained heads, with the record of how it was trained.
pub(super) fn assemble_model(
    params: &TrainParams,
    vectorizer: Vectorizer,
    heads: Vec<TaskHead>,
    report: &TrainReport,
    text_column: &str,
) -> Model {
    Model {
        vectorizer,
        tasks: heads,
        training: TrainingRecord {
            c: params.c,
            max_iter: params.max_iter,
            tolerance: params.tolerance,
            class_weight: params.class_weight,
            solver: params.solver,
            epochs: params.epochs,
            learning_rate: params.learning_rate,
            nb_weight: params.nb_weight,
            text_column: text_column.to_string(),
            rows: report
                .tasks
                .iter()
                .map(|t| (t.name.clone(), t.rows))
                .collect(),
        },
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

pub(super) fn class_sample_weights(
    class_weight: ClassWeight,
    targets: &[usize],
    n_classes: usize,
) -> Vec<f64> {
    match class_weight {
        ClassWeight::None => vec![1.0; targets.len()],
        ClassWeight::Balanced => {
            let mut counts = vec![0usize; n_classes];
            targets.iter().for_each(|&t| counts[t] += 1);
            let n = targets.len() as f64;
            targets
                .iter()
                .map(|&t| n / (n_classes as f64 * counts[t] as f64))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> LabeledTexts {
        let rows = [
            (
                "wheat exports rose sharply",
                Some("economic"),
                Some("positive"),
            ),
            (
                "wheat prices fell again",
                Some("economic"),
                Some("negative"),
            ),
            (
                "troops fired missiles at the border",
                Some("military"),
                Some("negative"),
            ),
            (
                "the navy rescued fishermen near the border",
                Some("military"),
                Some("positive"),
            ),
            ("wheat and missiles", None, Some("neutral")),
            ("exports of missiles", Some("military"), None),
        ];
        LabeledTexts {
            source: "test.csv".into(),
            text_column: "text".into(),
            texts: rows.iter().map(|r| r.0.to_string()).collect(),
            tasks: vec![
                (
                    "frame".into(),
                    rows.iter().map(|r| r.1.map(String::from)).collect(),
                ),
                (
                    "tone".into(),
                    rows.iter().map(|r| r.2.map(String::from)).collect(),
                ),
            ],
        }
    }

    fn params() -> ValidTrainParams {
        TrainParams {
            features: FeatureParams {
                min_df: 1,
                ..FeatureParams::default()
            },
            ..TrainParams::default()
        }
        .check()
        .unwrap()
    }

    #[test]
    fn empty_label_cells_leave_the_row_out_of_that_task_only() {
        let (model, report) = train(&params(), &data()).unwrap();
        assert_eq!(report.tasks[0].rows, 5);
        assert_eq!(report.tasks[1].rows, 5);
        assert_eq!(model.tasks[1].labels, ["negative", "neutral", "positive"]);
    }

    #[test]
    fn a_task_with_one_class_is_an_error() {
        let mut one_class = data();
        one_class.tasks[0].1 = vec![Some("economic".into()); 6];
        let err = train(&params(), &one_class).unwrap_err().to_string();
        assert!(
            err.contains("frame") && err.contains("at least two"),
            "{err}"
        );
    }

    #[test]
    fn training_is_deterministic() {
        let (a, _) = train(&params(), &data()).unwrap();
        let (b, _) = train(&params(), &data()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn invalid_hyperparameters_are_rejected_before_training() {
        for bad in [
            TrainParams {
                c: 0.0,
                ..TrainParams::default()
            },
            TrainParams {
                c: f64::NAN,
                ..TrainParams::default()
            },
            TrainParams {
                max_iter: 0,
                ..TrainParams::default()
            },
            TrainParams {
                solver: Solver::Dense,
                class_weight: ClassWeight::Balanced,
                ..TrainParams::default()
            },
            TrainParams {
                nb_weight: -0.1,
                ..TrainParams::default()
            },
            TrainParams {
                nb_weight: f64::INFINITY,
                ..TrainParams::default()
            },
            TrainParams {
                solver: Solver::Adagrad,
                nb_weight: 0.2,
                ..TrainParams::default()
            },
        ] {
            assert!(bad.check().is_err());
        }
    }

    #[test]
    fn balanced_weights_give_each_class_the_same_total() {
        let weights = class_sample_weights(ClassWeight::Balanced, &[0, 0, 0, 1], 2);
        assert_eq!(weights, vec![4.0 / 6.0, 4.0 / 6.0, 4.0 / 6.0, 2.0]);
    }
}
