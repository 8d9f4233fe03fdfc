"""Does corpus round N add anything? Story-grouped 4-fold cross-validation on the sentences of
data/frames.csv written before round N (only those are scored), each fold trained on its earlier-round
rows alone ("base") and with round N's rows added ("plus"), leaving out round N's stories that join a
held-out story (tf-idf cosine >= 0.25, as the split rule). The model is a scikit-learn replica of stance's
default: word 1-2-gram and char_wb 2-5-gram tf-idf (min_df 2, sublinear tf), four frame-word lexicon
counts (log1p), LogisticRegression(C=10), plus 0.2 x multinomial naive Bayes (alpha 0.1) on the word
block (stance's default since has the lead-clause words too: bench/lead-clause-cv.py). Rows of round N have story ids starting `rN-`; later rounds are left out. Usage (see round-cv.sh):
round-cv.py N TASK"""
import collections, csv, math, re, sys

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import MultinomialNB

FRAMES = ["economic", "military", "cultural", "diplomatic"]
TOKEN = r"\w+(?:[.'’]\w+)*"


def round_of(story):
    match = re.match(r"r(\d+)-", story)
    return int(match.group(1)) if match else 0


def lexicon_counts(texts):
    words = {}
    for frame in FRAMES:
        for line in open(f"data/lexicon/{frame}.txt", encoding="utf-8"):
            if line.strip():
                words.setdefault(line.strip().lower(), set()).add(frame)
    rows = []
    for text in texts:
        tokens = re.findall(TOKEN, text.lower())
        counts = dict.fromkeys(FRAMES, 0)
        for i, token in enumerate(tokens):
            for frame in words.get(token, ()):
                counts[frame] += 1
            if i + 1 < len(tokens):
                for frame in words.get(token + " " + tokens[i + 1], ()):
                    counts[frame] += 1
        rows.append([math.log1p(counts[f]) for f in FRAMES])
    return csr_matrix(rows)


def predict(train_x, train_y, test_x, extra_words=None):
    """The replica's labels for test_x; extra_words(text), if given, adds words to each text's word block
    (bench/lead-clause-cv.py)."""
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=TOKEN)
    if extra_words is not None:
        ngrams = words.build_analyzer()
        words = TfidfVectorizer(min_df=2, sublinear_tf=True,
                                analyzer=lambda text: ngrams(text) + extra_words(text))
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    word_train, word_test = words.fit_transform(train_x), words.transform(test_x)
    x_train = hstack([word_train, chars.fit_transform(train_x), lexicon_counts(train_x)]).tocsr()
    x_test = hstack([word_test, chars.transform(test_x), lexicon_counts(test_x)]).tocsr()
    regression = LogisticRegression(C=10.0, max_iter=2000).fit(x_train, train_y)
    bayes = MultinomialNB(alpha=0.1).fit(word_train, train_y)
    scores = regression.decision_function(x_test) + 0.2 * bayes.predict_joint_log_proba(word_test)
    return regression.classes_[scores.argmax(1)]


def macro_f1(train_x, train_y, test_x, test_y):
    return f1_score(test_y, predict(train_x, train_y, test_x), average="macro")


def main():
    n, task = int(sys.argv[1]), sys.argv[2]
    rows = list(csv.DictReader(open("data/frames.csv", encoding="utf-8")))
    old = [r for r in rows if round_of(r["story"]) < n]
    new = [r for r in rows if round_of(r["story"]) == n]
    x, y, g = (np.array([r[k] for r in old]) for k in ("text", task, "story"))
    nx, ny, ng = (np.array([r[k] for r in new]) for k in ("text", task, "story"))
    similarity = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(list(x) + list(nx))
    results = collections.defaultdict(list)
    for fold, (train, test) in enumerate(GroupKFold(n_splits=4).split(x, y, g)):
        held, added = collections.OrderedDict(), collections.OrderedDict()
        for text, story in zip(x[test], g[test]):
            held.setdefault(story, []).append(text)
        for text, story in zip(nx, ng):
            added.setdefault(story, []).append(text)
        cos = cosine_similarity(similarity.transform([" ".join(v) for v in added.values()]),
                                similarity.transform([" ".join(v) for v in held.values()]))
        joined = {story for story, row in zip(added, cos) if row.max() >= 0.25}
        keep = np.array([story not in joined for story in ng])
        base = macro_f1(x[train], y[train], x[test], y[test])
        plus = macro_f1(np.concatenate([x[train], nx[keep]]), np.concatenate([y[train], ny[keep]]),
                        x[test], y[test])
        results["base"].append(base)
        results["plus"].append(plus)
        print(f"fold {fold}: base {base:.4f}, plus {plus:.4f} ({keep.sum()} round-{n} rows added)",
              flush=True)
    print(f"round {n} {task}: base {np.mean(results['base']):.4f}, "
          f"plus {np.mean(results['plus']):.4f}")


if __name__ == "__main__":
    main()
