#!/usr/bin/env python3
"""Scale benchmark: stance vs Vowpal Wabbit, fastText and scikit-learn on the UN General Debate corpus.

Task: the decade of a sentence's speech (1940s ... 2020s, 9 classes) from its lowercased text. A speech
(iso3 + session) whose session number is divisible by 10 is TEST, every other speech is TRAIN.

The corpus file is chronological (by year, then country), which one-pass online learners (VW, fastText)
cannot take: trained in file order they predict the last years' decades for everything. So by default
(SCALE_ORDER=shuffle) TRAIN is permuted once with a fixed seed, the same order for every tool, and a training
size N is the first N sentences of that permutation (a uniform sample; `full` = all 1,080,565).
SCALE_ORDER=file keeps the file's order (N = sentences at evenly spaced positions, spanning every year);
SCALE_ORDER=head takes the first N in file order (for 100 k: 1946-1961 only).

Every measurement is one process run through `/usr/bin/time -v`: wall time from the orchestrator's clock,
peak RSS from time's "Maximum resident set size". Each training runs once per tool and size; stance's
whole-corpus classify run is repeated 3 times (median wall, highest RSS).

Run through bench/scale.sh, which builds stance and installs the reference tools. This file is both the
orchestrator (`scale.py` with no arguments) and the per-tool worker (`scale.py worker TOOL-STEP ...`), so
that the Python tools are measured in processes of their own that import only what they use.
"""
import csv
import gzip
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, '..', 'shared', 'data', 'scale', 'ungdc_sentences.tsv.gz')
DECADES = [f'{d}s' for d in range(1940, 2030, 10)]
VW_LABEL = {d: i + 1 for i, d in enumerate(DECADES)}  # --oaa labels are 1..9
RESULT_TAG = 'SCALE_RESULT '  # a worker's last stdout line: this tag and a JSON object of its own timings
STANCE_CLASSIFY_RUNS = 3
SMALL_RSS_LINES = 10_000
SHUFFLE_SEED = 0
ORDERS = ('shuffle', 'file', 'head')


# ---------------------------------------------------------------------------------------------------------
# Settings (environment variables; bench/scale.sh documents them)

def env_settings():
    sizes = os.environ.get('SCALE_SIZES', '100000,full')
    tools = os.environ.get('SCALE_TOOLS', 'stance,vw,fasttext,sklearn')
    return {
        'sizes': [s.strip() for s in sizes.split(',') if s.strip()],
        'tools': [t.strip() for t in tools.split(',') if t.strip()],
        'stance_bin': os.environ.get('STANCE_BIN', os.path.join(ROOT, 'target', 'release', 'stance')),
        'stance_flags': os.environ.get('STANCE_TRAIN_FLAGS', '').split(),
        'sklearn_max': int(os.environ.get('SCALE_SKLEARN_MAX', '100000')),
        'train_timeout': float(os.environ.get('SCALE_TRAIN_TIMEOUT', '1800')),
        'workdir': os.environ.get('SCALE_WORKDIR', os.path.join(ROOT, 'target', 'scale')),
        'out': os.environ.get('SCALE_OUT', ''),
        'order': os.environ.get('SCALE_ORDER', 'shuffle'),
        # Training runs per tool and size (scikit-learn: always one): the table gives the median wall time
        # and the median of each score, since fastText's threads and the machine's other work make one run
        # vary by 20 % in time and 0.002 in macro-F1.
        'train_runs': max(1, int(os.environ.get('SCALE_TRAIN_RUNS', '3'))),
    }


def size_label(size):
    if size == 'full':
        return 'full'
    n = int(size)
    return f'{n // 1000}k' if n % 1000 == 0 else str(n)


# ---------------------------------------------------------------------------------------------------------
# Data preparation (not timed): one lowercased text per sentence, written in each tool's input format

def vw_text(text):
    """VW's text format gives '|' and ':' a meaning: swap them for look-alikes that it reads as plain bytes."""
    return text.replace('|', '\u00a6').replace(':', '\uff1a')


