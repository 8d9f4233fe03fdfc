//! Classifying documents: cut the input into units (sentences, lines or the whole text), predict every
//! task for each, and sum the document up (mean scores, label counts, and the tone toward each frame).

use rayon::prelude::*;

use crate::model::{argmax, Model, TaskPrediction};
use crate::sentences::sentence_spans;

/// What one prediction is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unit {
    /// Split the text into sentences.
    Sentence,
    /// Each non-empty input line is one text.
    Line,
    /// The whole input is one text.
    Document,
}

/// One classified unit; `start`/`end` are character (Unicode scalar) offsets into the input.
#[derive(Debug, Clone)]
pub struct ClassifiedUnit {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Per task, in the model's task order.
    pub predictions: Vec<TaskPrediction>,
}

#[derive(Debug, Clone)]
pub struct TaskSummary {
    /// Mean of the units' scores, in the task's label order.
    pub mean_scores: Vec<f64>,
    /// How many units got each label.
    pub counts: Vec<usize>,
    /// The label with the highest mean score.
    pub best: usize,
}

/// The document's tone toward one frame.
#[derive(Debug, Clone)]
pub struct FrameStance {
    pub frame: String,
    /// Mean frame score over the units.
    pub share: f64,
    /// Tone scores averaged over units, weighted by each unit's score for this frame (tone label order).
    pub tone: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct ClassifiedDocument {
    pub source: String,
    pub units: Vec<ClassifiedUnit>,
    /// Per task; empty when the document has no units.
    pub summary: Vec<TaskSummary>,
    /// Present when the model has a `frame` and a `tone` task and the document has units.
    pub stance: Option<Vec<FrameStance>>,
}

/// Byte ranges of the units of `text`.
pub fn unit_spans(text: &str, unit: Unit) -> Vec<(usize, usize)> {
    match unit {
        Unit::Sentence => sentence_spans(text)
            .into_iter()
            .map(|span| (span.start, span.end))
            .collect(),
        Unit::Line => {
            let mut spans = Vec::new();
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim();
                if !trimmed.is_empty() {
                    let start = offset + (line.len() - line.trim_start().len());
                    spans.push((start, start + trimmed.len()));
                }
                offset += line.len();
            }
            spans
        }
        Unit::Document => {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                Vec::new()
            } else {
                let start = text.len() - text.trim_start().len();
                vec![(start, start + trimmed.len())]
            }
        }
    }
}

pub fn classify_document(
    model: &Model,
    source: &str,
    text: &str,
    unit: Unit,
) -> ClassifiedDocument {
    let spans = unit_spans(text, unit);
    // Predictions in parallel; `collect` keeps them in input order.
    let mut predictions: Vec<Vec<TaskPrediction>> = spans
        .par_iter()
        .map(|&(start, end)| model.predict(&text[start..end]))
        .collect::<Vec<_>>();
    let mut units = Vec::with_capacity(spans.len());
    let mut chars_before = 0;
    let mut bytes_seen = 0;
    for (index, (start, end)) in spans.into_iter().enumerate() {
        chars_before += text[bytes_seen..start].chars().count();
        let char_start = chars_before;
        let piece = &text[start..end];
        let char_end = char_start + piece.chars().count();
        chars_before = char_end;
        bytes_seen = end;
        units.push(ClassifiedUnit {
            index,
            start: char_start,
            end: char_end,
            text: piece.to_string(),
            predictions: std::mem::take(&mut predictions[index]),
        });
    }
    let summary = summarize(model, &units);
    let stance = frame_stance(model, &units);
    ClassifiedDocument {
        source: source.to_string(),
        units,
        summary,
        stance,
    }
}

fn summarize(model: &Model, units: &[ClassifiedUnit]) -> Vec<TaskSummary> {
    if units.is_empty() {
        return Vec::new();
    }
    model
        .tasks
        .iter()
        .enumerate()
        .map(|(t, task)| {
            let k = task.labels.len();
            let mut mean_scores = vec![0.0; k];
            let mut counts = vec![0; k];
            for unit in units {
                let prediction = &unit.predictions[t];
                counts[prediction.best] += 1;
                for (sum, p) in mean_scores.iter_mut().zip(&prediction.probabilities) {
                    *sum += p;
                }
            }
            mean_scores
                .iter_mut()
                .for_each(|s| *s /= units.len() as f64);
            TaskSummary {
                best: argmax(&mean_scores),
                mean_scores,
                counts,
            }
        })
        .collect()
}

