//! Multinomial naive Bayes blended into a trained softmax head (a product of the two models).
//!
//! Naive Bayes scores a class by its log prior plus, per feature, the feature's value times the log of
//! its share of the class's feature mass; that is a linear model over the same features as the logistic
//! regression. Adding `weight ×` those log-probabilities to the regression's weights and intercept gives
//! one head whose softmax is the normalized product `p_LR × p_NB^weight`: the same model file, the same
//! prediction code, and `explain` reads the blended weights as before. On short texts the two err
//! differently (Wang & Manning 2012, "Baselines and bigrams"): naive Bayes trusts rare, telling n-grams
//! that the regression's L2 penalty shrinks.
//!
//! It is fitted on the n-gram columns only (tf-idf values taken as fractional counts), not on the lexicon
//! features. Each feature's log-probabilities are centered over the classes (softmax does not change
//! when every class gets the same amount), so the stored weights stay small.

use ndarray::{Array1, Array2};
use sprs::CsMat;

/// Lidstone smoothing added to every class's mass of every feature.
pub const SMOOTHING: f64 = 0.1;

/// Adds `weight` × the multinomial naive Bayes log-probabilities, fitted on the first `ngram_columns`
/// columns of `features` with each row counted `sample_weights[row]` times, to `weights` (columns ×
/// classes) and `intercept` (one per class). `targets` are class indices `0..classes`.
pub fn blend_naive_bayes(
    weights: &mut Array2<f64>,
    intercept: &mut Array1<f64>,
    features: &CsMat<f64>,
    targets: &[usize],
    sample_weights: &[f64],
    ngram_columns: usize,
    weight: f64,
) {
    let n_classes = intercept.len();
    let mut mass = Array2::<f64>::zeros((ngram_columns, n_classes));
    let mut class_mass = vec![0.0; n_classes];
    let mut class_rows = vec![0.0; n_classes];
    for ((row, &class), &row_weight) in features.outer_iterator().zip(targets).zip(sample_weights) {
        class_rows[class] += row_weight;
        for (column, &value) in row.iter() {
            if column < ngram_columns {
                mass[[column, class]] += row_weight * value;
                class_mass[class] += row_weight * value;
            }
        }
    }
    let log_totals: Vec<f64> = class_mass
        .iter()
        .map(|&m| (m + SMOOTHING * ngram_columns as f64).ln())
        .collect();
    let mut log_probabilities = vec![0.0; n_classes];
    for (column, class_masses) in mass.outer_iter().enumerate() {
        for ((log_p, &m), &log_total) in log_probabilities
            .iter_mut()
            .zip(class_masses)
            .zip(&log_totals)
        {
            *log_p = (m + SMOOTHING).ln() - log_total;
        }
        let mean = log_probabilities.iter().sum::<f64>() / n_classes as f64;
        for (w, &log_p) in weights.row_mut(column).iter_mut().zip(&log_probabilities) {
            *w += weight * (log_p - mean);
        }
    }
    let rows: f64 = class_rows.iter().sum();
    let log_priors: Vec<f64> = class_rows
        .iter()
        .map(|&r| (r.max(f64::MIN_POSITIVE) / rows).ln())
        .collect();
    let mean = log_priors.iter().sum::<f64>() / n_classes as f64;
    for (b, &log_prior) in intercept.iter_mut().zip(&log_priors) {
        *b += weight * (log_prior - mean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sprs::TriMat;

    fn features(rows: &[&[(usize, f64)]], columns: usize) -> CsMat<f64> {
        let mut triplets = TriMat::new((rows.len(), columns));
        for (i, row) in rows.iter().enumerate() {
            for &(column, value) in *row {
                triplets.add_triplet(i, column, value);
            }
        }
        triplets.to_csr()
    }

    #[test]
    fn adds_weighted_centered_log_probabilities_computed_by_hand() {
        // Two classes, three n-gram columns and one lexicon column (3), which naive Bayes leaves alone.
        let x = features(
            &[&[(0, 1.0), (3, 5.0)], &[(0, 1.0), (1, 1.0)], &[(2, 2.0)]],
            4,
        );
        let mut weights = Array2::zeros((4, 2));
        let mut intercept = Array1::zeros(2);
        blend_naive_bayes(
            &mut weights,
            &mut intercept,
            &x,
            &[0, 0, 1],
            &[1.0; 3],
            3,
            0.5,
        );
        // Class 0 has mass 3 (column 0: 2, column 1: 1), class 1 mass 2 (column 2: 2).
        let log_p = |m: f64, total: f64| ((m + SMOOTHING) / (total + 3.0 * SMOOTHING)).ln();
        for (column, (m0, m1)) in [(2.0, 0.0), (1.0, 0.0), (0.0, 2.0)].into_iter().enumerate() {
            let (a, b) = (log_p(m0, 3.0), log_p(m1, 2.0));
            let mean = (a + b) / 2.0;
            assert!((weights[[column, 0]] - 0.5 * (a - mean)).abs() < 1e-12);
            assert!((weights[[column, 1]] - 0.5 * (b - mean)).abs() < 1e-12);
        }
        assert_eq!(weights.row(3).to_vec(), vec![0.0, 0.0]);
        let (p0, p1) = ((2.0f64 / 3.0).ln(), (1.0f64 / 3.0).ln());
        assert!((intercept[0] - 0.5 * (p0 - (p0 + p1) / 2.0)).abs() < 1e-12);
        assert!((intercept[0] + intercept[1]).abs() < 1e-12);
    }

    #[test]
    fn a_zero_weight_changes_nothing_and_sample_weights_count_rows() {
        let x = features(&[&[(0, 1.0)], &[(1, 1.0)], &[(1, 1.0)]], 2);
        let mut weights = Array2::from_elem((2, 2), 0.25);
        let mut intercept = Array1::from(vec![0.5, -0.5]);
        blend_naive_bayes(
            &mut weights,
            &mut intercept,
            &x,
            &[0, 1, 1],
            &[1.0; 3],
            2,
            0.0,
        );
        assert_eq!(weights, Array2::from_elem((2, 2), 0.25));
        assert_eq!(intercept.to_vec(), vec![0.5, -0.5]);

        // Counting the first row twice is the same as having it twice.
        let (mut w1, mut b1) = (Array2::zeros((2, 2)), Array1::zeros(2));
        blend_naive_bayes(&mut w1, &mut b1, &x, &[0, 1, 1], &[2.0, 1.0, 1.0], 2, 1.0);
        let doubled = features(&[&[(0, 1.0)], &[(0, 1.0)], &[(1, 1.0)], &[(1, 1.0)]], 2);
        let (mut w2, mut b2) = (Array2::zeros((2, 2)), Array1::zeros(2));
        blend_naive_bayes(&mut w2, &mut b2, &doubled, &[0, 0, 1, 1], &[1.0; 4], 2, 1.0);
        assert!((&w1 - &w2).iter().all(|d| d.abs() < 1e-12));
        assert!((&b1 - &b2).iter().all(|d| d.abs() < 1e-12));
        // Balanced classes: no prior.
        assert!(b1.iter().all(|b| b.abs() < 1e-12));
    }
}
