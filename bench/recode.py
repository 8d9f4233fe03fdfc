"""Blind recoding of training labels the model disagrees with (data/coding/recoding.csv; data/README.md,
step 7). Usage (bench/.venv, as bench/venv.sh makes it, from the project root). `select` and `record` read
the labels of data/frames.csv as the labels before the recoding: they reproduce the recoding on the file
of commit ffb037f, before `apply frame`; `summary`, `compare` and `apply` work on today's file too.

`recode.py select OUT_DIR`: story-grouped 4-fold cross-validation of the scikit-learn replica of the
default model (bench/round-cv.py, with the lead-clause words of bench/lead-clause-cv.py) on
data/frames.csv; every sentence of the first writing rounds (story ids without an `rN-` prefix) whose
out-of-fold frame differs from its label is selected, plus 201 sentences of those rounds drawn at random
from the ones it gets right (the control). All are shuffled into 4 batches of 350 written as
OUT_DIR/blind-{a,b,c,d}.csv (id, story, text: no label, no model output) for two independent coders each,
and OUT_DIR/key.csv (which row each id is, why it was selected, its labels then).

`recode.py record OUT_DIR`: reads the coders' files OUT_DIR/coder-{1,2}-{a..d}.csv (id, frame, tone) and
writes data/coding/recoding.csv: each recoded sentence with the replica's out-of-fold frame that selected
it (`frame_model`, never shown to the coders) and its labels before the recoding (`frame_before`,
`tone_before`) beside both new coders' (`frame_coder_1`, ...), for `stance agreement`; then prints the
summary.

`recode.py summary`: from data/coding/recoding.csv, for the selected and the control rows, how often the
two new coders agree with each other, both keep the label before and both change it.

`recode.py compare TASK`: the check the selection cannot bias. The replica in story-grouped 4-fold
cross-validation, trained once on the labels before the recoding and once on the labels it gives (the
new coders' where both agree, else the label before), scored on the later rounds' rows of each held-out
fold, whose labels no change touches. Touches no file.

`recode.py apply TASK ...`: writes the labels the recoding gives for each TASK into data/frames.csv and
the final columns of data/coding/double-coding.csv. The shipped corpus has `frame` applied, not `tone`
(data/README.md, step 7, says why); tests/corpus.rs checks that."""
import csv, importlib.util, os, random, sys

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