fn frame_stance(model: &Model, units: &[ClassifiedUnit]) -> Option<Vec<FrameStance>> {
    let (frame_task, frames) = model.task("frame")?;
    let (tone_task, tones) = model.task("tone")?;
    if units.is_empty() {
        return None;
    }
    let stance = frames
        .labels
        .iter()
        .enumerate()
        .map(|(f, frame)| {
            let mut weight_sum = 0.0;
            let mut tone = vec![0.0; tones.labels.len()];
            for unit in units {
                let weight = unit.predictions[frame_task].probabilities[f];
                weight_sum += weight;
                for (sum, p) in tone
                    .iter_mut()
                    .zip(&unit.predictions[tone_task].probabilities)
                {
                    *sum += weight * p;
                }
            }
            if weight_sum > 0.0 {
                tone.iter_mut().for_each(|t| *t /= weight_sum);
            }
            FrameStance {
                frame: frame.clone(),
                share: weight_sum / units.len() as f64,
                tone,
            }
        })
        .collect();
    Some(stance)
}

/// How many lines `render_line_units` reads, predicts and renders at once; memory is bounded by it.
const LINES_PER_BATCH: usize = 16_384;
/// Lines one parallel work item predicts and renders.
const LINES_PER_TASK: usize = 1024;

/// Classifies every non-empty line of `reader` as one text (as `Unit::Line`), batch by batch: each unit is
/// predicted and `render`ed (into bytes) in parallel, and the bytes handed to `write` in input order.
/// Memory stays flat however long the input. `source` names the input in errors (a line that is not
/// UTF-8 stops it with its line number).
pub fn render_line_units(
    model: &Model,
    mut reader: impl std::io::BufRead + Send,
    source: &str,
    render: impl Fn(&ClassifiedUnit, &mut Vec<u8>) -> crate::error::Result<()> + Sync,
    mut write: impl FnMut(&[u8]) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut lines = LineBatches::new(source);
    let mut next = lines.read(&mut reader)?;
    // Output buffers go back here once written: fresh large buffers would cost page faults every time.
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::default();
    loop {
        let (batch, at_end) = next;
        // The next batch is read while this one is predicted and rendered.
        let (rendered, following) = rayon::join(
            || {
                batch
                    .into_par_iter()
                    .chunks(LINES_PER_TASK)
                    .map(|mut units| {
                        let texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
                        let predictions = model.predict_many(&texts);
                        let mut out = spare
                            .lock()
                            .ok()
                            .and_then(|mut spare| spare.pop())
                            .unwrap_or_default();
                        out.clear();
                        for (unit, predictions) in units.iter_mut().zip(predictions) {
                            unit.predictions = predictions;
                            render(unit, &mut out)?;
                        }
                        Ok(out)
                    })
                    .collect::<crate::error::Result<Vec<Vec<u8>>>>()
            },
            || match at_end {
                true => Ok((Vec::new(), true)),
                false => lines.read(&mut reader),
            },
        );
        let rendered = rendered?;
        for part in &rendered {
            write(part)?;
        }
        if let Ok(mut spare) = spare.lock() {
            spare.extend(rendered);
        }
        if at_end {
            return Ok(());
        }
        next = following?;
    }
}

/// Cuts input lines into batches of units, counting lines and characters across batches.
struct LineBatches<'s> {
    source: &'s str,
    line_number: u64,
    chars_before: usize,
    index: usize,
    bytes: Vec<u8>,
}

impl<'s> LineBatches<'s> {
    fn new(source: &'s str) -> Self {
        LineBatches {
            source,
            line_number: 0,
            chars_before: 0,
            index: 0,
            bytes: Vec::new(),
        }
    }

