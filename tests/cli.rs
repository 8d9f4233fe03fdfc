//! Integration tests: the real binary on small fixtures, in a temporary directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn stance() -> Command {
    Command::cargo_bin("stance").unwrap()
}

trait StdoutOk {
    /// Runs the command, asserts success and returns its stdout.
    fn stdout_ok(&mut self) -> Vec<u8>;
}

impl StdoutOk for Command {
    fn stdout_ok(&mut self) -> Vec<u8> {
        self.assert().success().get_output().stdout.clone()
    }
}

/// Trains a frame+tone model on the fixture and returns (tempdir, model path).
fn trained_model() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("test.model");
    stance()
        .args([
            "train", "--label", "frame", "--label", "tone", "--min-df", "1", "-o",
        ])
        .arg(&model)
        .arg(fixture("train.csv"))
        .assert()
        .success()
        .stderr(predicate::str::contains("task frame: 16 rows, 4 classes"))
        .stderr(predicate::str::contains("vocabulary:"));
    (dir, model)
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("valid JSON")
}

#[test]
fn classify_json_follows_the_contract() {
    let (_dir, model) = trained_model();
    let out = stance()
        .args(["classify", "--format", "json", "--model"])
        .arg(&model)
        .arg(fixture("article.txt"))
        .stdout_ok();
    let json = json_of(&out);
    assert_eq!(json["model"]["tasks"]["frame"].as_array().unwrap().len(), 4);
    let doc = &json["documents"][0];
    assert!(doc["source"].as_str().unwrap().ends_with("article.txt"));
    let sentences = doc["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 4);
    let text = std::fs::read_to_string(fixture("article.txt")).unwrap();
    let chars: Vec<char> = text.chars().collect();
    for (i, s) in sentences.iter().enumerate() {
        assert_eq!(s["index"], i);
        let (start, end) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        let slice: String = chars[start..end].iter().collect();
        assert_eq!(slice, s["text"].as_str().unwrap());
        let frame = &s["predictions"]["frame"];
        let scores = frame["scores"].as_object().unwrap();
        let sum: f64 = scores.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-3);
        let best = scores
            .iter()
            .max_by(|a, b| a.1.as_f64().unwrap().total_cmp(&b.1.as_f64().unwrap()))
            .unwrap()
            .0;
        assert_eq!(frame["label"], best.as_str());
    }
    let labels: Vec<&str> = sentences
        .iter()
        .map(|s| s["predictions"]["frame"]["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["economic", "military", "cultural", "diplomatic"]);
    let summary = &doc["summary"];
    assert_eq!(summary["sentences"], 4);
    assert_eq!(summary["predictions"]["frame"]["counts"]["economic"], 1);
    let stance = summary["stance"].as_object().unwrap();
    assert_eq!(stance.len(), 4);
    let shares: f64 = stance.values().map(|s| s["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-3);
    let tone: f64 = stance["military"]["tone"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((tone - 1.0).abs() < 1e-3);
}

#[test]
fn classify_jsonl_csv_and_table_formats() {
    let (_dir, model) = trained_model();
    let run = |format: &str| {
        let out = stance()
            .args(["classify", "--format", format, "--model"])
            .arg(&model)
            .arg(fixture("article.txt"))
            .stdout_ok();
        String::from_utf8(out).unwrap()
    };
    let jsonl = run("jsonl");
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["document"].as_str().unwrap().ends_with("article.txt"));
        assert!(v["predictions"]["tone"]["scores"].is_object());
    }
    let csv = run("csv");
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("document,index,start,end,text,frame,frame_cultural"));
    assert_eq!(csv.lines().count(), 5);
    let table = run("table");
    assert!(table.contains("4 sentences") && table.contains("stance: frame"));
}

#[test]
fn classify_reads_stdin_and_units() {
    let (_dir, model) = trained_model();
    let input = "Troops fired missiles. The museum opened.\nGrain exports rose.\n";
    let count = |unit: &str| {
        let out = stance()
            .args(["classify", "--format", "jsonl", "--unit", unit, "--model"])
            .arg(&model)
            .write_stdin(input)
            .stdout_ok();
        String::from_utf8(out).unwrap().lines().count()
    };
    assert_eq!(count("sentence"), 3);
    assert_eq!(count("line"), 2);
    assert_eq!(count("document"), 1);
}

#[test]
fn classify_with_the_builtin_model() {
    let out = stance()
        .args(["classify", "--format", "json", "-"])
        .write_stdin("Wheat exports to Egypt rose by a third this year.")
        .stdout_ok();
    let json = json_of(&out);
    assert_eq!(json["model"]["source"], "built-in");
    assert_eq!(
        json["documents"][0]["sentences"][0]["predictions"]["frame"]["label"],
        "economic"
    );
}

#[test]
fn empty_input_prints_an_empty_result() {
    let out = stance()
        .args(["classify", "--format", "json"])
        .write_stdin("  \n\n")
        .stdout_ok();
    let json = json_of(&out);
    assert_eq!(
        json["documents"][0]["sentences"].as_array().unwrap().len(),
        0
    );
    assert_eq!(json["documents"][0]["summary"]["sentences"], 0);
    stance()
        .args(["classify", "--format", "jsonl"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn classify_csv_annotates_every_row_and_keeps_the_columns() {
    let (dir, model) = trained_model();
    let out = dir.path().join("annotated.csv");
    stance()
        .args(["classify", "--model"])
        .arg(&model)
        .arg("--csv")
        .arg(fixture("eval.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&headers[..3], ["text", "frame", "tone"]);
    assert!(
        headers.contains(&"predicted_frame".to_string()),
        "{headers:?}"
    );
    assert!(headers.contains(&"predicted_tone".to_string()));
    let unique: std::collections::HashSet<_> = headers.iter().collect();
    assert_eq!(unique.len(), headers.len(), "no two columns share a name");
    assert!(headers.contains(&"frame_economic".to_string()));
    assert!(headers.contains(&"tone_positive".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[1][1], "military");
    assert_eq!(rows[1].len(), headers.len());
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        b"text,note\nGrain exports rose.,ok\nTroops fired.,\xff\n",
    )
    .unwrap();
    fails_with(
        stance()
            .args(["classify", "--model"])
            .arg(&model)
            .arg("--csv")
            .arg(&bad)
            .arg("-o")
            .arg(&out),
        &["bad.csv: line 3", "not valid UTF-8"],
    );
    assert_eq!(
        csv::Reader::from_path(&out).unwrap().records().count(),
        4,
        "the old output is kept"
    );
}

#[test]
fn eval_reports_every_metric_in_json_text_and_markdown() {
    let (_dir, model) = trained_model();
    let out = stance()
        .args(["eval", "--format", "json", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .stdout_ok();
    let json = json_of(&out);
    let frame = &json["tasks"]["frame"];
    assert_eq!(frame["n"], 4);
    for key in [
        "accuracy",
        "macro_f1",
        "weighted_f1",
        "kappa",
        "krippendorff_alpha",
        "log_loss",
    ] {
        assert!(frame[key].is_number(), "{key}");
    }
    assert_eq!(frame["per_class"]["economic"]["support"], 1);
    let ci = frame["macro_f1_ci95"].as_array().unwrap();
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(low <= frame["macro_f1"].as_f64().unwrap() + 1e-9 && low <= high);
    assert_eq!(frame["confusion"]["labels"].as_array().unwrap().len(), 4);
    let total: u64 = frame["confusion"]["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()))
        .sum();
    assert_eq!(total, 4);
    assert!(json["tasks"]["tone"].is_object());

    stance()
        .args(["eval", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("macro-F1")
                .and(predicate::str::contains("Krippendorff's alpha"))
                .and(predicate::str::contains("Confusion matrix")),
        );
    stance()
        .args(["eval", "--format", "markdown", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("## Task `frame`").and(predicate::str::contains("|")));
}

#[test]
fn eval_column_mapping_and_unknown_gold_label() {
    let (_dir, model) = trained_model();
    stance()
        .args([
            "eval",
            "--format",
            "json",
            "--column",
            "frame=label",
            "--text-column",
            "sentence",
            "--model",
        ])
        .arg(&model)
        .arg(fixture("wrong_columns.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains("\"n\": 1"));
    stance()
        .args(["eval", "--model"])
        .arg(&model)
        .arg(fixture("unknown_label.csv"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 2").and(predicate::str::contains(
            "`banana`, which the model does not know; its labels are: cultural, diplomatic, economic, military",
        )));
}

#[test]
fn training_is_byte_identical_for_the_same_data_and_flags() {
    let (dir, first) = trained_model();
    let second = dir.path().join("again.model");
    stance()
        .args([
            "train", "--label", "frame", "--label", "tone", "--min-df", "1", "-o",
        ])
        .arg(&second)
        .arg(fixture("train.csv"))
        .assert()
        .success();
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}

#[test]
fn balanced_class_weights_and_the_dense_solver_train() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [["--class-weight", "balanced"], ["--solver", "dense"]] {
        let model = dir.path().join("m.model");
        let mut args = vec!["--label", "frame", "--min-df", "1"];
        args.extend(extra);
        train_fixture(&model, &args);
        stance()
            .args(["classify", "--model"])
            .arg(&model)
            .arg(fixture("article.txt"))
            .assert()
            .success();
    }
}

// ---- bad input: a clear message naming file/line/column, a non-zero exit, no panic, no partial output.

fn fails_with(cmd: &mut Command, needles: &[&str]) {
    let assert = cmd.assert().failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    }
}

/// `stance train ARGS -o MODEL` on the training fixture, which must succeed.
fn train_fixture(model: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    stance()
        .arg("train")
        .args(args)
        .arg("-o")
        .arg(model)
        .arg(fixture("train.csv"))
        .assert()
        .success()
}

/// Trains the fixture's `label` column with `--no-char-ngrams --min-df 1` and `flags` into `model`, then
/// returns the `classify --format json` output of `text` with it.
fn classify_json_with_trained(model: &Path, label: &str, flags: &[&str], text: &str) -> Value {
    let mut all = vec!["--label", label, "--min-df", "1", "--no-char-ngrams"];
    all.extend(flags);
    train_fixture(model, &all);
    json_of(
        &stance()
            .args(["classify", "--format", "json", "--model"])
            .arg(model)
            .write_stdin(text)
            .stdout_ok(),
    )
}

fn train_cmd(data: &Path, out: &Path) -> Command {
    let mut cmd = stance();
    cmd.args([
        "train", "--label", "frame", "--label", "tone", "--min-df", "1", "-o",
    ])
    .arg(out)
    .arg(data);
    cmd
}

#[test]
fn bad_training_inputs_fail_clearly_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.model");
    fails_with(
        &mut train_cmd(&fixture("missing.csv"), &out),
        &["missing.csv", "No such file"],
    );
    fails_with(
        &mut train_cmd(&fixture("wrong_columns.csv"), &out),
        &[
            "wrong_columns.csv",
            "no column named `text`",
            "the columns are: sentence, label",
        ],
    );
    fails_with(
        &mut train_cmd(&fixture("short_row.csv"), &out),
        &["short_row.csv", "line 2", "2 fields but the header has 3"],
    );
    fails_with(
        &mut train_cmd(&fixture("one_class.csv"), &out),
        &[
            "one_class.csv",
            "column `frame` has 1 class(es) (economic)",
            "at least two",
        ],
    );
    fails_with(
        &mut train_cmd(&fixture("not_utf8.csv"), &out),
        &["not_utf8.csv", "line 3", "not valid UTF-8"],
    );
    fails_with(
        stance()
            .args(["train", "--label", "frame", "--c=-1", "-o"])
            .arg(&out)
            .arg(fixture("train.csv")),
        &["invalid setting c = -1"],
    );
    assert!(!out.exists());
    // Nothing stray is left in the output directory either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_failed_training_keeps_the_previous_model() {
    let (_dir, model) = trained_model();
    let before = std::fs::read(&model).unwrap();
    fails_with(
        &mut train_cmd(&fixture("one_class.csv"), &model),
        &["at least two"],
    );
    assert_eq!(std::fs::read(&model).unwrap(), before);
}

#[test]
fn empty_text_cells_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.model");
    train_cmd(&fixture("empty_text.csv"), &out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "4 rows with text (2 rows with empty text skipped)",
        ));
}

#[test]
fn bad_model_files_fail_clearly() {
    let (dir, model) = trained_model();
    let bytes = std::fs::read(&model).unwrap();
    let classify = |path: &Path| {
        let mut cmd = stance();
        cmd.args(["classify", "--model"])
            .arg(path)
            .arg(fixture("article.txt"));
        cmd
    };
    fails_with(
        &mut classify(&dir.path().join("absent.model")),
        &["absent.model", "model file not found"],
    );
    let truncated = dir.path().join("truncated.model");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&mut classify(&truncated), &["truncated.model", "truncated"]);
    let corrupted = dir.path().join("corrupted.model");
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    std::fs::write(&corrupted, &flipped).unwrap();
    fails_with(&mut classify(&corrupted), &["corrupted.model", "corrupted"]);
    let future = dir.path().join("future.model");
    let mut versioned = bytes.clone();
    versioned[8] = 99;
    std::fs::write(&future, &versioned).unwrap();
    fails_with(
        &mut classify(&future),
        &["future.model", "format version 99"],
    );
    fails_with(
        &mut classify(&fixture("train.csv")),
        &["train.csv", "not a stance model file"],
    );
}

#[test]
fn bad_classify_inputs_fail_clearly() {
    fails_with(
        stance().args(["classify"]).arg(fixture("nope.txt")),
        &["nope.txt", "No such file"],
    );
    fails_with(
        stance()
            .args(["classify", "-"])
            .write_stdin(&b"fine line\nbad \xff byte\n"[..]),
        &["<stdin>: line 2", "not valid UTF-8"],
    );
    let assert = stance()
        .args(["classify", "--format", "xml"])
        .arg(fixture("article.txt"))
        .assert()
        .failure();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("invalid value 'xml'") && stderr.contains("table, json, jsonl, csv"),
        "{stderr}"
    );
    fails_with(
        stance()
            .args(["classify", "--csv"])
            .arg(fixture("wrong_columns.csv")),
        &[
            "wrong_columns.csv",
            "no column named `text`",
            "sentence, label",
        ],
    );
    fails_with(
        stance()
            .args(["eval", "--format", "json"])
            .arg(fixture("wrong_columns.csv")),
        &[
            "wrong_columns.csv",
            "no column holds the labels",
            "sentence, label",
        ],
    );
}

#[test]
fn a_failed_classify_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, "previous").unwrap();
    fails_with(
        stance()
            .args(["classify", "--format", "json", "-o"])
            .arg(&out)
            .arg(fixture("article.txt"))
            .arg(fixture("not_utf8.csv")),
        &["not_utf8.csv", "line 3"],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
}

#[test]
fn help_describes_every_command() {
    for command in ["train", "classify", "eval"] {
        stance()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage"));
    }
}

#[test]
fn cv_reports_each_task_per_fold_and_is_deterministic() {
    let run = || {
        let out = stance()
            .args([
                "cv", "--label", "frame", "--label", "tone", "--folds", "2", "--min-df", "1",
                "--seed", "3",
            ])
            .arg(fixture("train.csv"))
            .stdout_ok();
        String::from_utf8(out).unwrap()
    };
    let first = run();
    assert!(first.contains("2-fold cross-validation"), "{first}");
    assert!(
        first.contains("frame    macro-F1") && first.contains("tone     accuracy"),
        "{first}"
    );
    assert_eq!(first, run());
    fails_with(
        stance()
            .args(["cv", "--label", "frame", "--folds", "1"])
            .arg(fixture("train.csv")),
        &["invalid setting folds = 1"],
    );
}

#[test]
fn eval_filter_keeps_only_matching_rows() {
    let (dir, model) = trained_model();
    let data = dir.path().join("split.csv");
    std::fs::write(
        &data,
        "text,frame,split\nGrain exports rose.,economic,test\nTroops fired missiles.,military,train\n",
    )
    .unwrap();
    stance()
        .args([
            "eval",
            "--format",
            "json",
            "--filter",
            "split=test",
            "--model",
        ])
        .arg(&model)
        .arg(&data)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"n\": 1"));
    fails_with(
        stance()
            .args(["eval", "--filter", "fold=1", "--model"])
            .arg(&model)
            .arg(&data),
        &["no column named `fold`", "text, frame, split"],
    );
}

#[test]
fn explain_shows_what_pushed_the_prediction() {
    let (_dir, model) = trained_model();
    let out = stance()
        .args(["explain", "--format", "json", "--model"])
        .arg(&model)
        .arg("Grain exports rose.")
        .stdout_ok();
    let json = json_of(&out);
    let frame = &json[0]["tasks"]["frame"];
    assert_eq!(frame["label"], "economic");
    let toward = frame["toward"].as_array().unwrap();
    assert!(toward.iter().any(|t| t["ngram"] == "grain"), "{frame}");
    assert!(toward
        .iter()
        .all(|t| t["contribution"].as_f64().unwrap() > 0.0));
    stance()
        .args(["explain", "--model"])
        .arg(&model)
        .arg("--file")
        .arg(fixture("article.txt"))
        .assert()
        .success()
        .stdout(predicate::str::contains("toward:").and(predicate::str::contains("against:")));
}

#[test]
fn inspect_lists_tasks_flags_and_top_ngrams() {
    let (_dir, model) = trained_model();
    stance()
        .arg("inspect")
        .arg(&model)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"vocabulary_size\"")
                .and(predicate::str::contains(
                    "task frame: top n-grams per class",
                ))
                .and(predicate::str::contains("\"min_df\": 1")),
        );
    fails_with(
        stance().arg("inspect").arg(fixture("train.csv")),
        &["not a stance model file"],
    );
}

