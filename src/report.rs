//! Rendering results for people (tables) and programs (JSON, JSON Lines, CSV).

use comfy_table::{presets, ContentArrangement, Table};
use serde_json::{json, Map, Value};

use crate::classify::{ClassifiedDocument, ClassifiedUnit};
use crate::eval::TaskEvaluation;
use crate::model::{Model, FORMAT_VERSION};

/// Scores rounded to 4 decimals: enough to read, stable to diff.
fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn label_map(labels: &[String], values: &[f64]) -> Value {
    Value::Object(
        labels
            .iter()
            .zip(values)
            .map(|(l, v)| (l.clone(), json!(round(*v))))
            .collect(),
    )
}

/// What the output says about the model that made it.
pub fn model_json(model: &Model, source: &str) -> Value {
    let tasks: Map<String, Value> = model
        .tasks
        .iter()
        .map(|t| (t.name.clone(), json!(t.labels)))
        .collect();
    let f = model.vectorizer.params();
    let t = &model.training;
    json!({
        "source": source,
        "format_version": FORMAT_VERSION,
        "stance_version": model.crate_version,
        "tasks": tasks,
        "vocabulary_size": model.vectorizer.ngram_columns(),
        "features": {"ngram_min": f.ngram_min, "ngram_max": f.ngram_max, "min_df": f.min_df,
                     "max_features": f.max_features, "tfidf": f.tfidf,
                     "char_ngrams": f.char_ngrams, "hash_bits": f.hash_bits,
                     "lexicon": f.lexicon, "lead_clause": f.lead_clause},
        "training": {"c": t.c, "max_iter": t.max_iter, "tolerance": t.tolerance,
                     "class_weight": t.class_weight.to_string(), "solver": t.solver.to_string(),
                     "epochs": t.epochs, "learning_rate": t.learning_rate, "nb_weight": t.nb_weight,
                     "text_column": t.text_column,
                     "rows": t.rows.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<_, _>>()},
    })
}

fn unit_json(model: &Model, unit: &ClassifiedUnit) -> Map<String, Value> {
    let predictions: Map<String, Value> = model
        .tasks
        .iter()
        .zip(&unit.predictions)
        .map(|(task, p)| {
            (
                task.name.clone(),
                json!({"label": task.labels[p.best], "scores": label_map(&task.labels, &p.probabilities)}),
            )
        })
        .collect();
    let mut object = Map::new();
    object.insert("index".into(), json!(unit.index));
    object.insert("start".into(), json!(unit.start));
    object.insert("end".into(), json!(unit.end));
    object.insert("text".into(), json!(unit.text));
    object.insert("predictions".into(), Value::Object(predictions));
    object
}

pub fn document_json(model: &Model, doc: &ClassifiedDocument) -> Value {
    let sentences: Vec<Value> = doc
        .units
        .iter()
        .map(|u| Value::Object(unit_json(model, u)))
        .collect();
    let predictions: Map<String, Value> = model
        .tasks
        .iter()
        .zip(&doc.summary)
        .map(|(task, s)| {
            let counts: Map<String, Value> = task
                .labels
                .iter()
                .zip(&s.counts)
                .map(|(l, c)| (l.clone(), json!(c)))
                .collect();
            (
                task.name.clone(),
                json!({"label": task.labels[s.best], "scores": label_map(&task.labels, &s.mean_scores),
                       "counts": counts}),
            )
        })
        .collect();
    let mut summary = Map::new();
    summary.insert("sentences".into(), json!(doc.units.len()));
    summary.insert("predictions".into(), Value::Object(predictions));
    if let (Some(stance), Some((_, tones))) = (&doc.stance, model.task("tone")) {
        let stance: Map<String, Value> = stance
            .iter()
            .map(|s| {
                (
                    s.frame.clone(),
                    json!({"share": round(s.share), "tone": label_map(&tones.labels, &s.tone)}),
                )
            })
            .collect();
        summary.insert("stance".into(), Value::Object(stance));
    }
    json!({"source": doc.source, "sentences": sentences, "summary": summary})
}

