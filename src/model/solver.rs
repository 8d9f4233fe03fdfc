//! Solvers for multinomial logistic regression: `lbfgs` on sparse CSR features (with sample weights)
//! and `dense`, which hands a dense copy to `linfa-logistic`. Both minimise
//! `Σ_i s_i · (−log softmax(x_i W + b)[y_i]) + α/2 · ‖W‖²` with `α = 1/C`, the intercept not penalised.

use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{s, Array1, Array2};
use rayon::prelude::*;
use sprs::CsMat;
use std::sync::Mutex;

/// Parallel work items of the objective: a fixed number of row ranges, summed in order, so the result
/// does not depend on the number of threads.
const CHUNKS: usize = 16;

/// What a solver needs for one task.
pub struct Problem<'a> {
    pub features: &'a CsMat<f64>,
    /// Class index of each row.
    pub targets: &'a [usize],
    /// Weight of each row (class weights); all 1 for none.
    pub sample_weights: &'a [f64],
    pub n_classes: usize,
    pub alpha: f64,
}

pub struct Fitted {
    pub weights: Array2<f64>,
    pub intercept: Array1<f64>,
    pub iterations: u64,
}

/// Parameters are laid out as W (n_features × n_classes, row-major) followed by b (n_classes).
/// The line search asks for the cost and then the gradient at the same point: one pass computes both,
/// and the gradient is kept for that point.
struct SoftmaxObjective<'a> {
    problem: &'a Problem<'a>,
    last: Mutex<Option<(Array1<f64>, Array1<f64>)>>,
    /// One gradient buffer per chunk, kept from one evaluation to the next: a fresh buffer of several
    /// megabytes per chunk and evaluation costs a page fault per 4 KiB it touches, which took more time
    /// than the arithmetic (most of training's time was spent in the kernel).
    chunk_gradients: Mutex<Vec<Vec<f64>>>,
}

impl<'a> SoftmaxObjective<'a> {
    fn new(problem: &'a Problem<'a>) -> Self {
        SoftmaxObjective {
            problem,
            last: Mutex::new(None),
            chunk_gradients: Mutex::new(Vec::new()),
        }
    }