#[test]
fn uncertain_lists_the_least_sure_texts_first_with_empty_label_columns() {
    let (dir, model) = trained_model();
    let out = dir.path().join("to-code.csv");
    stance()
        .args(["uncertain", "--n", "2", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&headers[..4], ["source", "where", "text", "frame"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][3], "");
    let entropy = |r: &csv::StringRecord| r[r.len() - 1].parse::<f64>().unwrap();
    assert!(entropy(&rows[0]) >= entropy(&rows[1]));
}

#[test]
fn agreement_between_two_coders() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("coders.csv");
    // a a b b vs a b b b: agreement 0.75, kappa 0.5, alpha 1 - 0.25 * 56 / 30.
    std::fs::write(
        &data,
        "text,first,second\nx,a,a\ny,a,b\nz,b,b\nw,b,b\nv,,a\n",
    )
    .unwrap();
    let out = stance()
        .args(["agreement", "--json", "--columns", "first", "second"])
        .arg(&data)
        .stdout_ok();
    let json = json_of(&out);
    assert_eq!(json["n"], 4);
    assert_eq!(json["agreement"], 0.75);
    assert!((json["kappa"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!(
        (json["krippendorff_alpha"].as_f64().unwrap() - (1.0 - 0.25 * 56.0 / 30.0)).abs() < 1e-12
    );
    fails_with(
        stance()
            .args(["agreement", "--columns", "first", "third"])
            .arg(&data),
        &["no column named `third`", "text, first, second"],
    );
}

#[test]
fn tune_ranks_settings_and_train_reads_the_best() {
    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("params.json");
    let out = stance()
        .args([
            "tune",
            "--label",
            "frame",
            "--folds",
            "2",
            "--min-df",
            "1",
            "--c",
            "1,10",
            "--char-ngrams",
            "false",
            "-o",
        ])
        .arg(&params)
        .arg(fixture("train.csv"))
        .stdout_ok();
    let report = String::from_utf8(out).unwrap();
    assert!(
        report.starts_with("4 settings, 2-fold cross-validation"),
        "{report}"
    );
    assert!(
        report.contains("  1. mean") && report.contains("  4. mean"),
        "{report}"
    );
    let best: Value = serde_json::from_str(&std::fs::read_to_string(&params).unwrap()).unwrap();
    assert_eq!(best["min_df"], 1);
    assert!(best["char_ngrams"].is_null());
    let model = dir.path().join("tuned.model");
    stance()
        .args(["train", "--label", "frame", "--params"])
        .arg(&params)
        .arg("-o")
        .arg(&model)
        .arg(fixture("train.csv"))
        .assert()
        .success();
    let inspect = String::from_utf8(stance().arg("inspect").arg(&model).stdout_ok()).unwrap();
    assert!(inspect.contains("\"char_ngrams\": null"), "{inspect}");
    std::fs::write(&params, "{\"c\": 1}").unwrap();
    fails_with(
        stance()
            .args(["train", "--label", "frame", "--params"])
            .arg(&params)
            .arg("-o")
            .arg(&model)
            .arg(fixture("train.csv")),
        &["params.json", "not a settings file"],
    );
}

#[test]
fn eval_and_classify_write_self_contained_html() {
    let (dir, model) = trained_model();
    let report = dir.path().join("report.html");
    stance()
        .args(["eval", "--format", "html", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Three charts per task (confusion heatmap, per-class bars, reliability diagram), all inline.
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("expected calibration error") && html.contains("Most confident errors"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(
            !html.contains(external),
            "the page must not load {external}…"
        );
    }
    let article = String::from_utf8(
        stance()
            .args(["classify", "--format", "html", "--model"])
            .arg(&model)
            .arg(fixture("article.txt"))
            .stdout_ok(),
    )
    .unwrap();
    assert_eq!(article.matches("class=\"sentence\"").count(), 4);
    assert!(article.contains("<svg"), "stance chart");
}

/// Where Chromium is installed, the report loads in a real browser and shows its charts.
#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|b| Path::new(b).exists())
    else {
        eprintln!("Chromium is not installed: browser check skipped");
        return;
    };
    let (dir, model) = trained_model();
    let report = dir.path().join("report.html");
    stance()
        .args(["eval", "--format", "html", "--model"])
        .arg(&model)
        .arg(fixture("eval.csv"))
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    let profile = dir.path().join("profile");
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        dom.matches("<svg").count(),
        6,
        "the browser's DOM shows every chart"
    );
    assert!(dom.contains("<rect") && dom.contains("Confusion matrix"));
}

#[test]
fn line_units_stream_as_csv_and_a_bad_line_leaves_no_partial_file() {
    let (dir, model) = trained_model();
    let out = dir.path().join("lines.csv");
    let input = dir.path().join("lines.txt");
    std::fs::write(
        &input,
        "Grain exports rose.\n\n  Troops fired missiles.  \r\nThe museum opened.",
    )
    .unwrap();
    stance()
        .args(["classify", "--unit", "line", "--format", "csv", "--model"])
        .arg(&model)
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (&rows[1][2], &rows[1][3], &rows[1][4]),
        ("23", "45", "Troops fired missiles.")
    );
    assert_eq!(&rows[1][5], "military");
    std::fs::write(&input, b"Grain exports rose.\nbad \xff line\n").unwrap();
    fails_with(
        stance()
            .args(["classify", "--unit", "line", "--format", "csv", "--model"])
            .arg(&model)
            .arg(&input)
            .arg("-o")
            .arg(&out),
        &["lines.txt: line 2", "not valid UTF-8"],
    );
    assert_eq!(
        csv::Reader::from_path(&out).unwrap().records().count(),
        3,
        "the old output is kept"
    );
}

#[test]
fn the_adagrad_solver_trains_a_hashed_model_that_classifies_and_explains() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("hashed.model");
    stance()
        .args([
            "train", "--label", "frame", "--label", "tone", "--solver", "adagrad",
        ])
        .args(["--hash-bits", "16", "--epochs", "20", "-o"])
        .arg(&model)
        .arg(fixture("train.csv"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("65536 hashed columns (2^16)")
                .and(predicate::str::contains("adagrad solver, 20 passes")),
        );
    let out = stance()
        .args(["classify", "--unit", "line", "--format", "jsonl", "--model"])
        .arg(&model)
        .write_stdin("Grain exports rose sharply.\n\nTroops fired missiles.\n")
        .stdout_ok();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["predictions"]["frame"]["label"], "economic");
    assert_eq!(lines[1]["predictions"]["frame"]["label"], "military");
    assert_eq!(lines[1]["index"], 1);
    // Hashed columns keep no names, but a text's n-grams are named from the text.
    let explained = json_of(
        &stance()
            .args(["explain", "--format", "json", "--model"])
            .arg(&model)
            .arg("Grain exports rose.")
            .stdout_ok(),
    );
    let toward = explained[0]["tasks"]["frame"]["toward"]
        .as_array()
        .unwrap()
        .clone();
    assert!(toward.iter().any(|t| t["ngram"] == "grain"), "{toward:?}");
    stance()
        .arg("inspect")
        .arg(&model)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("\"hash_bits\": 16")
                .and(predicate::str::contains("keeps no n-gram names")),
        );
}

