//! Per-sentence cost of each pipeline stage: tokenize, featurize (vocabulary and hashed), predict.
//! Run with `cargo bench --bench pipeline` (not in CI). Sentences are written here, so the bench needs
//! no data files.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use stance::features::{FeatureParams, Scratch, SparseRow, Vectorizer};
use stance::model::Model;

const SENTENCES: [&str; 4] = [
    "The two ministers signed a grain and fertilizer agreement worth $2.5 billion on Tuesday.",
    "Troops from both countries will hold joint naval exercises near the disputed islands next month.",
    "\u{201C}We welcome our friends,\u{201D} the president said at the opening of the new museum in São Paulo.",
    "Talks between the delegations ended without a joint statement, diplomats said.",
];

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("per sentence");
    group.throughput(Throughput::Elements(SENTENCES.len() as u64));
    group.bench_function("tokenize", |b| {
        b.iter(|| {
            for sentence in SENTENCES {
                stance::text::for_each_token(black_box(sentence), |token| {
                    black_box(token);
                });
            }
        })
    });
    let model = Model::from_bytes(stance::cli::BUILTIN_MODEL, "built-in").unwrap();
    let hashed = Vectorizer::hashed(FeatureParams {
        hash_bits: Some(22),
        char_ngrams: None,
        ..FeatureParams::default()
    });
    let mut scratch = Scratch::default();
    let mut row = SparseRow::default();
    for (name, vectorizer) in [
        (
            "featurize: built-in vocabulary, word + char n-grams",
            &model.vectorizer,
        ),
        ("featurize: hashed word 1..2-grams", &hashed),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for sentence in SENTENCES {
                    vectorizer.transform_into(black_box(sentence), &mut scratch, &mut row);
                }
            })
        });
    }
    group.bench_function("predict: built-in model (featurize + both tasks)", |b| {
        b.iter(|| black_box(model.predict_many(black_box(&SENTENCES))))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