    fn remember(&self, params: &Array1<f64>, gradient: &Array1<f64>) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((params.clone(), gradient.clone()));
        }
    }

    fn remembered(&self, params: &Array1<f64>) -> Option<Array1<f64>> {
        let last = self.last.lock().ok()?;
        match last.as_ref() {
            Some((at, gradient)) if at == params => Some(gradient.clone()),
            _ => None,
        }
    }

    fn loss_and_gradient(&self, params: &Array1<f64>, want_gradient: bool) -> (f64, Array1<f64>) {
        let p = self.problem;
        let k = p.n_classes;
        let n_features = p.features.cols();
        let params = params.as_slice().unwrap_or(&[]);
        let (weights, _) = params.split_at(n_features * k);
        let rows = p.features.rows();
        let chunk_len = rows.div_ceil(CHUNKS).max(1);
        let gradient_len = if want_gradient { params.len() } else { 0 };
        let mut buffers = std::mem::take(
            &mut *self
                .chunk_gradients
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        buffers.resize_with(CHUNKS, Vec::new);
        let losses: Vec<f64> = buffers
            .par_iter_mut()
            .enumerate()
            .map(|(chunk, chunk_gradient)| {
                chunk_gradient.clear();
                chunk_gradient.resize(gradient_len, 0.0);
                let start = (chunk * chunk_len).min(rows);
                let end = (start + chunk_len).min(rows);
                self.rows_loss_and_gradient(start..end, params, chunk_gradient)
            })
            .collect();
        let mut loss = 0.5 * p.alpha * weights.iter().map(|w| w * w).sum::<f64>();
        let mut gradient = vec![0.0; if want_gradient { params.len() } else { 0 }];
        if want_gradient {
            for (g, w) in gradient.iter_mut().zip(weights) {
                *g = p.alpha * w;
            }
        }
        for (chunk_loss, chunk_gradient) in losses.iter().zip(&buffers) {
            loss += chunk_loss;
            for (g, c) in gradient.iter_mut().zip(chunk_gradient) {
                *g += c;
            }
        }
        *self
            .chunk_gradients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = buffers;
        (loss, Array1::from_vec(gradient))
    }

    /// The data term of the loss over some rows, its gradient added into `gradient` (left alone when
    /// `gradient` is empty: the loss only).
    fn rows_loss_and_gradient(
        &self,
        rows: std::ops::Range<usize>,
        params: &[f64],
        gradient: &mut [f64],
    ) -> f64 {
        let want_gradient = !gradient.is_empty();
        let p = self.problem;
        let k = p.n_classes;
        let n_features = p.features.cols();
        let (weights, intercept) = params.split_at(n_features * k);
        let (indptr, indices, data) =
            (p.features.indptr(), p.features.indices(), p.features.data());
        let mut loss = 0.0;
        let mut scores = vec![0.0; k];
        for i in rows {
            let (target, sample_weight) = (p.targets[i], p.sample_weights[i]);
            let span = indptr.outer_inds_sz(i);
            let (columns, values) = (&indices[span.clone()], &data[span]);
            scores.copy_from_slice(intercept);
            for (&column, &value) in columns.iter().zip(values) {
                let w = &weights[column * k..(column + 1) * k];
                for (score, weight) in scores.iter_mut().zip(w) {
                    *score += value * weight;
                }
            }
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln() + max;
            loss += sample_weight * (log_sum - scores[target]);
            if want_gradient {
                // d loss / d score_c = s_i · (softmax_c − [c = target]).
                for (c, score) in scores.iter_mut().enumerate() {
                    let indicator = if c == target { 1.0 } else { 0.0 };
                    *score = sample_weight * ((*score - log_sum).exp() - indicator);
                }
                for (&column, &value) in columns.iter().zip(values) {
                    for (g, d) in gradient[column * k..(column + 1) * k]
                        .iter_mut()
                        .zip(&scores)
                    {
                        *g += value * d;
                    }
                }
                for (g, d) in gradient[n_features * k..].iter_mut().zip(&scores) {
                    *g += d;
                }
            }
        }
        loss
    }
}

impl CostFunction for SoftmaxObjective<'_> {
    type Param = Array1<f64>;
    type Output = f64;
    fn cost(&self, params: &Self::Param) -> Result<f64, argmin::core::Error> {
        let (loss, gradient) = self.loss_and_gradient(params, true);
        self.remember(params, &gradient);
        Ok(loss)
    }
}

impl Gradient for SoftmaxObjective<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;
    fn gradient(&self, params: &Self::Param) -> Result<Array1<f64>, argmin::core::Error> {
        match self.remembered(params) {
            Some(gradient) => Ok(gradient),
            None => Ok(self.loss_and_gradient(params, true).1),
        }
    }
}

/// L-BFGS (argmin, memory 10, Moré–Thuente line search) on the sparse objective.
pub fn fit_lbfgs(problem: &Problem, max_iter: u64, tolerance: f64) -> Result<Fitted, String> {
    let n_features = problem.features.cols();
    let k = problem.n_classes;
    let init = Array1::zeros((n_features + 1) * k);
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(tolerance)
        .map_err(|e| e.to_string())?
        .with_tolerance_cost(1e-12)
        .map_err(|e| e.to_string())?;
    let result = Executor::new(SoftmaxObjective::new(problem), solver)
        .configure(|state| state.param(init).max_iters(max_iter))
        .run()
        .map_err(|e| e.to_string())?;
    let iterations = result.state().get_iter();
    let params = result
        .state()
        .get_best_param()
        .cloned()
        .ok_or_else(|| "the solver returned no parameters".to_string())?;
    let weights = params
        .slice(s![..n_features * k])
        .to_owned()
        .into_shape_with_order((n_features, k))
        .map_err(|e| e.to_string())?;
    let intercept = params.slice(s![n_features * k..]).to_owned();
    Ok(Fitted {
        weights,
        intercept,
        iterations,
    })
}

