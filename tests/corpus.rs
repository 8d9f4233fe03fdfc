//! The corpus in `data/`: its shape, its story split, no near-duplicates, and nothing copied from the
//! material in `../shared/` (skipped where `../shared` is absent).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use stance::text::tokens;

const FRAMES: [&str; 4] = ["economic", "military", "cultural", "diplomatic"];
const TONES: [&str; 3] = ["positive", "neutral", "negative"];
/// Two sentences are near-duplicates when they share this share of their word types (Jaccard).
const NEAR_DUPLICATE: f64 = 0.7;

struct Row {
    file: &'static str,
    line: u64,
    text: String,
    frame: String,
    tone: String,
    story: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_rows(file: &'static str) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(root().join("data").join(file)).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["text", "frame", "tone", "story"],
        "{file}"
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                file,
                line: r.position().unwrap().line(),
                text: r[0].to_string(),
                frame: r[1].to_string(),
                tone: r[2].to_string(),
                story: r[3].to_string(),
            }
        })
        .collect()
}

fn all_rows() -> Vec<Row> {
    let mut rows = read_rows("frames.csv");
    rows.extend(read_rows("frames-test.csv"));
    rows
}

#[test]
fn each_file_is_large_and_balanced() {
    for (file, minimum) in [("frames.csv", 4000), ("frames-test.csv", 1000)] {
        let rows = read_rows(file);
        assert!(
            rows.len() >= minimum,
            "{file}: {} rows, want {minimum}",
            rows.len()
        );
        for frame in FRAMES {
            let share = rows.iter().filter(|r| r.frame == frame).count() as f64 / rows.len() as f64;
            assert!(share >= 0.20, "{file}: {frame} is {share:.3} of the rows");
        }
        for tone in TONES {
            let share = rows.iter().filter(|r| r.tone == tone).count() as f64 / rows.len() as f64;
            assert!(share >= 0.20, "{file}: {tone} is {share:.3} of the rows");
        }
        for row in &rows {
            assert!(
                FRAMES.contains(&row.frame.as_str()),
                "{file}:{} frame {}",
                row.line,
                row.frame
            );
            assert!(
                TONES.contains(&row.tone.as_str()),
                "{file}:{} tone {}",
                row.line,
                row.tone
            );
            assert!(
                !row.story.trim().is_empty(),
                "{file}:{} has no story",
                row.line
            );
            let words = row.text.split_whitespace().count();
            assert!(
                (6..=60).contains(&words),
                "{file}:{} has {words} words",
                row.line
            );
        }
    }
}

#[test]
fn no_story_is_on_both_sides_of_the_split() {
    let train: HashSet<String> = read_rows("frames.csv")
        .into_iter()
        .map(|r| r.story)
        .collect();
    let shared: Vec<String> = read_rows("frames-test.csv")
        .into_iter()
        .map(|r| r.story)
        .filter(|s| train.contains(s))
        .collect();
    assert!(shared.is_empty(), "stories in both files: {shared:?}");
}

fn word_types(text: &str) -> BTreeSet<String> {
    tokens(text).into_iter().collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let common = a.intersection(b).count();
    common as f64 / (a.len() + b.len() - common).max(1) as f64
}

/// Pairs (i in `left`, j in `right`) with Jaccard ≥ `NEAR_DUPLICATE`, found by prefix filtering: with
/// types ordered rarest first, two sets that similar must share one of the first
/// `|A| − ⌈t·|A|⌉ + 1` types of each, so only those are indexed and probed; candidates are then checked.
fn near_duplicates(
    left: &[BTreeSet<String>],
    right: &[BTreeSet<String>],
    same: bool,
) -> Vec<(usize, usize, f64)> {
    let mut frequency: HashMap<&str, usize> = HashMap::new();
    for set in left.iter().chain(right) {
        for w in set {
            *frequency.entry(w.as_str()).or_default() += 1;
        }
    }
    let prefix = |set: &BTreeSet<String>| -> Vec<String> {
        let mut ordered: Vec<&String> = set.iter().collect();
        ordered.sort_by_key(|w| (frequency[w.as_str()], w.as_str()));
        let keep = set.len() - (NEAR_DUPLICATE * set.len() as f64).ceil() as usize + 1;
        ordered.into_iter().take(keep).cloned().collect()
    };
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, set) in right.iter().enumerate() {
        for w in prefix(set) {
            index.entry(w).or_default().push(j);
        }
    }
    let mut found = Vec::new();
    for (i, set) in left.iter().enumerate() {
        let mut candidates: BTreeSet<usize> = BTreeSet::new();
        for w in prefix(set) {
            if let Some(js) = index.get(&w) {
                candidates.extend(js.iter().copied().filter(|&j| !same || j > i));
            }
        }
        for j in candidates {
            let score = jaccard(set, &right[j]);
            if score >= NEAR_DUPLICATE {
                found.push((i, j, score));
            }
        }
    }
    found
}

#[test]
fn no_two_sentences_in_data_are_near_duplicates() {
    let rows = all_rows();
    let sets: Vec<_> = rows.iter().map(|r| word_types(&r.text)).collect();
    let pairs = near_duplicates(&sets, &sets, true);
    let report: Vec<String> = pairs
        .iter()
        .take(20)
        .map(|&(i, j, s)| {
            format!(
                "{}:{} ~ {}:{} ({s:.2}): {} | {}",
                rows[i].file, rows[i].line, rows[j].file, rows[j].line, rows[i].text, rows[j].text
            )
        })
        .collect();
    assert!(
        pairs.is_empty(),
        "{} near-duplicate pairs:\n{}",
        pairs.len(),
        report.join("\n")
    );
}

