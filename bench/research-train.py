"""Times `stance train` and its scikit-learn counterpart on data/frames.csv (see research-train.sh)."""
import os, statistics, subprocess, sys, tempfile, time

STANCE = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "stance")
SKLEARN = r'''
import csv, pickle, sys
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
rows = list(csv.DictReader(open("data/frames.csv", encoding="utf-8")))
texts = [r["text"] for r in rows]
words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
models = {}
for task in ("frame", "tone"):
    models[task] = LogisticRegression(C=10).fit(x, [r[task] for r in rows])
    print(task, int(models[task].n_iter_[0]), file=sys.stderr)
pickle.dump((words, chars, models), open(sys.argv[1], "wb"))
'''


def timed(command):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stderr


def main():
    runs = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m")
        tools = {
            "stance": [STANCE, "train", "data/frames.csv", "--label", "frame", "--label", "tone", "-o", model],
            # The same features as the scikit-learn pipeline: no lexicon.
            "stance --no-lexicon": [STANCE, "train", "data/frames.csv", "--label", "frame", "--label", "tone",
                                    "--no-lexicon", "-o", model],
            "scikit-learn": [sys.executable, "-c", SKLEARN, model],
        }
        results = {}
        for name, command in tools.items():
            times, log = [], ""
            for _ in range(runs):
                seconds, log = timed(command)
                times.append(seconds)
            iterations = [line.split(":")[0] + ": " + line.rsplit("(", 1)[-1].rstrip(")") if "iterations" in line
                          else line + " iterations" for line in log.splitlines()
                          if "iterations" in line or line.split()[:1] in (["frame"], ["tone"])]
            results[name] = (statistics.median(times), times, iterations)
    print(f"data/frames.csv (13,691 sentences), frame and tone, {runs} runs each, load average "
          f"{os.getloadavg()[0]:.2f} at the end")
    print("| tool | median s | runs s | ratio to stance |")
    print("|---|---|---|---|")
    base = results["stance"][0]
    for name, (median, times, _) in results.items():
        print(f"| {name} | {median:.1f} | {', '.join(f'{t:.1f}' for t in times)} | {median / base:.2f}x |")
    for name, (_, _, iterations) in results.items():
        print(f"{name}: " + "; ".join(iterations))


if __name__ == "__main__":
    main()
