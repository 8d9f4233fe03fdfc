//! The shipped default model is exactly what the documented command builds from `data/frames.csv`.

use assert_cmd::Command;

/// The arguments of the README's "Rebuild the default model" command, after `stance`.
const REBUILD_ARGS: [&str; 7] = [
    "train",
    "data/frames.csv",
    "--solver",
    "lbfgs",
    "--label",
    "frame",
    "--label",
];

#[test]
fn the_shipped_model_is_what_the_documented_command_builds() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let rebuilt = dir.path().join("stance.model");
    Command::cargo_bin("stance")
        .unwrap()
        .current_dir(root)
        .args(REBUILD_ARGS)
        .args(["tone", "-o"])
        .arg(&rebuilt)
        .assert()
        .success();
    let shipped = std::fs::read(format!("{root}/models/stance.model")).unwrap();
    let rebuilt = std::fs::read(&rebuilt).unwrap();
    assert!(
        shipped == rebuilt,
        "models/stance.model is not what `stance train data/frames.csv --solver lbfgs --label frame \
         --label tone -o models/stance.model` builds: rebuild it (README) and commit it"
    );
}

#[test]
fn the_builtin_model_reads_the_example_article_as_economic_cultural_and_diplomatic() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::cargo_bin("stance")
        .unwrap()
        .args(["classify", "--format", "json"])
        .arg(format!("{root}/data/examples/vietnam-brazil-visit.txt"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let summary = &json["documents"][0]["summary"];
    let share = |frame: &str| summary["stance"][frame]["share"].as_f64().unwrap();
    // The article argues the visit was about trade, culture and diplomacy more than arms.
    assert!(share("military") < share("economic"), "{summary}");
    assert!(share("military") < share("diplomatic"), "{summary}");
    let sentences = json["documents"][0]["sentences"].as_array().unwrap();
    let frame_of = |start: &str| {
        let sentence = sentences
            .iter()
            .find(|s| s["text"].as_str().unwrap().starts_with(start))
            .unwrap_or_else(|| panic!("no sentence starts with {start:?}"));
        sentence["predictions"]["frame"]["label"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Its clear sentences: trade figures, a joint statement, a university visit.
    assert_eq!(frame_of("Trade between the two countries"), "economic");
    assert_eq!(
        frame_of("Lula and President Luong Cuong signed"),
        "diplomatic"
    );
    assert_eq!(frame_of("Lula toured the Temple of Literature"), "cultural");
}