#[test]
fn near_duplicate_finder_finds_what_it_should() {
    let sets: Vec<_> = [
        "Wheat exports to Egypt rose by a third this spring",
        "Wheat exports to Egypt rose by a third this summer",
        "The navy held drills off the coast",
    ]
    .iter()
    .map(|t| word_types(t))
    .collect();
    let pairs = near_duplicates(&sets, &sets, true);
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].0, pairs[0].1), (0, 1));
}

/// Sentences of the shared material (the example article and the labeled corpora), if present.
fn shared_sentences() -> Option<Vec<String>> {
    let shared = root().join("../shared");
    if !shared.is_dir() {
        eprintln!("../shared is absent: leakage check skipped");
        return None;
    }
    let mut sentences = Vec::new();
    let examples = shared.join("examples");
    for entry in std::fs::read_dir(&examples).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for span in stance::sentences::sentence_spans(&text) {
            sentences.push(span.text(&text).to_string());
        }
    }
    for dir in ["data/frames", "data/tone"] {
        for entry in std::fs::read_dir(shared.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let path: &Path = &entry.path();
            if path.extension().is_some_and(|e| e == "csv") {
                let mut reader = csv::Reader::from_path(path).unwrap();
                let column = reader
                    .headers()
                    .unwrap()
                    .iter()
                    .position(|h| h == "text")
                    .unwrap();
                for record in reader.records() {
                    sentences.push(record.unwrap()[column].to_string());
                }
            }
        }
    }
    Some(sentences)
}

#[test]
fn nothing_in_data_is_copied_from_the_shared_material() {
    let Some(shared) = shared_sentences() else {
        return;
    };
    let rows = all_rows();
    let ours: Vec<_> = rows.iter().map(|r| word_types(&r.text)).collect();
    let theirs: Vec<_> = shared
        .iter()
        .map(|t| word_types(t))
        .filter(|s| s.len() >= 4)
        .collect();
    let pairs = near_duplicates(&ours, &theirs, false);
    let report: Vec<String> = pairs
        .iter()
        .take(20)
        .map(|&(i, _, s)| {
            format!(
                "{}:{} ({s:.2}): {}",
                rows[i].file, rows[i].line, rows[i].text
            )
        })
        .collect();
    assert!(
        pairs.is_empty(),
        "{} sentences close to shared material:\n{}",
        pairs.len(),
        report.join("\n")
    );
}

/// A row of `data/coding/recoding.csv`.
#[derive(serde::Deserialize)]
struct Recoded {
    text: String,
    story: String,
    selected: String,
    frame_model: String,
    frame_before: String,
    frame_coder_1: String,
    frame_coder_2: String,
    tone_before: String,
    tone_coder_1: String,
    tone_coder_2: String,
}

/// `data/coding/recoding.csv` records a blind recoding of training sentences (data/README.md, step 7).
/// Each of its sentences is in `frames.csv`, and the corpus frame is the new coders' frame where both
/// agree and the frame before where they do not. The tone is the tone before: the recoding's tone
/// changes were not applied. Every label in the record is valid.
#[test]
fn the_training_file_has_the_recodings_frames_and_not_its_tones() {
    let training: HashMap<String, Row> = read_rows("frames.csv")
        .into_iter()
        .map(|row| (row.text.clone(), row))
        .collect();
    let mut reader = csv::Reader::from_path(root().join("data/coding/recoding.csv")).unwrap();
    let mut count = 0;
    for (i, record) in reader.deserialize::<Recoded>().enumerate() {
        let line = i + 2;
        let r = record.unwrap_or_else(|e| panic!("recoding.csv line {line}: {e}"));
        let row = training
            .get(&r.text)
            .unwrap_or_else(|| panic!("recoding.csv line {line}: not a sentence of frames.csv"));
        for frame in [
            &r.frame_model,
            &r.frame_before,
            &r.frame_coder_1,
            &r.frame_coder_2,
        ] {
            assert!(FRAMES.contains(&frame.as_str()), "line {line}: {frame}");
        }
        for tone in [&r.tone_before, &r.tone_coder_1, &r.tone_coder_2] {
            assert!(TONES.contains(&tone.as_str()), "line {line}: {tone}");
        }
        let recoded_frame = if r.frame_coder_1 == r.frame_coder_2 {
            &r.frame_coder_1
        } else {
            &r.frame_before
        };
        assert_eq!(&row.frame, recoded_frame, "recoding.csv line {line}: frame");
        assert_eq!(row.tone, r.tone_before, "recoding.csv line {line}: tone");
        assert_eq!(row.story, r.story, "recoding.csv line {line}: story");
        // Selected: the model's out-of-fold frame differed from the label; control: it did not.
        let disagreed = r.frame_model != r.frame_before;
        match r.selected.as_str() {
            "model-disagreed" => assert!(disagreed, "line {line}"),
            "control" => assert!(!disagreed, "line {line}"),
            other => panic!("recoding.csv line {line}: selected {other:?}"),
        }
        count += 1;
    }
    assert_eq!(count, 1400);
}
