//! Evaluation metrics: each computed in one function that every report format calls.

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// A wrong prediction made with high confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidentError {
    pub line: u64,
    pub text: String,
    pub gold: String,
    pub predicted: String,
    pub confidence: f64,
}

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationBin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
    /// Mean confidence (probability of the predicted class) of the bin's examples.
    pub confidence: f64,
    /// Share of the bin's examples predicted right.
    pub accuracy: f64,
}

/// Reliability diagram in `n_bins` equal-width bins of the predicted class's probability, and the
/// expected calibration error: Σ_b (n_b / N) · |accuracy_b − confidence_b|.
pub fn calibration(
    confidence_and_correct: &[(f64, bool)],
    n_bins: usize,
) -> (Vec<CalibrationBin>, f64) {
    let mut bins: Vec<CalibrationBin> = (0..n_bins)
        .map(|b| CalibrationBin {
            low: b as f64 / n_bins as f64,
            high: (b + 1) as f64 / n_bins as f64,
            count: 0,
            confidence: 0.0,
            accuracy: 0.0,
        })
        .collect();
    for &(confidence, correct) in confidence_and_correct {
        let b = ((confidence * n_bins as f64) as usize).min(n_bins - 1);
        bins[b].count += 1;
        bins[b].confidence += confidence;
        bins[b].accuracy += if correct { 1.0 } else { 0.0 };
    }
    let n = confidence_and_correct.len().max(1) as f64;
    let mut ece = 0.0;
    for bin in bins.iter_mut().filter(|b| b.count > 0) {
        bin.confidence /= bin.count as f64;
        bin.accuracy /= bin.count as f64;
        ece += bin.count as f64 / n * (bin.accuracy - bin.confidence).abs();
    }
    (bins, ece)
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskEvaluation {
    pub task: String,
    pub column: String,
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Bootstrap 95 % intervals (seeded), when asked for.
    pub accuracy_ci: Option<(f64, f64)>,
    pub macro_f1_ci: Option<(f64, f64)>,
    pub weighted_f1: f64,
    pub kappa: f64,
    pub krippendorff_alpha: f64,
    pub log_loss: f64,
    pub per_class: Vec<ClassMetrics>,
    pub labels: Vec<String>,
    /// Rows = true label, columns = predicted label, in `labels` order.
    pub confusion: Vec<Vec<usize>>,
    pub confident_errors: Vec<ConfidentError>,
    pub calibration: Vec<CalibrationBin>,
    /// Expected calibration error over `calibration`.
    pub ece: f64,
}

/// One evaluated example: gold class, predicted probabilities, and where it came from.
pub struct Scored<'a> {
    pub gold: usize,
    pub probabilities: &'a [f64],
    pub text: &'a str,
    pub line: u64,
}

pub fn confusion_matrix(
    n_classes: usize,
    pairs: impl Iterator<Item = (usize, usize)>,
) -> Vec<Vec<usize>> {
    let mut matrix = vec![vec![0; n_classes]; n_classes];
    for (gold, predicted) in pairs {
        matrix[gold][predicted] += 1;
    }
    matrix
}

