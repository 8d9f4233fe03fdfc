//! Why the model says what it says: per-feature contributions and each class's strongest n-grams.
//!
//! Softmax scores do not change when the same amount is added to every class, so a feature's weight for
//! a class is read relative to its mean weight over the classes: `value × (w_class − mean_k w_k)`. A
//! positive contribution pushed toward the class, a negative one against it.

use crate::model::{Model, TaskHead};

/// One feature's push on one class.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub feature: String,
    pub value: f64,
    pub contribution: f64,
}

/// A task's prediction for one text, with every contribution to the predicted class (largest first).
#[derive(Debug, Clone)]
pub struct Explanation {
    pub task: String,
    pub label: String,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
}

fn centered_weight(task: &TaskHead, column: usize, class: usize) -> f64 {
    let row = task.weights.row(column);
    f64::from(row[class]) - row.iter().map(|&w| f64::from(w)).sum::<f64>() / row.len() as f64
}

pub fn explain(model: &Model, text: &str) -> Vec<Explanation> {
    let row = model.vectorizer.transform_one(text);
    let names = model.vectorizer.feature_names(text);
    model
        .tasks
        .iter()
        .zip(model.predict(text))
        .map(|(task, prediction)| {
            let mut contributions: Vec<Contribution> = row
                .columns
                .iter()
                .zip(&row.values)
                .map(|(&column, &value)| Contribution {
                    feature: names
                        .get(&column)
                        .cloned()
                        .unwrap_or_else(|| format!("#{column}")),
                    value,
                    contribution: value * centered_weight(task, column, prediction.best),
                })
                .collect();
            contributions.sort_by(|a, b| {
                b.contribution
                    .total_cmp(&a.contribution)
                    .then_with(|| a.feature.cmp(&b.feature))
            });
            Explanation {
                task: task.name.clone(),
                label: task.labels[prediction.best].clone(),
                probability: prediction.probabilities[prediction.best],
                contributions,
            }
        })
        .collect()
}

/// The `n` features with the largest centered weight for each class of a task, as (feature, weight).
/// Empty lists for a hashed model, which keeps no n-gram names.
pub fn top_features(model: &Model, task: &TaskHead, n: usize) -> Vec<Vec<(String, f64)>> {
    if model.vectorizer.is_hashed() {
        return vec![Vec::new(); task.labels.len()];
    }
    (0..task.labels.len())
        .map(|class| {
            let mut weighted: Vec<(usize, f64)> = (0..model.vectorizer.n_features())
                .map(|column| (column, centered_weight(task, column, class)))
                .collect();
            weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            weighted
                .into_iter()
                .take(n)
                .map(|(column, w)| {
                    let name = model.vectorizer.column_name(column).unwrap_or("?");
                    (name.to_string(), w)
                })
                .collect()
        })
        .collect()
}

/// Entropy of a probability vector (nats): 0 when sure, ln(k) when all classes are equal.
pub fn entropy(probabilities: &[f64]) -> f64 {
    -probabilities
        .iter()
        .filter(|&&p| p > 0.0)
        .map(|p| p * p.ln())
        .sum::<f64>()
}

/// Difference between the two largest probabilities: small when the model hesitates between two.
pub fn margin(probabilities: &[f64]) -> f64 {
    let mut sorted = probabilities.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    match sorted.as_slice() {
        [first, second, ..] => first - second,
        [only] => *only,
        [] => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureParams;
    use crate::model::{train, LabeledTexts, TrainParams};

    fn model() -> Model {
        let texts = [
            "grain exports rose",
            "grain prices fell",
            "troops fired missiles",
            "troops and tanks",
        ];
        let data = LabeledTexts {
            source: "t".into(),
            text_column: "text".into(),
            texts: texts.iter().map(|s| s.to_string()).collect(),
            tasks: vec![(
                "frame".into(),
                ["economic", "economic", "military", "military"]
                    .iter()
                    .map(|s| Some(s.to_string()))
                    .collect(),
            )],
        };
        let params = TrainParams {
            features: FeatureParams {
                min_df: 1,
                char_ngrams: None,
                ..FeatureParams::default()
            },
            ..TrainParams::default()
        };
        train(&params.check().unwrap(), &data).unwrap().0
    }

    #[test]
    fn the_telling_word_pushes_toward_the_predicted_class() {
        let model = model();
        let explanation = &explain(&model, "grain and more")[0];
        assert_eq!(explanation.label, "economic");
        assert_eq!(explanation.contributions[0].feature, "grain");
        assert!(explanation.contributions[0].contribution > 0.0);
    }

    #[test]
    fn top_features_of_each_class() {
        let model = model();
        let top = top_features(&model, &model.tasks[0], 1);
        assert_eq!(top[0][0].0, "grain");
        assert_eq!(top[1][0].0, "troops");
    }

    #[test]
    fn entropy_and_margin_match_hand_computation() {
        assert_eq!(entropy(&[1.0, 0.0]), 0.0);
        assert!((entropy(&[0.5, 0.5]) - 2f64.ln()).abs() < 1e-12);
        assert!((margin(&[0.2, 0.5, 0.3]) - 0.2).abs() < 1e-12);
    }
}