def read_corpus():
    """Yield (is_test, decade, lowercased sentence) in file order."""
    with gzip.open(CORPUS, 'rt', encoding='utf-8', newline='\n') as f:
        header = f.readline().rstrip('\r\n').split('\t')
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            cells = line.rstrip('\r\n').split('\t')
            session, year, text = int(cells[col['session']]), int(cells[col['year']]), cells[col['sentence']]
            yield session % 10 == 0, f'{year // 10 * 10}s', ' '.join(text.lower().split())


def write_lines(path, lines):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for line in lines:
            f.write(line)
            f.write('\n')


def subset(train, size, order):
    """The training rows of one size: the first N of TRAIN as ordered, or for 'file' N at evenly spaced positions."""
    if size == 'full' or int(size) >= len(train):
        return train
    n = int(size)
    if order == 'file':
        return [train[i * len(train) // n] for i in range(n)]
    return train[:n]


def prepare(data_dir, sizes, order):
    """Write the shared inputs and each size's training files. What an earlier run wrote from the same corpus
    in the same order is kept (prepared.json records it)."""
    stamp_path = os.path.join(data_dir, 'prepared.json')
    st = os.stat(CORPUS)
    stamp = {'corpus_bytes': st.st_size, 'corpus_mtime': st.st_mtime, 'order': order, 'format': 2}
    counts = None
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            old = json.load(f)
        if old.get('stamp') == stamp:
            counts = old['counts']
    missing = [size for size in sizes if counts is None or size not in counts]
    if not missing:
        return counts
    os.makedirs(data_dir, exist_ok=True)
    train, test, everything = [], [], []
    for is_test, decade, text in read_corpus():
        if not text:
            continue  # none in the corpus as shipped; an empty line would not be a text to stance
        (test if is_test else train).append((text, decade))
        everything.append(text)
    if order == 'shuffle':
        random.Random(SHUFFLE_SEED).shuffle(train)
    if counts is None:
        write_lines(os.path.join(data_dir, 'all.txt'), everything)
        write_lines(os.path.join(data_dir, f'all-{SMALL_RSS_LINES}.txt'), everything[:SMALL_RSS_LINES])
        write_lines(os.path.join(data_dir, 'all.vw'), ('|t ' + vw_text(t) for t in everything))
        write_lines(os.path.join(data_dir, 'test.txt'), (t for t, _ in test))
        write_lines(os.path.join(data_dir, 'test.gold'), (d for _, d in test))
        write_lines(os.path.join(data_dir, 'test.vw'), ('|t ' + vw_text(t) for t, _ in test))
        counts = {'all': len(everything), 'test': len(test), 'train_full': len(train),
                  'test_classes': len({d for _, d in test})}
    for size in missing:
        rows = subset(train, size, order)
        base = os.path.join(data_dir, f'train-{size}')
        with open(base + '.csv', 'w', encoding='utf-8', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(['text', 'decade'])
            writer.writerows(rows)
        write_lines(base + '.ft', (f'__label__{d} {t}' for t, d in rows))
        write_lines(base + '.vw', (f'{VW_LABEL[d]} |t {vw_text(t)}' for t, d in rows))
        counts[size] = len(rows)
    with open(stamp_path, 'w') as f:
        json.dump({'stamp': stamp, 'counts': counts}, f)
    return counts


# ---------------------------------------------------------------------------------------------------------
# Workers: each runs in a process of its own under /usr/bin/time and reports its inner timings

def read_texts(path):
    with open(path, encoding='utf-8', newline='\n') as f:
        return f.read().split('\n')[:-1]


def write_predictions(path, labels):
    if path != '-':
        write_lines(path, labels)


def worker_fasttext_train(train_path, model_path):
    import fasttext
    t0 = time.perf_counter()
    model = fasttext.train_supervised(train_path, wordNgrams=2, epoch=5, thread=2, verbose=0)
    t1 = time.perf_counter()
    model.save_model(model_path)
    return {'train_s': t1 - t0, 'save_s': time.perf_counter() - t1}


def worker_fasttext_predict(model_path, lines_path, out_path):
    import fasttext
    t0 = time.perf_counter()
    model = fasttext.load_model(model_path)
    texts = read_texts(lines_path)
    t1 = time.perf_counter()
    labels, _ = model.predict(texts)
    t2 = time.perf_counter()
    write_predictions(out_path, (ls[0].replace('__label__', '') for ls in labels))
    return {'load_s': t1 - t0, 'predict_s': t2 - t1, 'n': len(texts)}


def worker_vw_train(train_path, model_path):
    import vowpalwabbit
    t0 = time.perf_counter()
    vw = vowpalwabbit.Workspace(arg_list=['--oaa', '9', '--ngram', '2', '-b', '24', '-d', train_path,
                                          '-f', model_path, '--quiet'])
    vw.finish()  # writes the model
    return {'train_s': time.perf_counter() - t0}


def worker_vw_predict(model_path, vw_path, out_path):
    import vowpalwabbit
    args = ['-t', '-i', model_path, '-d', vw_path, '--quiet']
    if out_path != '-':
        args += ['-p', out_path + '.raw']
    t0 = time.perf_counter()
    vowpalwabbit.Workspace(arg_list=args).finish()
    elapsed = time.perf_counter() - t0
    if out_path != '-':  # VW writes the class number (1..9) as a float per line
        with open(out_path + '.raw') as f:
            write_predictions(out_path, (DECADES[int(float(line.split()[0])) - 1] for line in f if line.strip()))
        os.remove(out_path + '.raw')
    return {'predict_s': elapsed}


def worker_sklearn_train(train_path, model_path):
    import pickle
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    t0 = time.perf_counter()
    with open(train_path, encoding='utf-8', newline='') as f:
        rows = list(csv.DictReader(f))
    texts, labels = [r['text'] for r in rows], [r['decade'] for r in rows]
    t1 = time.perf_counter()
    pipe = Pipeline([('tfidf', TfidfVectorizer(ngram_range=(1, 2))), ('lr', LogisticRegression(solver='lbfgs'))])
    pipe.fit(texts, labels)
    t2 = time.perf_counter()
    with open(model_path, 'wb') as f:
        pickle.dump(pipe, f, protocol=pickle.HIGHEST_PROTOCOL)
    lr = pipe.named_steps['lr']
    return {'read_s': t1 - t0, 'train_s': t2 - t1, 'save_s': time.perf_counter() - t2,
            'n_features': len(pipe.named_steps['tfidf'].vocabulary_), 'n_iter': int(max(lr.n_iter_)),
            'max_iter': lr.max_iter}


def worker_sklearn_predict(model_path, lines_path, out_path):
    import pickle
    t0 = time.perf_counter()
    with open(model_path, 'rb') as f:
        pipe = pickle.load(f)
    texts = read_texts(lines_path)
    t1 = time.perf_counter()
    labels = pipe.predict(texts)
    t2 = time.perf_counter()
    write_predictions(out_path, labels)
    return {'load_s': t1 - t0, 'predict_s': t2 - t1, 'n': len(texts)}


WORKERS = {
    'fasttext-train': worker_fasttext_train, 'fasttext-predict': worker_fasttext_predict,
    'vw-train': worker_vw_train, 'vw-predict': worker_vw_predict,
    'sklearn-train': worker_sklearn_train, 'sklearn-predict': worker_sklearn_predict,
}


def worker_main(step, args):
    result = WORKERS[step](*args)
    print(RESULT_TAG + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------------------
# Measuring a process

class Timeout(Exception):
    pass


class RunFailed(Exception):
    pass


def measure(cmd, log_path, stdout_path=None, timeout=None):
    """Run cmd under /usr/bin/time -v. Returns wall seconds, peak RSS (GB), the worker's JSON (if any) and
    its stderr. stdout goes to stdout_path (a file or /dev/null) when given, else it is captured."""
    rss_path = log_path + '.time'
    err_path = log_path + '.stderr'
    full = ['/usr/bin/time', '-v', '-o', rss_path, *cmd]
    out = open(stdout_path, 'wb') if stdout_path else subprocess.PIPE
    with open(err_path, 'wb') as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, start_new_session=True)
        try:
            stdout, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            raise Timeout(f'{timeout:.0f} s')
        finally:
            if stdout_path:
                out.close()
        wall = time.perf_counter() - start
    with open(err_path, encoding='utf-8', errors='replace') as f:
        stderr = f.read()
    with open(rss_path) as f:
        time_report = f.read()
    rss_kb, cpu_s = 0, 0.0
    for line in time_report.splitlines():
        if 'Maximum resident set size' in line:
            rss_kb = int(line.rsplit(':', 1)[1])
        elif 'User time (seconds)' in line or 'System time (seconds)' in line:
            cpu_s += float(line.rsplit(':', 1)[1])
    if proc.returncode != 0:
        print(f'failed ({proc.returncode}): {" ".join(cmd)}\n{stderr[-3000:]}', file=sys.stderr)
        why = ('killed by signal 9 (out of memory?)' if 'terminated by signal 9' in time_report else
               f'exit status {proc.returncode}: ' + (stderr.strip().splitlines() or ['no message'])[-1][:200])
        raise RunFailed(f'{why} after {wall:.0f} s, peak RSS {rss_kb / 1024 ** 2:.1f} GB')
    inner = {}
    if stdout:
        for line in stdout.decode('utf-8', 'replace').splitlines():
            if line.startswith(RESULT_TAG):
                inner = json.loads(line[len(RESULT_TAG):])
    return {'wall_s': wall, 'rss_gb': rss_kb / 1024 ** 2, 'cpu_s': cpu_s, 'inner': inner, 'stderr': stderr}


def worker_cmd(step, *args):
    return [sys.executable, os.path.abspath(__file__), 'worker', step, *args]


# ---------------------------------------------------------------------------------------------------------
# Scoring: the same for every tool, from predicted labels

def median_run(runs):
    """The measurement of the run with the median wall time (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda r: r['wall_s'])
    return ordered[(len(ordered) - 1) // 2]


def median_scores(gold, preds):
    """Each score's median over the runs' predictions, and every run's scores."""
    runs = [score(gold, pred) for pred in preds]
    merged = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    merged['runs'] = runs
    return merged


def score(gold, pred):
    from sklearn.metrics import accuracy_score, f1_score
    if len(gold) != len(pred):
        sys.exit(f'{len(pred)} predictions for {len(gold)} test sentences')
    present = sorted(set(gold))
    return {
        'accuracy': accuracy_score(gold, pred),
        'macro_f1_test_classes': f1_score(gold, pred, labels=present, average='macro', zero_division=0),
        'macro_f1_sklearn': f1_score(gold, pred, average='macro', zero_division=0),
        'n_test_classes': len(present),
    }


def read_stance_jsonl(path, n_expected):
    """Each line holds one text's predictions; take `predictions.decade.label`, placed by `index` if given."""
    labels = [None] * n_expected
    with open(path, encoding='utf-8') as f:
        for pos, line in enumerate(f):
            if not line.strip():
                continue
            obj = json.loads(line)
            head = obj.get('predictions', obj).get('decade')
            label = head.get('label') if isinstance(head, dict) else head
            i = obj.get('index', pos)
            if not isinstance(label, str) or not 0 <= i < n_expected:
                sys.exit(f'{path}:{pos + 1}: no decade label for text {i} in {line[:200]!r}')
            labels[i] = label
    missing = sum(label is None for label in labels)
    if missing:
        sys.exit(f'{path}: {missing} of {n_expected} texts have no prediction')
    return labels


# ---------------------------------------------------------------------------------------------------------
# One tool at one size: train, predict the test split, classify every sentence

def run_stance(cfg, data, models, size, n_all):
    model = os.path.join(models, f'stance-{size}.model')
    log = os.path.join(models, f'stance-{size}')
    bin_ = cfg['stance_bin']
    classify = [bin_, 'classify', '--model', model, '--unit', 'line', '--format', 'jsonl']
    n_test = len(read_texts(os.path.join(data, 'test.gold')))
    trains, preds = [], []
    for k in range(cfg['train_runs']):
        trains.append(measure([bin_, 'train', os.path.join(data, f'train-{size}.csv'), '--label', 'decade',
                               '-o', model, *cfg['stance_flags']], log + f'-train{k}',
                              timeout=cfg['train_timeout']))
        preds_path = os.path.join(models, f'stance-{size}.test.jsonl')
        measure([*classify, os.path.join(data, 'test.txt')], log + f'-test{k}', stdout_path=preds_path)
        preds.append(read_stance_jsonl(preds_path, n_test))
    train = trains[-1]
    solver = [line.strip() for line in train['stderr'].splitlines() if 'solver' in line.lower()]
    vocab = [line.strip() for line in train['stderr'].splitlines() if line.startswith('vocabulary')]
    runs = [measure([*classify, os.path.join(data, 'all.txt')], log + f'-all{k}', stdout_path=os.devnull)
            for k in range(STANCE_CLASSIFY_RUNS)]
    small = measure([*classify, os.path.join(data, f'all-{SMALL_RSS_LINES}.txt')], log + '-small',
                    stdout_path=os.devnull)
    wall = statistics.median(r['wall_s'] for r in runs)
    return {
        'train': median_run(trains), 'train_runs_s': [t['wall_s'] for t in trains], 'preds': preds,
        'classify_s': wall, 'classify_runs_s': [r['wall_s'] for r in runs],
        'classify_sps': n_all / wall, 'classify_rss_gb': max(r['rss_gb'] for r in runs),
        'classify_small_rss_gb': small['rss_gb'], 'classify_small_s': small['wall_s'],
        'solver': solver[-1] if solver else '(no line naming the solver on stderr)',
        'flags': ' '.join(cfg['stance_flags']), 'vocabulary': vocab[-1] if vocab else '',
    }


def run_python_tool(tool, cfg, data, models, size, n_all):
    """fastText, VW or scikit-learn: train, predict the test split to a file, predict all sentences."""
    ext = {'fasttext': ('ft', 'bin', 'txt'), 'vw': ('vw', 'vw', 'vw'), 'sklearn': ('csv', 'pkl', 'txt')}
    train_ext, model_ext, lines_ext = ext[tool]
    model = os.path.join(models, f'{tool}-{size}.{model_ext}')
    log = os.path.join(models, f'{tool}-{size}')
    trains, preds = [], []
    for k in range(1 if tool == 'sklearn' else cfg['train_runs']):
        trains.append(measure(worker_cmd(f'{tool}-train', os.path.join(data, f'train-{size}.{train_ext}'), model),
                              log + f'-train{k}', timeout=cfg['train_timeout']))
        preds_path = os.path.join(models, f'{tool}-{size}.test.pred')
        measure(worker_cmd(f'{tool}-predict', model, os.path.join(data, f'test.{lines_ext}'), preds_path),
                log + f'-test{k}')
        preds.append(read_texts(preds_path))
    run = measure(worker_cmd(f'{tool}-predict', model, os.path.join(data, f'all.{lines_ext}'), '-'), log + '-all')
    return {'train': median_run(trains), 'train_runs_s': [t['wall_s'] for t in trains], 'preds': preds,
            'classify_s': run['wall_s'], 'classify_sps': n_all / run['wall_s'],
            'classify_inner_sps': n_all / run['inner']['predict_s'], 'classify_rss_gb': run['rss_gb'],
            'classify_inner': run['inner']}


# ---------------------------------------------------------------------------------------------------------
# The table

TOOL_NAMES = {'stance': 'stance', 'vw': 'Vowpal Wabbit', 'fasttext': 'fastText', 'sklearn': 'scikit-learn'}


def fmt(x, digits):
    return '–' if x is None else f'{x:,.{digits}f}'


def ratio(x, base):
    return '–' if x is None or not base else f'{x / base:.2f}×'


ORDER_NOTES = {
    'shuffle': 'TRAIN is shuffled once (Python `random.Random(0)`), the same order for every tool, because the '
               'corpus file is chronological (by year, then country): trained one pass in file order, VW and '
               'fastText predict the latest decades for everything (accuracy 0.00 and 0.17 at full size). '
               'A smaller training set is the first N sentences of that shuffled order (a uniform sample).',
    'file': 'Every tool trains on TRAIN in file order, which is chronological (by year, then country); the '
            'script shuffles nothing. A smaller training set is N TRAIN sentences at evenly spaced positions, '
            'in file order, so it spans every year.',
    'head': 'Every tool trains on TRAIN in file order, which is chronological (by year, then country); the '
            'script shuffles nothing. A smaller training set is the first N TRAIN sentences (for 100 k: '
            '1946–1961 only).',
}


def subset_note(cfg, counts, size):
    return {'shuffle': ' (random sample)', 'head': ' (the first in file order)',
            'file': f' (every {counts["train_full"] / counts[size]:.1f}th TRAIN sentence)'}[cfg['order']]


def runs_note(r):
    """Every training run's wall time and scores, when there was more than one."""
    if len(r['train_runs_s']) < 2:
        return ''
    runs = '; '.join(f'{t:.1f} s, {s["accuracy"]:.3f} / {s["macro_f1_test_classes"]:.3f}'
                     for t, s in zip(r['train_runs_s'], r['scores']['runs']))
    return f'{len(r["train_runs_s"])} training runs (train s, accuracy / macro-F1): {runs}; '


def tool_notes(tool, r):
    if 'skipped' in r:
        return r['skipped']
    return runs_note(r) + tool_notes_of_run(tool, r)


def tool_notes_of_run(tool, r):
    inner = r['train']['inner']
    cpu = f'train CPU (user + sys) {r["train"]["cpu_s"]:.1f} s'
    if tool == 'stance':
        notes = [f'solver: `{r["solver"]}`'] + ([f'`{r["vocabulary"]}`'] if r['vocabulary'] else []) + [cpu]
        if r['flags']:
            notes.append(f'train flags: `{r["flags"]}`')
        runs = ', '.join(f'{s:.1f}' for s in r['classify_runs_s'])
        notes.append(f'classify: median of {len(r["classify_runs_s"])} runs ({runs} s); '
                     f'peak RSS {r["classify_small_rss_gb"]:.2f} GB on {SMALL_RSS_LINES:,} lines, '
                     f'{r["classify_rss_gb"]:.2f} GB on all')
        return '; '.join(notes)
    if tool == 'vw':
        return f'{cpu}; the Workspace pass alone (parse, learn, save) {inner["train_s"]:.1f} s'
    notes = [cpu, f'fit alone {inner["train_s"]:.1f} s']
    if tool == 'sklearn':
        notes.append(f'{inner["n_features"]:,} features, lbfgs stopped after {inner["n_iter"]} of '
                     f'max_iter={inner["max_iter"]} iterations')
    notes.append(f'predict call alone {r["classify_inner_sps"]:,.0f} sentences/s '
                  f'(model load + file read {r["classify_inner"]["load_s"]:.1f} s)')
    return '; '.join(notes)


def table(results, counts, cfg, elapsed):
    head = ['train sentences', 'tool', 'train s', 'train peak RSS GB', 'accuracy',
            f'macro-F1 ({counts["test_classes"]} test classes)¹', 'macro-F1 (sklearn default)¹',
            'classify sentences/s²', 'classify peak RSS GB',
            'train s ÷ stance', 'train RSS ÷ stance', 'classify speed ÷ stance', 'notes']
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in results:
        size = r['size']
        base = next((b for b in results if b['size'] == size and b['tool'] == 'stance' and 'train' in b), None)
        whole = counts[size] == counts['train_full']
        n = f'{counts[size]:,}' + (' (all)' if whole else subset_note(cfg, counts, size))
        if 'train' not in r:
            cells = [n, TOOL_NAMES[r['tool']]] + ['–'] * 10 + [r['skipped']]
        else:
            s = r['scores']
            bt = base['train'] if base else None
            cells = [n, TOOL_NAMES[r['tool']], fmt(r['train']['wall_s'], 1), fmt(r['train']['rss_gb'], 2),
                     fmt(s['accuracy'], 3), fmt(s['macro_f1_test_classes'], 3), fmt(s['macro_f1_sklearn'], 3),
                     fmt(r['classify_sps'], 0), fmt(r['classify_rss_gb'], 2),
                     ratio(r['train']['wall_s'], bt and bt['wall_s']), ratio(r['train']['rss_gb'], bt and bt['rss_gb']),
                     ratio(r['classify_sps'], base and base['classify_sps']), tool_notes(r['tool'], r)]
        lines.append('| ' + ' | '.join(cells) + ' |')
    versions = tool_versions(cfg)
    lines += [
        '',
        f'UN General Debate corpus, {counts["all"]:,} sentences; label = decade of the speech (9 classes); '
        f'TEST = speeches whose session number is divisible by 10 ({counts["test"]:,} sentences, '
        f'{counts["train_full"]:,} TRAIN). Text lowercased, whitespace collapsed, the same for every tool '
        "(for VW '|' and ':' are replaced by look-alikes its input format reads as plain text). "
        + ORDER_NOTES[cfg['order']],
        '',
        f'Train: {cfg["train_runs"]} runs per tool and size (scikit-learn: one), the median wall time, peak '
        'RSS and CPU of the median run, and the median of each score over the runs; each run is the whole process from the prepared training file to a model '
        'file on disk (stance: `stance train TRAIN.csv --label decade -o MODEL`, CSV parsing included; '
        'fastText/VW/scikit-learn: Python start-up, import, reading the file, fitting, saving). '
        'Settings: VW `--oaa 9 --ngram 2 -b 24`, one pass; fastText `train_supervised(wordNgrams=2, epoch=5, '
        'thread=2)`, other defaults; scikit-learn `TfidfVectorizer(ngram_range=(1, 2))` + '
        '`LogisticRegression(solver="lbfgs")`, defaults otherwise'
        + ('; stance defaults' if 'stance' in cfg['tools'] else '')
        + (f' plus `{" ".join(cfg["stance_flags"])}`' if 'stance' in cfg['tools'] and cfg['stance_flags'] else '')
        + '. '
        f'Peak RSS: `/usr/bin/time -v`. Trainings stopped after {cfg["train_timeout"]:.0f} s.',
        '',
        '¹ Accuracy and macro-F1 on the whole TEST split, computed by bench/scale.py from each tool\'s predicted '
        f'labels. First macro-F1: mean F1 over the decades present in TEST ({counts["test_classes"]} of the 9: '
        '1950s–2010s). '
        'Second: scikit-learn\'s `f1_score(average="macro")` default, mean over every label in the gold '
        'labels or the predictions (a predicted 1940s or 2020s counts as a class with F1 0).',
        '',
        f'² All {counts["all"]:,} sentences (TRAIN + TEST), one per line. stance: the whole '
        '`stance classify --model MODEL --unit line --format jsonl all.txt > /dev/null` process, start-up and '
        f'model load included, median of {STANCE_CLASSIFY_RUNS} runs. fastText and scikit-learn: the whole '
        'Python process (start-up, model load, reading the lines, `model.predict(list)` over all lines '
        '— transform + predict for scikit-learn), one run; the predict call alone is in the notes. '
        'VW: one `-t -i MODEL -d all.vw` pass through the Python `vowpalwabbit.Workspace`, '
        'predictions not written, whole process, one run.',
        '',
        f'Machine: {os.cpu_count()} cores ({cpu_model()}), {mem_gb():.0f} GB RAM, {platform.platform()}. '
        f'{versions}. Date {date.today().isoformat()}; the whole run took {elapsed / 60:.1f} min; '
        f'1-minute load average before it: {cfg["load_at_start"]:.2f}'
        + (' (other processes were using the cores: timings are pessimistic).' if cfg['load_at_start'] > 0.5
           else '.'),
    ]
    return '\n'.join(lines) + '\n'


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def load_average():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def mem_gb():
    with open('/proc/meminfo') as f:
        return int(f.readline().split()[1]) / 1024 ** 2


def tool_versions(cfg):
    from importlib.metadata import version, PackageNotFoundError
    parts = []
    if 'stance' in cfg['tools']:
        try:
            v = subprocess.run([cfg['stance_bin'], '--version'], capture_output=True, text=True).stdout.strip()
            rev = subprocess.run(['git', '-C', ROOT, 'describe', '--always', '--dirty'], capture_output=True,
                                 text=True).stdout.strip()
            parts.append(f'{v} ({rev or "no git"})')
        except OSError:
            pass
    for pkg in ('vowpalwabbit', 'fasttext-wheel', 'scikit-learn', 'numpy'):
        try:
            parts.append(f'{pkg} {version(pkg)}')
        except PackageNotFoundError:
            pass
    return ', '.join(parts) + f', Python {platform.python_version()}'


# ---------------------------------------------------------------------------------------------------------

def main():
    if len(sys.argv) > 2 and sys.argv[1] == 'worker':
        return worker_main(sys.argv[2], sys.argv[3:])
    if not os.path.exists(CORPUS):
        sys.exit(f'{CORPUS} is absent')
    cfg = env_settings()
    unknown = set(cfg['tools']) - set(TOOL_NAMES)
    if unknown:
        sys.exit(f'SCALE_TOOLS: unknown {", ".join(sorted(unknown))} (known: {", ".join(TOOL_NAMES)})')
    cfg['load_at_start'] = load_average()
    started = time.perf_counter()
    data, models = os.path.join(cfg['workdir'], 'data'), os.path.join(cfg['workdir'], 'runs')
    os.makedirs(models, exist_ok=True)
    log = lambda msg: print(f'[{time.perf_counter() - started:7.1f} s] {msg}', file=sys.stderr, flush=True)
    if cfg['load_at_start'] > 0.5:
        log(f'warning: load average {cfg["load_at_start"]:.2f} before the start: other processes share the cores')
    log(f'preparing data in {data} (sizes {", ".join(cfg["sizes"])})')
    if cfg['order'] not in ORDERS:
        sys.exit(f'SCALE_ORDER={cfg["order"]}: one of {", ".join(ORDERS)}')
    counts = prepare(data, cfg['sizes'], cfg['order'])
    gold = read_texts(os.path.join(data, 'test.gold'))
    results = []
    for size in cfg['sizes']:
        for tool in cfg['tools']:
            r = {'tool': tool, 'size': size}
            results.append(r)
            if tool == 'sklearn' and counts[size] > cfg['sklearn_max']:
                r['skipped'] = ('not run: > 30 min (reference on this machine: 300 k sentences took 490 s '
                                'to train); set SCALE_SKLEARN_MAX to run it')
                log(f'{size_label(size)} {tool}: skipped')
                continue
            log(f'{size_label(size)} {tool}: training on {counts[size]:,} sentences')
            try:
                if tool == 'stance':
                    r.update(run_stance(cfg, data, models, size, counts['all']))
                else:
                    r.update(run_python_tool(tool, cfg, data, models, size, counts['all']))
            except Timeout as e:
                r['skipped'] = f'training stopped after {e}'
                log(f'{size_label(size)} {tool}: {r["skipped"]}')
                continue
            except RunFailed as e:
                r['skipped'] = f'failed: {e}'
                log(f'{size_label(size)} {tool}: {r["skipped"]}')
                continue
            r['scores'] = median_scores(gold, r.pop('preds'))
            log(f'{size_label(size)} {tool}: train {r["train"]["wall_s"]:.1f} s, {r["train"]["rss_gb"]:.2f} GB; '
                f'accuracy {r["scores"]["accuracy"]:.3f}, macro-F1 {r["scores"]["macro_f1_test_classes"]:.3f}; '
                f'classify {r["classify_sps"]:,.0f} sentences/s')
    md = table(results, counts, cfg, time.perf_counter() - started)
    out = cfg['out'] or default_out(cfg)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(md)
    for r in results:
        r.get('train', {}).pop('stderr', None)
    with open(os.path.splitext(out)[0] + '.json', 'w') as f:
        json.dump({'counts': counts, 'settings': cfg, 'results': results}, f, indent=1)
    print(md)
    log(f'table written to {os.path.relpath(out, ROOT)} (raw figures beside it, .json)')


def default_out(cfg):
    name = f'scale-{date.today():%Y%m%d}'
    if cfg['sizes'] != ['100000', 'full']:
        name += '-' + '-'.join(size_label(s) for s in cfg['sizes'])
    if cfg['tools'] != ['stance', 'vw', 'fasttext', 'sklearn']:
        name += '-' + '-'.join(cfg['tools'])
    if cfg['order'] != 'shuffle':
        name += '-' + cfg['order'] + '-order'
    return os.path.join(ROOT, 'bench', 'results', name + '.md')


if __name__ == '__main__':
    main()
