//! The solvers behind linfa's traits: [`ValidTrainParams`] is a linfa fitting algorithm
//! (`params.fit(&dataset)`) over sparse features and class indices, whichever solver it names, and
//! every solver yields the same [`Fitted`] softmax head; a [`TaskHead`] predicts class indices through
//! linfa's `Predict`.

use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, PredictInplace};
use ndarray::Array1;
use sprs::CsMat;

use super::adagrad::AdagradHead;
use super::solver::{fit_dense, fit_lbfgs, Fitted, Problem};
use super::train::{class_sample_weights, Solver, ValidTrainParams};
use super::{argmax, TaskHead};
use crate::error::StanceError;
use crate::features::SparseRow;

/// A CSR matrix of feature rows (texts × columns) as linfa records.
#[derive(Debug, Clone)]
pub struct SparseFeatures(pub CsMat<f64>);

impl Records for SparseFeatures {
    type Elem = f64;

    fn nsamples(&self) -> usize {
        self.0.rows()
    }

    fn nfeatures(&self) -> usize {
        self.0.cols()
    }
}

/// Features with class indices (`0..k`); the dataset's weights, when set, weigh the rows.
pub type SparseDataset = DatasetBase<SparseFeatures, Array1<usize>>;

/// Fits the logistic regression alone: `nb_weight` is not applied here but by [`super::train`], which
/// knows which columns are n-grams (naive Bayes leaves the lexicon's columns out).
impl Fit<SparseFeatures, Array1<usize>, StanceError> for ValidTrainParams {
    type Object = Fitted;

    fn fit(&self, dataset: &SparseDataset) -> Result<Fitted, StanceError> {
        let params = self.get();
        let targets = dataset.targets.to_vec();
        let n_classes = targets.iter().max().map_or(0, |&max| max + 1);
        if n_classes < 2 {
            return Err(StanceError::Invalid(
                "training needs at least two classes".into(),
            ));
        }
        let sample_weights = match dataset.weights() {
            Some(weights) => weights.iter().map(|&w| f64::from(w)).collect(),
            None => class_sample_weights(params.class_weight, &targets, n_classes),
        };
        // The tolerance is on the gradient of the mean loss (as scikit-learn's `tol`); the solvers see the
        // summed loss, whose gradient is larger by the total row weight.
        let gradient_tolerance = params.tolerance * sample_weights.iter().sum::<f64>();
        let problem = Problem {
            features: &dataset.records.0,
            targets: &targets,
            sample_weights: &sample_weights,
            n_classes,
            alpha: 1.0 / params.c,
        };
        let fitted = match params.solver {
            Solver::Lbfgs => fit_lbfgs(&problem, params.max_iter, gradient_tolerance),
            Solver::Dense => fit_dense(&problem, params.max_iter, gradient_tolerance),
            Solver::Adagrad => Ok(fit_adagrad(&problem, params.epochs, params.learning_rate)),
        };
        fitted.map_err(StanceError::Invalid)
    }
}

/// AdaGrad over the rows of `problem` in order, `epochs` times.
fn fit_adagrad(problem: &Problem, epochs: u32, learning_rate: f64) -> Fitted {
    let mut head = AdagradHead::new(problem.features.cols(), problem.n_classes, learning_rate);
    for _ in 0..epochs {
        for ((row, &target), &weight) in problem
            .features
            .outer_iterator()
            .zip(problem.targets)
            .zip(problem.sample_weights)
        {
            head.update(row.indices(), row.data(), target, weight);
        }
    }
    let order: Vec<usize> = (0..problem.n_classes).collect();
    let (weights, intercept) = head.into_weights(&order);
    Fitted {
        weights: weights.mapv(f64::from),
        intercept,
        iterations: u64::from(epochs),
    }
}

impl PredictInplace<SparseFeatures, Array1<usize>> for TaskHead {
    /// The most probable class index of each row.
    fn predict_inplace(&self, records: &SparseFeatures, targets: &mut Array1<usize>) {
        for (row, target) in records.0.outer_iterator().zip(targets.iter_mut()) {
            let row = SparseRow {
                columns: row.indices().to_vec(),
                values: row.data().to_vec(),
            };
            *target = argmax(&self.probabilities(&row));
        }
    }

    fn default_target(&self, records: &SparseFeatures) -> Array1<usize> {
        Array1::zeros(records.0.rows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FeatureParams, Vectorizer};
    use crate::model::TrainParams;
    use linfa::traits::Predict;

    #[test]
    fn every_solver_fits_through_linfa_and_the_head_predicts_through_linfa() {
        let texts = [
            "grain exports rose",
            "grain prices fell",
            "troops fired missiles",
            "the army moved troops",
            "museum of art",
            "the art festival",
        ];
        let params = FeatureParams {
            min_df: 1,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(params.clone(), &texts).unwrap();
        let dataset = DatasetBase::new(
            SparseFeatures(vectorizer.transform(&texts)),
            Array1::from(vec![0, 0, 1, 1, 2, 2]),
        );
        for (solver, epochs) in [
            (Solver::Lbfgs, 1),
            (Solver::Dense, 1),
            (Solver::Adagrad, 30),
        ] {
            let fitted = TrainParams {
                features: params.clone(),
                solver,
                epochs,
                nb_weight: 0.0,
                ..TrainParams::default()
            }
            .check()
            .unwrap()
            .fit(&dataset)
            .unwrap();
            let head = TaskHead {
                name: "frame".into(),
                labels: vec!["economic".into(), "military".into(), "cultural".into()],
                weights: fitted.weights.mapv(|w| w as f32),
                intercept: fitted.intercept,
            };
            let predicted: Array1<usize> = head.predict(&dataset);
            assert_eq!(predicted.to_vec(), vec![0, 0, 1, 1, 2, 2], "{solver}");
        }
    }
}