pub fn classify_json(model: &Model, model_source: &str, docs: &[ClassifiedDocument]) -> String {
    let value = json!({
        "model": model_json(model, model_source),
        "documents": docs.iter().map(|d| document_json(model, d)).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes JSON Lines records byte for byte as [`jsonl_line`] does, without building JSON values: the
/// names and labels are escaped once, numbers and texts written straight into the buffer.
pub struct JsonlWriter {
    /// Per task: `"task":{"label":` and, per label, the JSON string of the label and its `"label":` key.
    tasks: Vec<(String, Vec<(String, String)>)>,
}

impl JsonlWriter {
    pub fn new(model: &Model) -> Self {
        let quoted = |s: &str| Value::String(s.to_string()).to_string();
        JsonlWriter {
            tasks: model
                .tasks
                .iter()
                .map(|task| {
                    (
                        format!("{}:{{\"label\":", quoted(&task.name)),
                        task.labels
                            .iter()
                            .map(|l| (quoted(l), format!("{}:", quoted(l))))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// Appends the record of `unit` from `source`, with its line break, to `out`.
    pub fn write_line(&self, source: &str, unit: &ClassifiedUnit, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"document\":");
        write_json(source, out);
        out.extend_from_slice(b",\"index\":");
        write_json(&unit.index, out);
        out.extend_from_slice(b",\"start\":");
        write_json(&unit.start, out);
        out.extend_from_slice(b",\"end\":");
        write_json(&unit.end, out);
        out.extend_from_slice(b",\"text\":");
        write_json(unit.text.as_str(), out);
        out.extend_from_slice(b",\"predictions\":{");
        for (t, ((task_key, labels), prediction)) in
            self.tasks.iter().zip(&unit.predictions).enumerate()
        {
            if t > 0 {
                out.push(b',');
            }
            out.extend_from_slice(task_key.as_bytes());
            out.extend_from_slice(labels[prediction.best].0.as_bytes());
            out.extend_from_slice(b",\"scores\":{");
            for (i, ((_, key), &p)) in labels.iter().zip(&prediction.probabilities).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(key.as_bytes());
                write_score(p, out);
            }
            out.extend_from_slice(b"}}");
        }
        out.extend_from_slice(b"}}\n");
    }
}

/// A score rounded to 4 decimals, written as serde_json writes `round(p)` (the shortest form that reads
/// back: `0.39`, `0.0001`, `1.0`, `0.0`) without formatting a float.
fn write_score(p: f64, out: &mut Vec<u8>) {
    let tenths_of_thousandths = (p * 1e4).round();
    if !(0.0..10_000.0).contains(&tenths_of_thousandths) {
        write_json(&round(p), out);
        return;
    }
    let k = tenths_of_thousandths as u32;
    if k == 0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let digits = [k / 1000, k / 100 % 10, k / 10 % 10, k % 10].map(|d| b'0' + d as u8);
    let used = 4 - digits.iter().rev().take_while(|&&d| d == b'0').count();
    out.extend_from_slice(b"0.");
    out.extend_from_slice(&digits[..used]);
}

/// A string or number written by serde_json, so it is formatted exactly as in a `Value`.
fn write_json<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Serializing a string or a number into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// One JSON Lines record: the unit with its `document`, and a line break.
pub fn jsonl_line(model: &Model, source: &str, unit: &ClassifiedUnit) -> String {
    let mut object = Map::new();
    object.insert("document".into(), json!(source));
    object.extend(unit_json(model, unit));
    let mut line = Value::Object(object).to_string();
    line.push('\n');
    line
}

pub fn classify_jsonl(model: &Model, docs: &[ClassifiedDocument]) -> String {
    docs.iter()
        .flat_map(|doc| {
            doc.units
                .iter()
                .map(|unit| jsonl_line(model, &doc.source, unit))
        })
        .collect()
}

/// Header of the score columns: for each task its label, then `task_label` for each class.
pub fn score_columns(model: &Model) -> Vec<String> {
    let mut columns = Vec::new();
    for task in &model.tasks {
        columns.push(task.name.clone());
        columns.extend(task.labels.iter().map(|l| format!("{}_{}", task.name, l)));
    }
    columns
}

/// The values matching [`score_columns`] for one prediction.
pub fn score_values(model: &Model, predictions: &[crate::model::TaskPrediction]) -> Vec<String> {
    let mut values = Vec::new();
    for (task, p) in model.tasks.iter().zip(predictions) {
        values.push(task.labels[p.best].clone());
        values.extend(p.probabilities.iter().map(|v| format!("{:.4}", v)));
    }
    values
}

/// Header of `--format csv`.
pub fn csv_header(model: &Model) -> Vec<String> {
    let mut header: Vec<String> = ["document", "index", "start", "end", "text"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(score_columns(model));
    header
}

/// One `--format csv` record.
pub fn csv_record(model: &Model, source: &str, unit: &ClassifiedUnit) -> Vec<String> {
    let mut row = vec![
        source.to_string(),
        unit.index.to_string(),
        unit.start.to_string(),
        unit.end.to_string(),
        unit.text.clone(),
    ];
    row.extend(score_values(model, &unit.predictions));
    row
}

pub fn classify_csv(model: &Model, docs: &[ClassifiedDocument]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(csv_header(model))?;
    for doc in docs {
        for unit in &doc.units {
            writer.write_record(csv_record(model, &doc.source, unit))?;
        }
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn new_table(markdown: bool) -> Table {
    let mut table = Table::new();
    table.load_preset(if markdown {
        presets::ASCII_MARKDOWN
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    if !markdown {
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_width(terminal_width());
    }
    table
}

fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &u16| w >= 40)
        .unwrap_or(120)
}

/// "cultural 0.22 (3), diplomatic 0.40 (6), …": each label's mean score and how many units got it.
pub fn summary_scores(
    task: &crate::model::TaskHead,
    summary: &crate::classify::TaskSummary,
) -> String {
    task.labels
        .iter()
        .zip(summary.mean_scores.iter().zip(&summary.counts))
        .map(|(l, (m, c))| format!("{l} {m:.2} ({c})"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn classify_table(model: &Model, docs: &[ClassifiedDocument]) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str(&format!("{}: {} sentences\n", doc.source, doc.units.len()));
        if doc.units.is_empty() {
            out.push('\n');
            continue;
        }
        let mut table = new_table(false);
        let mut header = vec!["#".to_string()];
        header.extend(model.tasks.iter().map(|t| t.name.clone()));
        header.push("sentence".into());
        table.set_header(header);
        for unit in &doc.units {
            let mut row = vec![unit.index.to_string()];
            for (task, p) in model.tasks.iter().zip(&unit.predictions) {
                row.push(format!(
                    "{} {:.2}",
                    task.labels[p.best], p.probabilities[p.best]
                ));
            }
            row.push(unit.text.clone());
            table.add_row(row);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        for (task, s) in model.tasks.iter().zip(&doc.summary) {
            out.push_str(&format!(
                "{}: {} — mean scores (sentences): {}\n",
                task.name,
                task.labels[s.best],
                summary_scores(task, s)
            ));
        }
        if let (Some(stance), Some((_, tones))) = (&doc.stance, model.task("tone")) {
            let mut table = new_table(false);
            let mut header = vec!["stance: frame".to_string(), "share".to_string()];
            header.extend(tones.labels.iter().cloned());
            table.set_header(header);
            for s in stance {
                let mut row = vec![s.frame.clone(), format!("{:.2}", s.share)];
                row.extend(s.tone.iter().map(|t| format!("{t:.2}")));
                table.add_row(row);
            }
            out.push_str(&table.to_string());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

pub fn eval_json(evaluations: &[TaskEvaluation]) -> String {
    let tasks: Map<String, Value> = evaluations
        .iter()
        .map(|e| {
            let per_class: Map<String, Value> = e
                .per_class
                .iter()
                .map(|m| {
                    (
                        m.label.clone(),
                        json!({"precision": m.precision, "recall": m.recall, "f1": m.f1, "support": m.support}),
                    )
                })
                .collect();
            let errors: Vec<Value> = e
                .confident_errors
                .iter()
                .map(|x| json!({"line": x.line, "text": x.text, "gold": x.gold, "predicted": x.predicted,
                               "confidence": x.confidence}))
                .collect();
            (
                e.task.clone(),
                json!({"column": e.column, "n": e.n, "accuracy": e.accuracy, "macro_f1": e.macro_f1,
                       "accuracy_ci95": e.accuracy_ci.map(|(a, b)| [a, b]),
                       "macro_f1_ci95": e.macro_f1_ci.map(|(a, b)| [a, b]),
                       "weighted_f1": e.weighted_f1, "kappa": e.kappa,
                       "krippendorff_alpha": e.krippendorff_alpha, "log_loss": e.log_loss,
                       "expected_calibration_error": e.ece,
                       "per_class": per_class,
                       "confusion": {"labels": e.labels, "matrix": e.confusion},
                       "confident_errors": errors}),
            )
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({ "tasks": tasks })).unwrap_or_default();
    text.push('\n');
    text
}

/// The eval report as text tables (`markdown = false`) or Markdown.
pub fn eval_tables(evaluations: &[TaskEvaluation], source: &str, markdown: bool) -> String {
    let mut out = String::new();
    let heading = |level: &str, text: &str| {
        if markdown {
            format!("{level} {text}\n\n")
        } else {
            format!("{text}\n")
        }
    };
    if markdown {
        out.push_str(&heading("#", &format!("Evaluation on `{source}`")));
    }
    for e in evaluations {
        out.push_str(&heading(
            "##",
            &format!("Task `{}` (column `{}`, n = {})", e.task, e.column, e.n),
        ));
        let mut summary = new_table(markdown);
        summary.set_header(vec![
            "accuracy",
            "macro-F1",
            "weighted F1",
            "Cohen's kappa",
            "Krippendorff's alpha",
            "log loss",
        ]);
        summary.add_row(
            [
                e.accuracy,
                e.macro_f1,
                e.weighted_f1,
                e.kappa,
                e.krippendorff_alpha,
                e.log_loss,
            ]
            .iter()
            .map(|v| format!("{v:.3}"))
            .collect::<Vec<_>>(),
        );
        out.push_str(&format!("{summary}\n"));
        if let (Some(a), Some(m)) = (e.accuracy_ci, e.macro_f1_ci) {
            out.push_str(&format!(
                "{}95 % bootstrap intervals: accuracy {:.3}–{:.3}, macro-F1 {:.3}–{:.3}\n",
                if markdown { "\n" } else { "" },
                a.0,
                a.1,
                m.0,
                m.1
            ));
        }
        out.push('\n');

        let mut classes = new_table(markdown);
        classes.set_header(vec!["class", "precision", "recall", "F1", "support"]);
        for m in &e.per_class {
            classes.add_row(vec![
                m.label.clone(),
                format!("{:.3}", m.precision),
                format!("{:.3}", m.recall),
                format!("{:.3}", m.f1),
                m.support.to_string(),
            ]);
        }
        out.push_str(&format!("{classes}\n\n"));

        out.push_str(&heading(
            "###",
            "Confusion matrix (rows: true, columns: predicted)",
        ));
        let mut confusion = new_table(markdown);
        let mut header = vec!["true \\ predicted".to_string()];
        header.extend(e.labels.iter().cloned());
        confusion.set_header(header);
        for (label, row) in e.labels.iter().zip(&e.confusion) {
            let mut cells = vec![label.clone()];
            cells.extend(row.iter().map(|c| c.to_string()));
            confusion.add_row(cells);
        }
        out.push_str(&format!("{confusion}\n\n"));

        if !e.confident_errors.is_empty() {
            out.push_str(&heading("###", "Most confident errors"));
            let mut errors = new_table(markdown);
            errors.set_header(vec!["line", "true", "predicted", "p", "text"]);
            for x in &e.confident_errors {
                errors.add_row(vec![
                    x.line.to_string(),
                    x.gold.clone(),
                    x.predicted.clone(),
                    format!("{:.2}", x.confidence),
                    if markdown {
                        x.text.replace('|', "\\|")
                    } else {
                        x.text.clone()
                    },
                ]);
            }
            out.push_str(&format!("{errors}\n\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::FeatureParams;
    use crate::model::{train, LabeledTexts, TrainParams};

    #[test]
    fn scores_are_written_as_serde_json_writes_them() {
        for k in 0..=10_000u32 {
            for p in [
                f64::from(k) / 1e4,
                (f64::from(k) + 0.49) / 1e4,
                (f64::from(k) - 0.49) / 1e4,
            ] {
                if !(0.0..=1.0).contains(&p) {
                    continue;
                }
                let mut fast = Vec::new();
                write_score(p, &mut fast);
                assert_eq!(
                    String::from_utf8(fast).unwrap(),
                    json!(round(p)).to_string(),
                    "{p}"
                );
            }
        }
    }

    #[test]
    fn the_fast_jsonl_writer_writes_what_serde_json_writes() {
        let data = LabeledTexts {
            source: "t".into(),
            text_column: "text".into(),
            texts: vec![
                "grain exports".into(),
                "troops fired".into(),
                "a visit".into(),
            ],
            tasks: vec![(
                "frame \"x\"".into(),
                vec![
                    Some("economic".into()),
                    Some("military".into()),
                    Some("dip\\lomatic".into()),
                ],
            )],
        };
        let params = TrainParams {
            features: FeatureParams {
                min_df: 1,
                ..FeatureParams::default()
            },
            ..TrainParams::default()
        };
        let model = train(&params.check().unwrap(), &data).unwrap().0;
        let writer = JsonlWriter::new(&model);
        for text in [
            "grain exports",
            "Troops \"fired\" \\ \t\u{1}",
            "Łódź — 東京 😀",
        ] {
            let unit = ClassifiedUnit {
                index: 12,
                start: 3,
                end: 99,
                text: text.to_string(),
                predictions: model.predict(text),
            };
            let mut fast = Vec::new();
            writer.write_line("dir/ä \"b\".txt", &unit, &mut fast);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                jsonl_line(&model, "dir/ä \"b\".txt", &unit)
            );
        }
    }
}