#[test]
fn auto_picks_lbfgs_for_small_data_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    stance()
        .args(["train", "--label", "frame", "--min-df", "1", "-o"])
        .arg(dir.path().join("m.model"))
        .arg(fixture("train.csv"))
        .assert()
        .success()
        .stderr(predicate::str::contains("solver: lbfgs (auto"));
}

#[test]
fn bad_adagrad_settings_are_refused_before_reading_data() {
    for (flags, expected) in [
        (&["--hash-bits", "40"][..], "hash-bits = 40"),
        (&["--solver", "adagrad", "--epochs", "0"], "epochs = 0"),
        (
            &["--solver", "adagrad", "--learning-rate", "0"],
            "learning-rate = 0",
        ),
        (&["--nb-weight=-1"], "nb-weight = -1"),
        (
            &["--solver", "adagrad", "--nb-weight", "0.5"],
            "needs the data in memory",
        ),
    ] {
        fails_with(
            stance()
                .args(["train", "--label", "frame", "-o", "never.model"])
                .args(flags)
                .arg("does-not-exist.csv"),
            &[expected],
        );
    }
}

#[test]
fn lbfgs_blends_naive_bayes_by_default_and_the_flag_sets_its_weight() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    // The model's record and its probabilities for one sentence, as `classify --format json` gives them.
    let trained_with = |flags: &[&str]| {
        classify_json_with_trained(
            &model,
            "frame",
            flags,
            "The ministers agreed on grain exports.",
        )
    };
    let record = |out: &serde_json::Value| out["model"]["training"]["nb_weight"].clone();
    // Everything but the model's record: the sentences with their class scores.
    let probabilities = |out: &serde_json::Value| {
        let mut out = out.clone();
        out.as_object_mut().unwrap().remove("model");
        assert!(out.to_string().contains("scores"), "{out}");
        out.to_string()
    };
    let default = trained_with(&[]);
    assert_eq!(record(&default), 0.2, "{default}");
    let off = trained_with(&["--nb-weight", "0"]);
    assert_eq!(record(&off), 0.0);
    let strong = trained_with(&["--nb-weight", "2"]);
    assert_eq!(record(&strong), 2.0);
    assert_ne!(probabilities(&default), probabilities(&off));
    assert_ne!(probabilities(&strong), probabilities(&default));
    let adagrad = trained_with(&["--solver", "adagrad", "--hash-bits", "12"]);
    assert_eq!(record(&adagrad), 0.0);
}