spec = importlib.util.spec_from_file_location("lead_clause_cv", "bench/lead-clause-cv.py")
lc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lc)
rc = lc.rc
BATCHES = "abcd"
CONTROL = 201
SEED = 20261127
TASKS = ("frame", "tone")
RECORD = "data/coding/recoding.csv"


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def select(out):
    rows = read("data/frames.csv")
    x, y, g = (np.array([r[k] for r in rows]) for k in ("text", "frame", "story"))
    predicted = np.empty(len(rows), dtype=object)
    for train, test in GroupKFold(n_splits=4).split(x, y, g):
        predicted[test] = rc.predict(x[train], y[train], x[test], lc.lead_clause_words)
    first = np.array([rc.round_of(story) == 0 for story in g])
    disagreed = np.where(first & (predicted != y))[0]
    agreed = np.where(first & (predicted == y))[0]
    rng = random.Random(SEED)
    control = rng.sample(list(agreed), CONTROL)
    chosen = [(i, "model-disagreed") for i in disagreed] + [(i, "control") for i in control]
    rng.shuffle(chosen)
    key = []
    for k, letter in enumerate(BATCHES):
        batch = sorted(chosen[k::len(BATCHES)], key=lambda t: (rows[t[0]]["story"], t[0]))
        with open(f"{out}/blind-{letter}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "story", "text"])
            for n, (i, why) in enumerate(batch):
                w.writerow([f"{letter}-{n:03d}", rows[i]["story"], rows[i]["text"]])
                key.append([f"{letter}-{n:03d}", i, why, rows[i]["frame"], rows[i]["tone"], predicted[i]])
    with open(f"{out}/key.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "row", "selected", "frame_before", "tone_before", "frame_model"])
        w.writerows(key)
    print(f"{len(disagreed)} disagreed + {CONTROL} control of {first.sum()} first-round sentences")


def write(path, header, rows):
    """Writes to a temporary file, then renames it over `path`."""
    with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(path + ".tmp", path)


def record(out):
    rows = read("data/frames.csv")
    coded = {c: {r["id"]: r for letter in BATCHES for r in read(f"{out}/coder-{c}-{letter}.csv")}
             for c in "12"}
    recoded = []
    for k in read(f"{out}/key.csv"):
        row = rows[int(k["row"])]
        one, two = coded["1"][k["id"]], coded["2"][k["id"]]
        recoded.append({"text": row["text"], "story": row["story"], "selected": k["selected"],
                        "frame_model": k["frame_model"],
                        **{f"{task}{suffix}": labels[task] for task in TASKS
                           for suffix, labels in (("_before", row), ("_coder_1", one), ("_coder_2", two))}})
    recoded.sort(key=lambda r: (r["story"], r["text"]))
    write(RECORD, list(recoded[0].keys()), recoded)
    summary()


def recoded_label(r, task):
    """The label the recoding gives: the new coders' where both agree, else the label before."""
    one, two = r[f"{task}_coder_1"], r[f"{task}_coder_2"]
    return one if one == two else r[f"{task}_before"]


def summary():
    record = read(RECORD)
    counts = {}
    for r in record:
        for task in TASKS:
            one, two = r[f"{task}_coder_1"], r[f"{task}_coder_2"]
            c = counts.setdefault((r["selected"], task), [0, 0, 0, 0])
            c[0] += 1
            c[1] += one == two
            c[2] += one == two == r[f"{task}_before"]
            c[3] += recoded_label(r, task) != r[f"{task}_before"]
    for (why, task), (n, agree, kept, changed) in sorted(counts.items()):
        print(f"{why:16} {task:5} {n:5} rows: coders agree {agree / n:.3f}, both keep the label "
              f"{kept / n:.3f}, both change it {changed / n:.3f} ({changed})")
    changed = [r for r in record if recoded_label(r, "frame") != r["frame_before"]]
    to_model = sum(recoded_label(r, "frame") == r["frame_model"] for r in changed)
    print(f"{to_model} of the {len(changed)} frame changes are to the model's out-of-fold frame")


def labels(rows, task, recoded):
    """Each row's `task` label before the recoding, or as the recoding gives it (`recoded`)."""
    record = {r["text"]: recoded_label(r, task) if recoded else r[f"{task}_before"] for r in read(RECORD)}
    return np.array([record.get(r["text"], r[task]) for r in rows])


def compare(task):
    rows = read("data/frames.csv")
    x, g = (np.array([r[k] for r in rows]) for k in ("text", "story"))
    before, after = labels(rows, task, False), labels(rows, task, True)
    later = np.array([rc.round_of(story) > 0 for story in g])
    scores = {}
    for fold, (train, test) in enumerate(GroupKFold(n_splits=4).split(x, before, g)):
        scored = test[later[test]]
        line = []
        for name, y in (("before", before), ("after", after)):
            predicted = rc.predict(x[train], y[train], x[scored], lc.lead_clause_words)
            score = f1_score(before[scored], predicted, average="macro")
            scores.setdefault(name, []).append(score)
            line.append(f"{name} {score:.4f}")
        print(f"fold {fold}, later rounds' rows: " + ", ".join(line), flush=True)
    for name, values in scores.items():
        print(f"{task} trained on the labels {name} the recoding: {np.mean(values):.4f}")


def apply(*tasks):
    rows = read("data/frames.csv")
    for task in tasks:
        for row, label in zip(rows, labels(rows, task, True)):
            row[task] = label
    write("data/frames.csv", ["text", "frame", "tone", "story"], rows)
    final = {r["text"]: r for r in rows}
    double = read("data/coding/double-coding.csv")
    for r in double:
        if r["text"] in final:
            r["frame"], r["tone"] = final[r["text"]]["frame"], final[r["text"]]["tone"]
    write("data/coding/double-coding.csv", list(double[0].keys()), double)


if __name__ == "__main__":
    {"select": select, "record": record, "summary": summary, "compare": compare,
     "apply": apply}[sys.argv[1]](*sys.argv[2:])
