#!/usr/bin/env python3
"""Parity benchmark: stance vs scikit-learn (best TfidfVectorizer + LogisticRegression by 5-fold CV on the
training split) vs fastText supervised, on the labeled corpora in ../shared/data with the splits its README
gives. Prints one Markdown table of test macro-F1 (scikit-learn's convention: mean over the classes present
in the gold labels or the predictions). Run through bench/parity.sh, which installs the references.
PARITY_TOOLS=stance,tuned,sklearn,fasttext (the default: all) runs only the columns named; the others
print "–" (`PARITY_TOOLS=stance` refreshes the defaults column in a few minutes)."""
import csv, json, os, subprocess, sys, tempfile, time
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
import fasttext

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, '..', 'shared', 'data')
STANCE = os.path.join(ROOT, 'target', 'release', 'stance')
# (name, file, task column, train split, [test splits])
DATASETS = [
    ('NewsMTSC', 'tone/newsmtsc.csv', 'tone', 'train', ['devtest_rw', 'devtest_mt']),
    ('Financial PhraseBank (all agree)', 'tone/financial_phrasebank_allagree.csv', 'tone', 'train', ['test']),
    ('Financial PhraseBank (50 % agree)', 'tone/financial_phrasebank_50agree.csv', 'tone', 'train', ['test']),
    ('NYT headlines (CAP)', 'frames/nyt_headlines_cap.csv', 'frame', 'train', ['test']),
    ('Manifesto UK+US', 'frames/manifesto_en.csv', 'frame', 'train', ['test']),
]

def rows(path, task, split):
    with open(path, encoding='utf-8') as f:
        return [(r['text'], r[task]) for r in csv.DictReader(f) if r['split'] == split and r['text'].strip() and r[task]]

# stance's own search, as scikit-learn gets its grid: 12 settings by 5-fold CV on the training split.
TUNE_GRID = ['--c', '3,10,30', '--min-df', '1,2', '--char-ngrams', 'true,false']

def run_stance(path, task, train_split, test_split, model, tuned=False):
    if not os.path.exists(model):
        extra = []
        if tuned:
            params = model + '.json'
            subprocess.run([STANCE, 'tune', path, '--label', task, '--filter', f'split={train_split}', *TUNE_GRID,
                            '-o', params], check=True, capture_output=True)
            extra = ['--params', params]
        subprocess.run([STANCE, 'train', path, '--label', task, '--filter', f'split={train_split}', *extra, '-o', model],
                       check=True, capture_output=True)
    out = subprocess.run([STANCE, 'eval', path, '--model', model, '--filter', f'split={test_split}', '--format', 'json'],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)['tasks'][task]['macro_f1']

def best_sklearn(train):
    texts, labels = zip(*train)
    pipe = Pipeline([('tfidf', TfidfVectorizer(sublinear_tf=True)), ('lr', LogisticRegression(max_iter=2000))])
    grid = {'tfidf__ngram_range': [(1, 1), (1, 2)], 'tfidf__min_df': [1, 2], 'lr__C': [1, 3, 10, 30]}
    search = GridSearchCV(pipe, grid, scoring='f1_macro', cv=StratifiedKFold(5, shuffle=True, random_state=0), n_jobs=2)
    search.fit([t.lower() for t in texts], labels)
    return search.best_estimator_, search.best_params_

def fasttext_model(train, tmp):
    path = os.path.join(tmp, 'ft-train.txt')
    with open(path, 'w', encoding='utf-8') as f:
        for text, label in train:
            f.write(f"__label__{label} {' '.join(text.lower().split())}\n")
    return fasttext.train_supervised(path, wordNgrams=2, epoch=25, lr=0.5, verbose=0, seed=0, thread=2)

TOOLS = os.environ.get('PARITY_TOOLS', 'stance,tuned,sklearn,fasttext').split(',')

def main():
    if not os.path.isdir(SHARED):
        sys.exit('../shared/data is absent: nothing to compare')
    print('| corpus | test split | n test | stance (defaults) | stance (tuned) | scikit-learn (best of grid) | fastText |')
    print('|---|---|---|---|---|---|---|')
    with tempfile.TemporaryDirectory() as tmp:
        for name, rel, task, train_split, test_splits in DATASETS:
            path = os.path.join(SHARED, rel)
            train = rows(path, task, train_split)
            sk, params = best_sklearn(train) if 'sklearn' in TOOLS else (None, {})
            ft = fasttext_model(train, tmp) if 'fasttext' in TOOLS else None
            model = os.path.join(tmp, rel.replace('/', '_') + '.model')
            for split in test_splits:
                test = rows(path, task, split)
                texts, gold = zip(*test)
                cells = {}
                if sk is not None:
                    p = ', '.join(f"{k.split('__')[1]}={v}" for k, v in params.items())
                    sk_f1 = f1_score(gold, sk.predict([t.lower() for t in texts]), average='macro')
                    cells['sklearn'] = f'{sk_f1:.3f} ({p})'
                if ft is not None:
                    ft_pred = [ft.predict(' '.join(t.lower().split()))[0][0].replace('__label__', '') for t in texts]
                    cells['fasttext'] = f"{f1_score(gold, ft_pred, average='macro'):.3f}"
                if 'stance' in TOOLS:
                    cells['stance'] = f'{run_stance(path, task, train_split, split, model):.3f}'
                if 'tuned' in TOOLS:
                    cells['tuned'] = f"{run_stance(path, task, train_split, split, model + '.tuned', tuned=True):.3f}"
                row = ' | '.join(cells.get(tool, '–') for tool in ('stance', 'tuned', 'sklearn', 'fasttext'))
                print(f'| {name} | {split} | {len(test)} | {row} |', flush=True)

if __name__ == '__main__':
    main()
