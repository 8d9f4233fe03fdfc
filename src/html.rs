//! Self-contained HTML reports (no network): the eval report with its charts as inline SVG drawn by
//! `plotters`, and a classified article coloured by frame.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::classify::ClassifiedDocument;
use crate::eval::{CalibrationBin, ClassMetrics, TaskEvaluation};
use crate::explain::top_features;
use crate::model::Model;

const FONT: &str = "sans-serif";
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn draw_err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn centered(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Center))
}

/// Confusion matrix as a heatmap: rows true, columns predicted, darker = more of the row.
pub fn confusion_svg(labels: &[String], matrix: &[Vec<usize>]) -> Result<String, String> {
    let k = labels.len() as i32;
    let (cell, left, top) = (70i32, 110i32, 60i32);
    let size = ((left + cell * k + 20) as u32, (top + cell * k + 20) as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        root.draw(&Text::new(
            "predicted →",
            (left + cell * k / 2, 14),
            centered(13),
        ))
        .map_err(draw_err)?;
        for (c, label) in labels.iter().enumerate() {
            let x = left + cell * c as i32 + cell / 2;
            root.draw(&Text::new(label.clone(), (x, top - 14), centered(12)))
                .map_err(draw_err)?;
            let y = top + cell * c as i32 + cell / 2;
            root.draw(&Text::new(
                label.clone(),
                (left - 8, y),
                TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(draw_err)?;
        }
        for (r, row) in matrix.iter().enumerate() {
            let total = row.iter().sum::<usize>().max(1) as f64;
            for (c, &count) in row.iter().enumerate() {
                let share = count as f64 / total;
                let shade = (255.0 * (1.0 - 0.85 * share)) as u8;
                let (x, y) = (left + cell * c as i32, top + cell * r as i32);
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell - 2, y + cell - 2)],
                    RGBColor(shade, shade, 255).filled(),
                ))
                .map_err(draw_err)?;
                let ink = if share > 0.5 { WHITE } else { BLACK };
                root.draw(&Text::new(
                    count.to_string(),
                    (x + cell / 2, y + cell / 2),
                    centered(14).color(&ink),
                ))
                .map_err(draw_err)?;
            }
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Precision, recall and F1 of each class as grouped bars.
pub fn per_class_svg(per_class: &[ClassMetrics]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let n = per_class.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..n, 0f64..1f64)
            .map_err(draw_err)?;
        let labels: Vec<String> = per_class.iter().map(|m| m.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(per_class.len() * 2 + 1)
            .x_label_formatter(&|x| {
                let i = (*x - 0.5).round();
                if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("score")
            .draw()
            .map_err(draw_err)?;
        for (s, (name, pick)) in [
            (
                "precision",
                (|m: &ClassMetrics| m.precision) as fn(&ClassMetrics) -> f64,
            ),
            ("recall", |m| m.recall),
            ("F1", |m| m.f1),
        ]
        .into_iter()
        .enumerate()
        {
            let color = PALETTE[s];
            chart
                .draw_series(per_class.iter().enumerate().map(|(i, m)| {
                    let x0 = i as f64 + 0.15 + 0.23 * s as f64;
                    Rectangle::new([(x0, 0.0), (x0 + 0.21, pick(m))], color.filled())
                }))
                .map_err(draw_err)?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Reliability diagram: accuracy against confidence per bin, with the diagonal of perfect calibration.
pub fn calibration_svg(bins: &[CalibrationBin], ece: f64) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (420, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("expected calibration error {ece:.3}"), (FONT, 14))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("confidence")
            .y_desc("accuracy")
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(bins.iter().filter(|b| b.count > 0).map(|b| {
                Rectangle::new(
                    [(b.low, 0.0), (b.high, b.accuracy)],
                    PALETTE[0].mix(0.6).filled(),
                )
            }))
            .map_err(draw_err)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(
                bins.iter()
                    .filter(|b| b.count > 0)
                    .map(|b| Circle::new((b.confidence, b.accuracy), 3, PALETTE[3].filled())),
            )
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\
th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}\
figure{margin:0}figcaption{font-size:0.9em;color:#555}.num{text-align:right}";

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut html = String::from("<table><tr>");
    for h in header {
        html.push_str(&format!("<th>{}</th>", escape(h)));
    }
    html.push_str("</tr>");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&format!("<td>{}</td>", escape(&cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    html
}

/// The whole eval report as one HTML page.
pub fn eval_html(
    model: &Model,
    evaluations: &[TaskEvaluation],
    source: &str,
) -> Result<String, String> {
    let mut body = format!(
        "<h1>stance evaluation</h1><p>Data: <code>{}</code></p>",
        escape(source)
    );
    for e in evaluations {
        body.push_str(&format!(
            "<h2>Task <code>{}</code> (column <code>{}</code>, n = {})</h2>",
            escape(&e.task),
            escape(&e.column),
            e.n
        ));
        let ci = |interval: Option<(f64, f64)>| {
            interval.map_or_else(String::new, |(a, b)| format!("{a:.3}–{b:.3}"))
        };
        body.push_str(&table(
            &[
                "accuracy",
                "95 % CI",
                "macro-F1",
                "95 % CI",
                "weighted F1",
                "Cohen's kappa",
                "Krippendorff's alpha",
                "log loss",
                "ECE",
            ],
            vec![vec![
                format!("{:.3}", e.accuracy),
                ci(e.accuracy_ci),
                format!("{:.3}", e.macro_f1),
                ci(e.macro_f1_ci),
                format!("{:.3}", e.weighted_f1),
                format!("{:.3}", e.kappa),
                format!("{:.3}", e.krippendorff_alpha),
                format!("{:.3}", e.log_loss),
                format!("{:.3}", e.ece),
            ]],
        ));
        body.push_str(&table(
            &["class", "precision", "recall", "F1", "support"],
            e.per_class
                .iter()
                .map(|m| {
                    vec![
                        m.label.clone(),
                        format!("{:.3}", m.precision),
                        format!("{:.3}", m.recall),
                        format!("{:.3}", m.f1),
                        m.support.to_string(),
                    ]
                })
                .collect(),
        ));
        body.push_str("<div class=\"charts\">");
        for (caption, svg) in [
            ("Confusion matrix (rows: true, columns: predicted; shade: share of the row)", confusion_svg(&e.labels, &e.confusion)?),
            ("Precision, recall and F1 per class", per_class_svg(&e.per_class)?),
            ("Reliability diagram: accuracy per confidence bin; the diagonal is perfect calibration", calibration_svg(&e.calibration, e.ece)?),
        ] {
            body.push_str(&format!("<figure class=\"chart\">{svg}<figcaption>{}</figcaption></figure>", escape(caption)));
        }
        body.push_str("</div>");
        if let Some((_, task)) = model
            .task(&e.task)
            .filter(|_| !model.vectorizer.is_hashed())
        {
            body.push_str("<h3>Top-weighted n-grams per class</h3>");
            body.push_str(&table(
                &[
                    "class",
                    "n-grams (weight relative to the mean over classes)",
                ],
                task.labels
                    .iter()
                    .zip(top_features(model, task, 15))
                    .map(|(label, top)| {
                        let list: Vec<String> =
                            top.iter().map(|(f, w)| format!("{f} {w:.2}")).collect();
                        vec![label.clone(), list.join(", ")]
                    })
                    .collect(),
            ));
        }
        if !e.confident_errors.is_empty() {
            body.push_str("<h3>Most confident errors</h3>");
            body.push_str(&table(
                &["line", "true", "predicted", "p", "text"],
                e.confident_errors
                    .iter()
                    .map(|x| {
                        vec![
                            x.line.to_string(),
                            x.gold.clone(),
                            x.predicted.clone(),
                            format!("{:.2}", x.confidence),
                            x.text.clone(),
                        ]
                    })
                    .collect(),
            ));
        }
    }
    Ok(page("stance evaluation", &body))
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body>{body}</body></html>\n",
        escape(title)
    )
}

/// Horizontal bars of the frame shares, each bar split by the tone toward that frame.
fn stance_svg(model: &Model, doc: &ClassifiedDocument) -> Result<String, String> {
    let (Some(stance), Some((_, tones))) = (&doc.stance, model.task("tone")) else {
        return Ok(String::new());
    };
    let (left, width, row) = (110i32, 420i32, 34i32);
    let mut svg = String::new();
    {
        let height = (40 + row * stance.len() as i32 + 30) as u32;
        let root = SVGBackend::with_string(&mut svg, ((left + width + 40) as u32, height))
            .into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        for (i, s) in stance.iter().enumerate() {
            let y = 20 + row * i as i32;
            root.draw(&Text::new(
                format!("{} {:.0} %", s.frame, s.share * 100.0),
                (left - 8, y + row / 2 - 4),
                TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(draw_err)?;
            let mut x = left as f64;
            let bar = width as f64 * s.share;
            for (t, share) in s.tone.iter().enumerate() {
                let w = bar * share;
                let color = tone_color(&tones.labels[t]);
                root.draw(&Rectangle::new(
                    [(x as i32, y), ((x + w) as i32, y + row - 8)],
                    color.filled(),
                ))
                .map_err(draw_err)?;
                x += w;
            }
        }
        let y = 20 + row * stance.len() as i32 + 6;
        let mut x = left;
        for label in &tones.labels {
            root.draw(&Rectangle::new(
                [(x, y), (x + 12, y + 12)],
                tone_color(label).filled(),
            ))
            .map_err(draw_err)?;
            root.draw(&Text::new(
                label.clone(),
                (x + 16, y + 1),
                (FONT, 12).into_font(),
            ))
            .map_err(draw_err)?;
            x += 100;
        }
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

fn tone_color(label: &str) -> RGBColor {
    match label {
        "positive" => RGBColor(44, 160, 44),
        "negative" => RGBColor(214, 39, 40),
        _ => RGBColor(160, 160, 160),
    }
}

fn frame_color(index: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[index % PALETTE.len()];
    format!("rgba({r},{g},{b},0.22)")
}

/// Articles with every sentence shaded by its frame and marked by its tone, with the frame profile and
/// the stance chart.
pub fn classify_html(model: &Model, docs: &[ClassifiedDocument]) -> Result<String, String> {
    let frame = model.task("frame");
    let tone = model.task("tone");
    let mut body = String::from("<h1>stance</h1>");
    if let Some((_, frames)) = frame {
        body.push_str("<p>");
        for (i, label) in frames.labels.iter().enumerate() {
            body.push_str(&format!(
                "<span style=\"background:{};padding:2px 6px;margin-right:6px\">{}</span>",
                frame_color(i),
                escape(label)
            ));
        }
        body.push_str("&nbsp; tone: <b style=\"color:#2ca02c\">+</b> positive, <b style=\"color:#999\">=</b> neutral, <b style=\"color:#d62728\">−</b> negative</p>");
    }
    for doc in docs {
        body.push_str(&format!(
            "<h2>{}</h2><p style=\"line-height:1.9\">",
            escape(&doc.source)
        ));
        for unit in &doc.units {
            let mut title = Vec::new();
            let mut style = String::new();
            let mut mark = String::new();
            for (task, p) in model.tasks.iter().zip(&unit.predictions) {
                title.push(format!(
                    "{} {} {:.2}",
                    task.name, task.labels[p.best], p.probabilities[p.best]
                ));
            }
            if let Some((t, _)) = frame {
                style = format!("background:{}", frame_color(unit.predictions[t].best));
            }
            if let Some((t, tones)) = tone {
                let label = &tones.labels[unit.predictions[t].best];
                let (symbol, color) = match label.as_str() {
                    "positive" => ("+", "#2ca02c"),
                    "negative" => ("−", "#d62728"),
                    _ => ("=", "#999"),
                };
                mark = format!("<sup style=\"color:{color};font-weight:bold\">{symbol}</sup>");
            }
            body.push_str(&format!(
                "<span class=\"sentence\" style=\"{style}\" title=\"{}\">{}</span>{mark} ",
                escape(&title.join("; ")),
                escape(&unit.text)
            ));
        }
        body.push_str("</p>");
        if !doc.summary.is_empty() {
            body.push_str("<h3>Profile</h3>");
            body.push_str(&table(
                &["task", "label", "mean scores (sentences with that label)"],
                model
                    .tasks
                    .iter()
                    .zip(&doc.summary)
                    .map(|(task, s)| {
                        vec![
                            task.name.clone(),
                            task.labels[s.best].clone(),
                            crate::report::summary_scores(task, s),
                        ]
                    })
                    .collect(),
            ));
            let svg = stance_svg(model, doc)?;
            if !svg.is_empty() {
                body.push_str(&format!(
                    "<figure class=\"chart\">{svg}<figcaption>Share of each frame, split by the article's tone toward it</figcaption></figure>"
                ));
            }
        }
    }
    Ok(page("stance", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_svg_holds_every_count_and_label() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let svg = confusion_svg(&labels, &[vec![5, 1], vec![2, 7]])
            .unwrap()
            .replace('\n', "");
        assert!(svg.starts_with("<svg"));
        for needle in [">5<", ">1<", ">2<", ">7<", ">a<", ">b<"] {
            assert!(svg.contains(needle), "{needle}");
        }
    }

    #[test]
    fn escaping_keeps_text_out_of_markup() {
        assert_eq!(
            escape("<b>\"x\" & y</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
        );
    }
}
