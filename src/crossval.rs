//! k-fold cross-validation: stratified by the first task's labels, or grouped (one story never on both
//! sides) when groups are given; deterministic for a seed.

use std::collections::BTreeMap;

use crate::error::{Result, StanceError};
use crate::eval::{evaluate_task, Scored, TaskEvaluation};
use crate::model::{train, LabeledTexts, ValidTrainParams};
use crate::rng::SplitMix64;

/// The fold of each row. With `groups`, whole groups go to the fold that has the fewest rows so far
/// (largest groups first, ties in seeded order); without, each class is dealt round-robin in seeded order.
pub fn assign_folds(
    strata: &[Option<String>],
    groups: Option<&[String]>,
    folds: usize,
    seed: u64,
) -> Vec<usize> {
    let mut rng = SplitMix64(seed);
    let mut fold_of = vec![0; strata.len()];
    match groups {
        Some(groups) => {
            let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (row, group) in groups.iter().enumerate() {
                members.entry(group.as_str()).or_default().push(row);
            }
            let mut groups: Vec<Vec<usize>> = members.into_values().collect();
            rng.shuffle(&mut groups);
            groups.sort_by_key(|rows| std::cmp::Reverse(rows.len()));
            let mut sizes = vec![0usize; folds];
            for rows in groups {
                let smallest = (0..folds).min_by_key(|&f| sizes[f]).unwrap_or(0);
                sizes[smallest] += rows.len();
                rows.into_iter().for_each(|row| fold_of[row] = smallest);
            }
        }
        None => {
            let mut by_class: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
            for (row, label) in strata.iter().enumerate() {
                by_class.entry(label.as_deref()).or_default().push(row);
            }
            let mut next = 0;
            for rows in by_class.values_mut() {
                rng.shuffle(rows);
                for &row in rows.iter() {
                    fold_of[row] = next % folds;
                    next += 1;
                }
            }
        }
    }
    fold_of
}

/// Per fold, the evaluation of every task on the held-out rows.
pub fn cross_validate(
    params: &ValidTrainParams,
    data: &LabeledTexts,
    groups: Option<&[String]>,
    folds: usize,
    seed: u64,
) -> Result<Vec<Vec<TaskEvaluation>>> {
    if folds < 2 || folds > data.texts.len() {
        return Err(StanceError::InvalidParam {
            name: "folds",
            value: folds.to_string(),
            reason: format!(
                "must be between 2 and the number of rows ({})",
                data.texts.len()
            ),
        });
    }
    let strata = data
        .tasks
        .first()
        .map(|(_, l)| l.clone())
        .unwrap_or_default();
    let fold_of = assign_folds(&strata, groups, folds, seed);
    let mut results = Vec::with_capacity(folds);
    for fold in 0..folds {
        let pick = |keep: bool| LabeledTexts {
            source: data.source.clone(),
            text_column: data.text_column.clone(),
            texts: rows_where(&fold_of, fold, keep, &data.texts),
            tasks: data
                .tasks
                .iter()
                .map(|(name, labels)| (name.clone(), rows_where(&fold_of, fold, keep, labels)))
                .collect(),
        };
        let (training, held_out) = (pick(false), pick(true));
        let (model, _) = train(params, &training)?;
        let predictions: Vec<_> = held_out.texts.iter().map(|t| model.predict(t)).collect();
        let mut evaluations = Vec::new();
        for (t, (name, labels)) in held_out.tasks.iter().enumerate() {
            let head = &model.tasks[t];
            let examples: Vec<Scored> = labels
                .iter()
                .enumerate()
                .filter_map(|(row, label)| {
                    let gold = head.labels.iter().position(|l| Some(l) == label.as_ref())?;
                    Some(Scored {
                        gold,
                        probabilities: &predictions[row][t].probabilities,
                        text: &held_out.texts[row],
                        line: 0,
                    })
                })
                .collect();
            evaluations.push(evaluate_task(name, name, &head.labels, &examples, 0, None));
        }
        results.push(evaluations);
    }
    Ok(results)
}

fn rows_where<T: Clone>(fold_of: &[usize], fold: usize, in_fold: bool, items: &[T]) -> Vec<T> {
    items
        .iter()
        .zip(fold_of)
        .filter(|(_, &f)| (f == fold) == in_fold)
        .map(|(item, _)| item.clone())
        .collect()
}

/// Mean and sample standard deviation.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = if n > 1.0 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_folds_never_split_a_group_and_are_deterministic() {
        let groups: Vec<String> = (0..40).map(|i| format!("story-{}", i / 3)).collect();
        let strata = vec![None; 40];
        let folds = assign_folds(&strata, Some(&groups), 4, 7);
        for i in 0..40 {
            for j in 0..40 {
                if groups[i] == groups[j] {
                    assert_eq!(folds[i], folds[j]);
                }
            }
        }
        assert_eq!(folds, assign_folds(&strata, Some(&groups), 4, 7));
        for f in 0..4 {
            let n = folds.iter().filter(|&&x| x == f).count();
            assert!((9..=12).contains(&n), "fold {f} has {n} rows");
        }
    }

    #[test]
    fn stratified_folds_spread_each_class_evenly() {
        let strata: Vec<Option<String>> = (0..30)
            .map(|i| Some(if i < 10 { "a" } else { "b" }.to_string()))
            .collect();
        let folds = assign_folds(&strata, None, 5, 1);
        for f in 0..5 {
            let a = (0..10).filter(|&i| folds[i] == f).count();
            assert_eq!(a, 2, "fold {f}");
        }
    }

    #[test]
    fn mean_and_sample_sd() {
        let (m, s) = mean_sd(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        assert!((s - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }
}