#[test]
fn lbfgs_adds_the_lexicon_by_default_and_flags_turn_it_off_or_on() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    // The model's description, as `classify --format json` reports it.
    let inspect_of = |flags: &[&str]| {
        classify_json_with_trained(&model, "tone", flags, "Troops fired.")["model"].clone()
    };
    let default = inspect_of(&[]);
    assert_eq!(default["features"]["lexicon"], true, "{default}");
    let off = inspect_of(&["--no-lexicon"]);
    assert_eq!(off["features"]["lexicon"], false);
    // The vocabulary size counts n-grams only: the lexicon's eight columns come on top.
    assert_eq!(default["vocabulary_size"], off["vocabulary_size"]);
    let adagrad = inspect_of(&["--solver", "adagrad", "--hash-bits", "12"]);
    assert_eq!(adagrad["features"]["lexicon"], false);
    let adagrad_on = inspect_of(&["--solver", "adagrad", "--hash-bits", "12", "--lexicon"]);
    assert_eq!(adagrad_on["features"]["lexicon"], true);
    // A lexicon feature is named in explanations like any n-gram.
    inspect_of(&[]);
    let explained = json_of(
        &stance()
            .args(["explain", "--format", "json", "--top", "40", "--model"])
            .arg(&model)
            .arg("Officials condemned the deadly attack.")
            .stdout_ok(),
    );
    let all = explained.to_string();
    assert!(all.contains("[lexicon: "), "{all}");
    // So is a frame-word feature, in a frame model.
    train_fixture(&model, &["--label", "frame", "--min-df", "1"]);
    let explained = String::from_utf8(
        stance()
            .args(["explain", "--format", "json", "--top", "60", "--model"])
            .arg(&model)
            .arg("Troops fired missiles at the border.")
            .stdout_ok(),
    )
    .unwrap();
    assert!(explained.contains("[frame words: military]"), "{explained}");
    fails_with(
        stance()
            .args([
                "train",
                "--label",
                "tone",
                "--lexicon",
                "--no-lexicon",
                "-o",
            ])
            .arg(&model)
            .arg(fixture("train.csv")),
        &["--no-lexicon"],
    );
}