/// Per-class precision, recall, F1 (0 where undefined, as scikit-learn's `zero_division=0`).
pub fn per_class_metrics(labels: &[String], confusion: &[Vec<usize>]) -> Vec<ClassMetrics> {
    labels
        .iter()
        .enumerate()
        .map(|(c, label)| {
            let tp = confusion[c][c] as f64;
            let predicted: usize = confusion.iter().map(|row| row[c]).sum();
            let support: usize = confusion[c].iter().sum();
            let precision = ratio(tp, predicted as f64);
            let recall = ratio(tp, support as f64);
            let f1 = ratio(2.0 * precision * recall, precision + recall);
            ClassMetrics {
                label: label.clone(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect()
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

pub fn accuracy(confusion: &[Vec<usize>]) -> f64 {
    let total: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..confusion.len()).map(|c| confusion[c][c]).sum();
    ratio(correct as f64, total as f64)
}

/// Mean F1 over the classes that occur in the gold labels or the predictions.
pub fn macro_f1(per_class: &[ClassMetrics], confusion: &[Vec<usize>]) -> f64 {
    let present: Vec<f64> = per_class
        .iter()
        .enumerate()
        .filter(|(c, m)| m.support > 0 || confusion.iter().any(|row| row[*c] > 0))
        .map(|(_, m)| m.f1)
        .collect();
    ratio(present.iter().sum(), present.len() as f64)
}

pub fn weighted_f1(per_class: &[ClassMetrics]) -> f64 {
    let total: usize = per_class.iter().map(|m| m.support).sum();
    ratio(
        per_class.iter().map(|m| m.f1 * m.support as f64).sum(),
        total as f64,
    )
}

/// Cohen's kappa between gold and predicted labels.
pub fn cohen_kappa(confusion: &[Vec<usize>]) -> f64 {
    let n: f64 = confusion.iter().flatten().sum::<usize>() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let observed = accuracy(confusion);
    let expected: f64 = (0..confusion.len())
        .map(|c| {
            let row: usize = confusion[c].iter().sum();
            let column: usize = confusion.iter().map(|r| r[c]).sum();
            (row as f64 / n) * (column as f64 / n)
        })
        .sum();
    if (1.0 - expected).abs() < f64::EPSILON {
        return if observed == 1.0 { 1.0 } else { 0.0 };
    }
    (observed - expected) / (1.0 - expected)
}

/// Krippendorff's alpha (nominal) for two coders who both coded every unit, from their confusion matrix.
pub fn krippendorff_alpha(confusion: &[Vec<usize>]) -> f64 {
    let k = confusion.len();
    // Coincidence matrix: each unit gives one (a, b) and one (b, a) pair.
    let coincidence: Vec<Vec<f64>> = (0..k)
        .map(|c| {
            (0..k)
                .map(|d| (confusion[c][d] + confusion[d][c]) as f64)
                .collect()
        })
        .collect();
    let totals: Vec<f64> = coincidence.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = totals.iter().sum();
    if n < 2.0 {
        return 0.0;
    }
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for d in 0..k {
            if c != d {
                observed += coincidence[c][d];
                expected += totals[c] * totals[d];
            }
        }
    }
    let (observed, expected) = (observed / n, expected / (n * (n - 1.0)));
    if expected == 0.0 {
        return if observed == 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - observed / expected
}

/// Mean negative log probability of the gold class (probabilities clipped at 1e-15).
pub fn log_loss<'a>(examples: impl Iterator<Item = (usize, &'a [f64])>) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (gold, probabilities) in examples {
        sum -= probabilities[gold].clamp(1e-15, 1.0).ln();
        n += 1;
    }
    ratio(sum, n as f64)
}

/// Bootstrap percentile intervals (2.5 %, 97.5 %) of accuracy and macro-F1 over `resamples` resamples
/// (with replacement) of the (gold, predicted) pairs, drawn from a generator seeded with `seed`.
pub fn bootstrap_intervals(
    labels: &[String],
    pairs: &[(usize, usize)],
    resamples: usize,
    seed: u64,
) -> ((f64, f64), (f64, f64)) {
    let mut rng = crate::rng::SplitMix64(seed);
    let mut accuracies = Vec::with_capacity(resamples);
    let mut macro_f1s = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let confusion = confusion_matrix(
            labels.len(),
            (0..pairs.len()).map(|_| pairs[rng.below(pairs.len())]),
        );
        accuracies.push(accuracy(&confusion));
        macro_f1s.push(macro_f1(&per_class_metrics(labels, &confusion), &confusion));
    }
    (
        percentile_interval(accuracies),
        percentile_interval(macro_f1s),
    )
}