    /// The units (still to be predicted) of the next non-empty lines, and whether the input ended.
    fn read(
        &mut self,
        reader: &mut impl std::io::BufRead,
    ) -> crate::error::Result<(Vec<ClassifiedUnit>, bool)> {
        let mut batch = Vec::with_capacity(LINES_PER_BATCH);
        while batch.len() < LINES_PER_BATCH {
            self.bytes.clear();
            let read = reader.read_until(b'\n', &mut self.bytes).map_err(|e| {
                crate::error::StanceError::Io {
                    path: self.source.to_string(),
                    source: e,
                }
            })?;
            if read == 0 {
                return Ok((batch, true));
            }
            self.line_number += 1;
            let line = std::str::from_utf8(&self.bytes).map_err(|_| {
                crate::error::StanceError::NotUtf8 {
                    path: self.source.to_string(),
                    line: self.line_number,
                }
            })?;
            let trimmed = line.trim();
            if !trimmed.is_empty() {
                let leading = line.len() - line.trim_start().len();
                let start = self.chars_before + char_count(&line[..leading]);
                batch.push(ClassifiedUnit {
                    index: self.index,
                    start,
                    end: start + char_count(trimmed),
                    text: trimmed.to_string(),
                    predictions: Vec::new(),
                });
                self.index += 1;
            }
            self.chars_before += char_count(line);
        }
        Ok((batch, false))
    }
}

/// Characters (Unicode scalars) in `text`; ASCII needs no decoding.
fn char_count(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_units_skip_blank_lines_and_keep_offsets() {
        let text = "  first line \n\nsecond\n";
        let spans = unit_spans(text, Unit::Line);
        assert_eq!(spans, vec![(2, 12), (15, 21)]);
        assert_eq!(&text[2..12], "first line");
    }

    fn tiny_model() -> Model {
        use crate::features::FeatureParams;
        use crate::model::{train, LabeledTexts, TrainParams};
        let data = LabeledTexts {
            source: "t".into(),
            text_column: "text".into(),
            texts: vec!["grain exports".into(), "troops fired".into()],
            tasks: vec![(
                "frame".into(),
                vec![Some("economic".into()), Some("military".into())],
            )],
        };
        let params = TrainParams {
            features: FeatureParams {
                min_df: 1,
                ..FeatureParams::default()
            },
            ..TrainParams::default()
        };
        train(&params.check().unwrap(), &data).unwrap().0
    }

    #[test]
    fn streamed_lines_match_the_whole_text_classified_by_line() {
        let model = tiny_model();
        let text =
            "  Grain exports rose\r\n\n\tTroops fired near Łódź  \nlast line without newline";
        let whole = classify_document(&model, "x", text, Unit::Line);
        let streamed = std::sync::Mutex::new(Vec::new());
        render_line_units(
            &model,
            text.as_bytes(),
            "x",
            |unit, _| {
                streamed.lock().unwrap().push(unit.clone());
                Ok(())
            },
            |_| Ok(()),
        )
        .unwrap();
        let mut streamed = streamed.into_inner().unwrap();
        streamed.sort_by_key(|unit| unit.index);
        assert_eq!(streamed.len(), whole.units.len());
        for (a, b) in streamed.iter().zip(&whole.units) {
            assert_eq!(
                (a.index, a.start, a.end, &a.text),
                (b.index, b.start, b.end, &b.text)
            );
            assert_eq!(a.predictions, b.predictions);
        }
    }

    #[test]
    fn streamed_lines_name_the_first_line_that_is_not_utf8() {
        let model = tiny_model();
        let err = render_line_units(
            &model,
            &b"ok\nfine\nbad \xff\n"[..],
            "in.txt",
            |_, _| Ok(()),
            |_| Ok(()),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("in.txt: line 3"), "{err}");
    }

    #[test]
    fn document_unit_is_the_trimmed_text_or_nothing() {
        assert_eq!(unit_spans("\n a b \n", Unit::Document), vec![(2, 5)]);
        assert!(unit_spans(" \n ", Unit::Document).is_empty());
    }
}