/// Largest dense copy `fit_dense` makes: beyond it the sparse solver is the only sane choice.
const DENSE_LIMIT_BYTES: usize = 2 << 30;

/// `linfa-logistic`'s `MultiLogisticRegression` on a dense copy of the features (no sample weights).
pub fn fit_dense(problem: &Problem, max_iter: u64, tolerance: f64) -> Result<Fitted, String> {
    let (rows, cols) = problem.features.shape();
    let bytes = rows
        .saturating_mul(cols)
        .saturating_mul(std::mem::size_of::<f64>());
    if bytes > DENSE_LIMIT_BYTES {
        return Err(format!(
            "the dense solver would need {:.1} GB for a {rows} × {cols} matrix; use --solver lbfgs",
            bytes as f64 / 1e9
        ));
    }
    let records: Array2<f64> = problem.features.to_dense();
    let targets = Array1::from_vec(problem.targets.to_vec());
    let dataset = Dataset::new(records, targets);
    let fitted = MultiLogisticRegression::default()
        .alpha(problem.alpha)
        .max_iterations(max_iter)
        .gradient_tolerance(tolerance)
        .fit(&dataset)
        .map_err(|e| e.to_string())?;
    // linfa orders classes by value; our class indices are 0..k, all present.
    if fitted.classes() != (0..problem.n_classes).collect::<Vec<_>>().as_slice() {
        return Err("a class has no training rows".to_string());
    }
    Ok(Fitted {
        weights: fitted.params().to_owned(),
        intercept: fitted.intercept().to_owned(),
        iterations: max_iter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{FeatureParams, Vectorizer};

    fn three_class_problem<'a>(
        features: &'a CsMat<f64>,
        targets: &'a [usize],
        weights: &'a [f64],
        alpha: f64,
    ) -> Problem<'a> {
        Problem {
            features,
            targets,
            sample_weights: weights,
            n_classes: 3,
            alpha,
        }
    }

    fn tiny_problem_data() -> (CsMat<f64>, Vec<usize>) {
        let texts = [
            "grain exports rose",
            "oil prices fell",
            "grain prices rose",
            "troops fired missiles",
            "missiles and troops",
            "tanks and troops",
            "museum opened exhibition",
            "students visit museum",
            "exhibition of students",
        ];
        let params = FeatureParams {
            min_df: 1,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(params, &texts).unwrap();
        (
            vectorizer.transform(&texts),
            vec![0, 0, 0, 1, 1, 1, 2, 2, 2],
        )
    }

    #[test]
    fn sparse_lbfgs_matches_linfa_logistic() {
        let (features, targets) = tiny_problem_data();
        let weights = vec![1.0; targets.len()];
        let problem = three_class_problem(&features, &targets, &weights, 1.0);
        let sparse = fit_lbfgs(&problem, 500, 1e-8).unwrap();
        let dense = fit_dense(&problem, 500, 1e-8).unwrap();
        let max_diff = sparse
            .weights
            .iter()
            .zip(dense.weights.iter())
            .chain(sparse.intercept.iter().zip(dense.intercept.iter()))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(max_diff < 1e-4, "max parameter difference {max_diff}");
    }

    #[test]
    fn the_dense_solver_refuses_a_matrix_too_large_to_copy() {
        let features = CsMat::new(
            (1_000_000, 10_000),
            vec![0; 1_000_001],
            Vec::new(),
            Vec::new(),
        );
        let targets = vec![0; 1_000_000];
        let weights = vec![1.0; 1_000_000];
        let problem = Problem {
            features: &features,
            targets: &targets,
            sample_weights: &weights,
            n_classes: 2,
            alpha: 1.0,
        };
        let err = fit_dense(&problem, 10, 1e-4).err().unwrap_or_default();
        assert!(
            err.contains("80.0 GB") && err.contains("--solver lbfgs"),
            "{err}"
        );
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (features, targets) = tiny_problem_data();
        let weights: Vec<f64> = (0..targets.len()).map(|i| 0.5 + i as f64 * 0.1).collect();
        let problem = three_class_problem(&features, &targets, &weights, 0.7);
        let objective = SoftmaxObjective::new(&problem);
        let n = (features.cols() + 1) * 3;
        let params = Array1::from_iter((0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) / 10.0));
        let (_, gradient) = objective.loss_and_gradient(&params, true);
        let h = 1e-6;
        for i in 0..n {
            let mut up = params.clone();
            up[i] += h;
            let mut down = params.clone();
            down[i] -= h;
            let numeric = (objective.loss_and_gradient(&up, false).0
                - objective.loss_and_gradient(&down, false).0)
                / (2.0 * h);
            assert!((numeric - gradient[i]).abs() < 1e-5, "parameter {i}");
        }
    }

    #[test]
    fn the_objective_does_not_depend_on_the_number_of_threads() {
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("word{} word{} word{}", i % 7, i % 11, i % 13))
            .collect();
        let params = FeatureParams {
            min_df: 1,
            char_ngrams: None,
            ..FeatureParams::default()
        };
        let vectorizer = Vectorizer::fit(params, &texts).unwrap();
        let features = vectorizer.transform(&texts);
        let targets: Vec<usize> = (0..3000).map(|i| i % 3).collect();
        let weights = vec![1.0; 3000];
        let problem = three_class_problem(&features, &targets, &weights, 0.5);
        let n = (features.cols() + 1) * 3;
        let point = Array1::from_iter((0..n).map(|i| ((i * 17 % 23) as f64 - 11.0) / 50.0));
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| SoftmaxObjective::new(&problem).loss_and_gradient(&point, true))
        };
        let (one, two) = (on(1), on(2));
        assert_eq!(one.0.to_bits(), two.0.to_bits());
        assert_eq!(one.1, two.1);
    }

    #[test]
    fn an_evaluation_does_not_depend_on_the_ones_before_it() {
        // The per-chunk gradient buffers are reused: what one evaluation left in them must not leak into
        // the next, with or without a gradient in between.
        let (features, targets) = tiny_problem_data();
        let weights = vec![1.0; targets.len()];
        let problem = three_class_problem(&features, &targets, &weights, 0.3);
        let n = (features.cols() + 1) * 3;
        let first = Array1::from_iter((0..n).map(|i| ((i * 13 % 7) as f64 - 3.0) / 4.0));
        let second = Array1::from_iter((0..n).map(|i| ((i * 5 % 9) as f64 - 4.0) / 8.0));
        let reused = SoftmaxObjective::new(&problem);
        reused.loss_and_gradient(&first, true);
        reused.loss_and_gradient(&first, false);
        let again = reused.loss_and_gradient(&second, true);
        let fresh = SoftmaxObjective::new(&problem).loss_and_gradient(&second, true);
        assert_eq!(again.0.to_bits(), fresh.0.to_bits());
        assert_eq!(again.1, fresh.1);
    }

    #[test]
    fn fitted_model_separates_the_training_classes() {
        let (features, targets) = tiny_problem_data();
        let weights = vec![1.0; targets.len()];
        let problem = three_class_problem(&features, &targets, &weights, 0.1);
        let fitted = fit_lbfgs(&problem, 200, 1e-6).unwrap();
        for (row, &target) in features.outer_iterator().zip(&targets) {
            let mut scores = fitted.intercept.to_vec();
            for (column, &value) in row.iter() {
                for (c, score) in scores.iter_mut().enumerate() {
                    *score += value * fitted.weights[[column, c]];
                }
            }
            assert_eq!(crate::model::argmax(&scores), target);
        }
    }
}
