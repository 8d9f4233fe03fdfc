"""Do the lead-clause words (`--lead-clause`) help? Story-grouped 4-fold cross-validation on all of
data/frames.csv with the scikit-learn replica of stance's default model (bench/round-cv.py), without and
with the words of each sentence's lead clause added to the word block as features of their own (`^word`,
nearly the rule of `text::lead_clause_tokens`, as a regular expression: it also breaks at the comma of
`2,000` and before an opener that starts the sentence is not a break for either). Scored on each held-out
fold as a whole ("all") and on its sentences of the first writing rounds only ("first": story ids
without an `rN-` prefix, the kind of sentence data/frames-test.csv holds). Usage (see lead-clause-cv.sh):
lead-clause-cv.py TASK"""
import csv, importlib.util, re, sys

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

spec = importlib.util.spec_from_file_location("round_cv", "bench/round-cv.py")
rc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rc)

CLAUSE_BREAK = r"[,;:]| as | after | while | despite | amid | but "


def lead_clause_words(text):
    lead = re.split(CLAUSE_BREAK, text.lower())[0]
    return ["^" + token for token in re.findall(rc.TOKEN, lead)]


def main():
    task = sys.argv[1]
    rows = list(csv.DictReader(open("data/frames.csv", encoding="utf-8")))
    x, y, g = (np.array([r[k] for r in rows]) for k in ("text", task, "story"))
    first = np.array([rc.round_of(story) == 0 for story in g])
    scores = {}
    for fold, (train, test) in enumerate(GroupKFold(n_splits=4).split(x, y, g)):
        line = []
        for lead in (False, True):
            predicted = rc.predict(x[train], y[train], x[test], lead_clause_words if lead else None)
            f = first[test]
            pair = (f1_score(y[test], predicted, average="macro"),
                    f1_score(y[test][f], predicted[f], average="macro"))
            scores.setdefault(lead, []).append(pair)
            line.append(f"{'lead' if lead else 'base'} all {pair[0]:.4f} first {pair[1]:.4f}")
        print(f"fold {fold}: " + ", ".join(line), flush=True)
    for lead in (False, True):
        a, f = np.mean(scores[lead], axis=0)
        print(f"{task} {'with' if lead else 'without'} lead-clause words: all {a:.4f}, first {f:.4f}")


if __name__ == "__main__":
    main()
