"""Blind recoding of training labels the model disagrees with (data/coding/recoding.csv).

`recode.py select OUT_DIR`: story-grouped 4-fold cross-validation of the scikit-learn replica of the
default model (bench/round-cv.py, with the lead-clause words of bench/lead-clause-cv.py) on
data/frames.csv; every sentence of the first writing rounds (story ids without an `rN-` prefix) whose
out-of-fold frame differs from its label is selected, plus 201 sentences of those rounds drawn at random
from the ones it gets right (the control). All are shuffled into 4 batches of 350 written as
OUT_DIR/blind-{a,b,c,d}.csv (id, story, text: no label, no model output) for two independent coders each,
and OUT_DIR/key.csv (which row each id is, why it was selected, its labels before).

`recode.py apply OUT_DIR [TASK ...]`: reads the coders' files OUT_DIR/coder-{1,2}-{a..d}.csv (id, frame,
tone) and writes data/coding/recoding.csv: each recoded sentence with its corpus labels (`frame`, `tone`)
beside both new coders' (`frame_coder_1`, ...), for `stance agreement`. For each TASK named (frame, tone)
it also changes the corpus label where both new coders agree with each other and not with the label,
in data/frames.csv and in the final columns of data/coding/double-coding.csv. It prints, for the
selected and the control rows, how often the coders agreed with each other and against the label. The
corpus was recoded with no TASK: see data/README.md ("Recoding") for why."""
import csv, importlib.util, os, random, sys

import numpy as np
from sklearn.model_selection import GroupKFold

spec = importlib.util.spec_from_file_location("lead_clause_cv", "bench/lead-clause-cv.py")
lc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lc)
rc = lc.rc
BATCHES = "abcd"
CONTROL = 201
SEED = 20261127


def read(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


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
    for letter, k in zip(BATCHES, range(len(BATCHES))):
        batch = sorted(chosen[k::len(BATCHES)], key=lambda t: (rows[t[0]]["story"], t[0]))
        with open(f"{out}/blind-{letter}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "story", "text"])
            for n, (i, why) in enumerate(batch):
                w.writerow([f"{letter}-{n:03d}", rows[i]["story"], rows[i]["text"]])
                key.append([f"{letter}-{n:03d}", i, why, rows[i]["frame"], rows[i]["tone"], predicted[i]])
    with open(f"{out}/key.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "row", "selected", "frame_old", "tone_old", "frame_model"])
        w.writerows(key)
    print(f"{len(disagreed)} disagreed + {CONTROL} control of {first.sum()} first-round sentences")


def write(path, header, rows):
    """Writes to a temporary file, then renames it over `path`."""
    with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.replace(path + ".tmp", path)


def apply(out, *applied):
    rows = read("data/frames.csv")
    coded = {c: {} for c in "12"}
    for c in "12":
        for letter in BATCHES:
            for r in read(f"{out}/coder-{c}-{letter}.csv"):
                coded[c][r["id"]] = r
    recoded, counts = [], {}
    for k in read(f"{out}/key.csv"):
        row = rows[int(k["row"])]
        one, two = coded["1"][k["id"]], coded["2"][k["id"]]
        out_row = {"text": row["text"], "story": row["story"], "selected": k["selected"]}
        for task in ("frame", "tone"):
            before = k[f"{task}_old"]
            assert row[task] == before, k
            agree = one[task] == two[task]
            new = one[task] if task in applied and agree and one[task] != before else before
            out_row |= {task: new, f"{task}_coder_1": one[task], f"{task}_coder_2": two[task]}
            c = counts.setdefault((k["selected"], task), [0, 0, 0, 0])
            c[0] += 1
            c[1] += agree
            c[2] += new != before
            c[3] += agree and one[task] == before
            row[task] = new
        recoded.append(out_row)
    header = ["text", "story", "selected"] + [f"{t}{s}" for t in ("frame", "tone")
                                              for s in ("", "_coder_1", "_coder_2")]
    recoded.sort(key=lambda r: (r["story"], r["text"]))
    write("data/coding/recoding.csv", header, recoded)
    if applied:
        write("data/frames.csv", ["text", "frame", "tone", "story"], rows)
        final = {r["text"]: r for r in rows}
        double = read("data/coding/double-coding.csv")
        for r in double:
            if r["text"] in final:
                r["frame"], r["tone"] = final[r["text"]]["frame"], final[r["text"]]["tone"]
        write("data/coding/double-coding.csv", list(double[0].keys()), double)
    for (why, task), (n, agree, changed, kept) in sorted(counts.items()):
        against = agree - kept
        print(f"{why:16} {task:5} {n:5} rows: coders agree {agree / n:.3f}, both against the label "
              f"{against / n:.3f} ({against}), both with it {kept / n:.3f}; changed {changed}")


if __name__ == "__main__":
    {"select": select, "apply": apply}[sys.argv[1]](*sys.argv[2:])