#[test]
fn lbfgs_adds_lead_clause_words_by_default_and_flags_turn_them_off_or_on() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    let text = "Grain prices fell after the port closed.";
    let features_of = |flags: &[&str]| {
        classify_json_with_trained(&model, "frame", flags, text)["model"]["features"].clone()
    };
    assert_eq!(features_of(&[])["lead_clause"], true);
    assert_eq!(features_of(&["--no-lead-clause"])["lead_clause"], false);
    let adagrad = ["--solver", "adagrad", "--hash-bits", "12"];
    assert_eq!(features_of(&adagrad)["lead_clause"], false);
    let adagrad_on = [&adagrad[..], &["--lead-clause"]].concat();
    assert_eq!(features_of(&adagrad_on)["lead_clause"], true);
    // The words before `after` are named as lead-clause features in explanations; those after it are not.
    features_of(&[]);
    let explained = String::from_utf8(
        stance()
            .args(["explain", "--format", "json", "--top", "80", "--model"])
            .arg(&model)
            .arg(text)
            .stdout_ok(),
    )
    .unwrap();
    assert!(explained.contains("\"^prices\""), "{explained}");
    assert!(!explained.contains("\"^port\""), "{explained}");
    fails_with(
        stance()
            .args([
                "train",
                "--label",
                "frame",
                "--lead-clause",
                "--no-lead-clause",
                "-o",
            ])
            .arg(&model)
            .arg(fixture("train.csv")),
        &["--no-lead-clause"],
    );
}

#[test]
fn training_says_when_lbfgs_stops_at_its_iteration_limit() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.model");
    let train = |max_iter: &str| {
        let assert = train_fixture(
            &model,
            &["--label", "frame", "--min-df", "1", "--max-iter", max_iter],
        );
        String::from_utf8(assert.get_output().stderr.clone()).unwrap()
    };
    let stopped = train("2");
    assert!(
        stopped.contains("warning: task frame: L-BFGS stopped at --max-iter 2"),
        "{stopped}"
    );
    let converged = train("1000");
    assert!(!converged.contains("warning"), "{converged}");
}