fn percentile_interval(mut values: Vec<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

/// Every metric of one task, with the `top` most confident errors and, when `bootstrap` is
/// `Some((resamples, seed))`, 95 % intervals for accuracy and macro-F1.
pub fn evaluate_task(
    task: &str,
    column: &str,
    labels: &[String],
    examples: &[Scored],
    top: usize,
    bootstrap: Option<(usize, u64)>,
) -> TaskEvaluation {
    let predicted: Vec<usize> = examples
        .iter()
        .map(|e| crate::model::argmax(e.probabilities))
        .collect();
    let confusion = confusion_matrix(
        labels.len(),
        examples.iter().zip(&predicted).map(|(e, &p)| (e.gold, p)),
    );
    let per_class = per_class_metrics(labels, &confusion);
    let pairs: Vec<(usize, usize)> = examples
        .iter()
        .zip(&predicted)
        .map(|(e, &p)| (e.gold, p))
        .collect();
    let intervals = bootstrap
        .filter(|&(resamples, _)| resamples > 0 && !pairs.is_empty())
        .map(|(resamples, seed)| bootstrap_intervals(labels, &pairs, resamples, seed));
    let confidences: Vec<(f64, bool)> = examples
        .iter()
        .zip(&predicted)
        .map(|(e, &p)| (e.probabilities[p], e.gold == p))
        .collect();
    let (calibration_bins, ece) = calibration(&confidences, 10);
    let mut errors: Vec<ConfidentError> = examples
        .iter()
        .zip(&predicted)
        .filter(|(e, &p)| e.gold != p)
        .map(|(e, &p)| ConfidentError {
            line: e.line,
            text: e.text.to_string(),
            gold: labels[e.gold].clone(),
            predicted: labels[p].clone(),
            confidence: e.probabilities[p],
        })
        .collect();
    errors.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(a.line.cmp(&b.line))
    });
    errors.truncate(top);
    TaskEvaluation {
        task: task.to_string(),
        column: column.to_string(),
        n: examples.len(),
        accuracy: accuracy(&confusion),
        macro_f1: macro_f1(&per_class, &confusion),
        accuracy_ci: intervals.map(|(a, _)| a),
        macro_f1_ci: intervals.map(|(_, m)| m),
        weighted_f1: weighted_f1(&per_class),
        kappa: cohen_kappa(&confusion),
        krippendorff_alpha: krippendorff_alpha(&confusion),
        log_loss: log_loss(examples.iter().map(|e| (e.gold, e.probabilities))),
        per_class,
        labels: labels.to_vec(),
        confusion,
        confident_errors: errors,
        calibration: calibration_bins,
        ece,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["a".into(), "b".into(), "c".into()]
    }

    // gold:      a a a b b c
    // predicted: a a b b c c
    fn matrix() -> Vec<Vec<usize>> {
        let gold = [0, 0, 0, 1, 1, 2];
        let predicted = [0, 0, 1, 1, 2, 2];
        confusion_matrix(3, gold.into_iter().zip(predicted))
    }

    #[test]
    fn confusion_rows_are_gold_columns_predicted() {
        assert_eq!(matrix(), vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]);
    }

    #[test]
    fn per_class_and_averages_match_hand_computation() {
        let m = matrix();
        let pc = per_class_metrics(&labels(), &m);
        // a: p = 2/2, r = 2/3; b: p = 1/2, r = 1/2; c: p = 1/2, r = 1/1.
        assert_eq!(pc[0].precision, 1.0);
        assert!((pc[0].recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((pc[0].f1 - 0.8).abs() < 1e-12);
        assert!((pc[1].f1 - 0.5).abs() < 1e-12);
        assert!((pc[2].f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((accuracy(&m) - 4.0 / 6.0).abs() < 1e-12);
        assert!((macro_f1(&pc, &m) - (0.8 + 0.5 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        let weighted = (0.8 * 3.0 + 0.5 * 2.0 + 2.0 / 3.0) / 6.0;
        assert!((weighted_f1(&pc) - weighted).abs() < 1e-12);
    }

    #[test]
    fn kappa_matches_hand_computation() {
        // p_o = 4/6; p_e = (3/6)(2/6) + (2/6)(2/6) + (1/6)(2/6) = 12/36 = 1/3.
        let kappa = cohen_kappa(&matrix());
        assert!((kappa - (4.0 / 6.0 - 1.0 / 3.0) / (1.0 - 1.0 / 3.0)).abs() < 1e-12);
        assert_eq!(cohen_kappa(&[vec![3, 0], vec![0, 2]]), 1.0);
    }

    #[test]
    fn krippendorff_alpha_matches_hand_computation() {
        // gold a a b b, coder 2 a b b b: o = [[2, 1], [1, 4]], n = 8, n_a = 3, n_b = 5;
        // D_o = 2/8, D_e = 30/56, alpha = 1 - D_o/D_e = 1 - 0.25 * 56 / 30.
        let alpha = krippendorff_alpha(&[vec![1, 1], vec![0, 2]]);
        assert!((alpha - (1.0 - 0.25 * 56.0 / 30.0)).abs() < 1e-12);
        assert_eq!(krippendorff_alpha(&[vec![2, 0], vec![0, 3]]), 1.0);
    }

    #[test]
    fn log_loss_matches_hand_computation() {
        let p1 = [0.5, 0.5];
        let p2 = [0.0, 1.0];
        let loss = log_loss([(0, &p1[..]), (0, &p2[..])].into_iter());
        assert!((loss - (0.5f64.ln().abs() + 1e-15f64.ln().abs()) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn macro_f1_ignores_classes_absent_from_gold_and_predictions() {
        let m = vec![vec![1, 0, 0], vec![0, 1, 0], vec![0, 0, 0]];
        let pc = per_class_metrics(&labels(), &m);
        assert_eq!(macro_f1(&pc, &m), 1.0);
    }

    #[test]
    fn bootstrap_intervals_contain_the_estimate_and_depend_only_on_the_seed() {
        let gold = [0, 0, 0, 1, 1, 2, 2, 2, 1, 0];
        let predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1, 0];
        let pairs: Vec<(usize, usize)> = gold.into_iter().zip(predicted).collect();
        let (acc, f1) = bootstrap_intervals(&labels(), &pairs, 500, 7);
        assert!(acc.0 <= 0.8 && 0.8 <= acc.1, "{acc:?}");
        assert!(f1.0 <= f1.1 && f1.1 <= 1.0);
        assert_eq!((acc, f1), bootstrap_intervals(&labels(), &pairs, 500, 7));
        // All correct: every resample is perfect.
        let perfect: Vec<(usize, usize)> = gold.iter().map(|&g| (g, g)).collect();
        assert_eq!(
            bootstrap_intervals(&labels(), &perfect, 100, 1).0,
            (1.0, 1.0)
        );
    }

    #[test]
    fn calibration_bins_and_ece_match_hand_computation() {
        // Two examples at 0.95 (one right), two at 0.55 (both right).
        let (bins, ece) = calibration(
            &[(0.95, true), (0.95, false), (0.55, true), (0.55, true)],
            10,
        );
        assert_eq!(bins[9].count, 2);
        assert!((bins[9].accuracy - 0.5).abs() < 1e-12);
        assert!((bins[5].confidence - 0.55).abs() < 1e-12);
        // ECE = 0.5 * |0.5 - 0.95| + 0.5 * |1 - 0.55| = 0.45.
        assert!((ece - 0.45).abs() < 1e-12);
    }

    #[test]
    fn most_confident_errors_come_first() {
        let probs = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]];
        let examples: Vec<Scored> = [(1, 0), (1, 1), (1, 2)]
            .iter()
            .map(|&(gold, i)| Scored {
                gold,
                probabilities: &probs[i],
                text: "t",
                line: i as u64 + 2,
            })
            .collect();
        let eval = evaluate_task(
            "frame",
            "frame",
            &["x".into(), "y".into()],
            &examples,
            10,
            None,
        );
        assert_eq!(eval.confident_errors.len(), 2);
        assert_eq!(eval.confident_errors[0].line, 2);
        assert_eq!(eval.confident_errors[0].confidence, 0.9);
    }
}
