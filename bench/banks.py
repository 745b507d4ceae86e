"""Lint and sync at real size: a generated 10,000-question bank against a bare C-YAML parse.

Run alone: .venv/bin/python bench/banks.py [--questions 10000] [--repeat 3]
The benchmark command calls `main(argv)`, which prints its lines and returns the figures.

The bank is made from the real questions in questions/: each generated question copies a real
one of the same type (so all nine types appear, in the real banks' mix) and rewrites about a
third of the words of its prompt, front and explanation from the banks' own vocabulary, so the
prompts vary as a large bank's do while many still share names and phrases. One question in a
hundred nearly repeats an earlier prompt (one word changed): the near-duplicates the linter must
find. The files (1,000 questions each, as a real bank would be split under the 2 MB limit) sit
in a temporary folder beside copies of sources.yaml and events.yaml.

Each repetition times, back to back, a bare `yaml.load(CSafeLoader)` of the same files,
`questions lint`, a first `questions sync` into a freshly migrated SQLite database, a second
sync with nothing changed, and the bare parse again. Each ratio is the process CPU time of a
step over the mean bare parse of its own repetition (the machine is shared; wall time is
printed too); the figures are medians over `--repeat` repetitions.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from quiz import create_app  # noqa: E402

QUESTIONS = ROOT / "questions"
SHARED = ("sources.yaml", "events.yaml")
PER_FILE = 1000
REWRITTEN = 0.35  # the share of a text's longer words replaced from the vocabulary
NEAR_DUPLICATES = 0.01
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
GAP = re.compile(r"(\{\{.*?\}\})")


def real_questions() -> list[dict]:
    """Every question of the real banks, with its bank's era and tags written in."""
    found = []
    for path in sorted(QUESTIONS.glob("*.yaml")):
        if path.name in SHARED:
            continue
        bank = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for question in bank["questions"]:
            question = dict(question)
            question.setdefault("era", bank.get("era"))
            question["tags"] = list(dict.fromkeys([*question.get("tags", []),
                                                   *bank.get("tags", [])]))
            question.pop("replaces", None)
            found.append(question)
    return found


def _rewrite(text: str, vocabulary: list[str], rng: random.Random) -> str:
    # Gaps of a cloze are answers: only the words around them change.
    pieces = GAP.split(text)
    for index in range(0, len(pieces), 2):
        pieces[index] = WORD.sub(
            lambda m: rng.choice(vocabulary) if rng.random() < REWRITTEN else m.group(0),
            pieces[index])
    return "".join(pieces)


def generate(count: int, *, seed: int = 2026) -> list[dict]:
    """`count` valid questions made from the real ones (see the module docstring)."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable bank, not a secret
    templates = real_questions()
    vocabulary = sorted({word for q in templates for key in ("prompt", "explanation", "front")
                         for word in WORD.findall(str(q.get(key, "")))})
    questions: list[dict] = []
    with_prompt: list[int] = []
    for number in range(count):
        question = copy.deepcopy(templates[number % len(templates)])
        question["id"] = f"{question['id']}-{number}"
        for key in ("prompt", "front", "text", "explanation"):
            if key in question:
                question[key] = _rewrite(str(question[key]), vocabulary, rng)
        if "front" in question:
            # A front is often a name of a word or two: give each copy its own cue.
            question["front"] += f" ({rng.choice(vocabulary)} {rng.choice(vocabulary)})"
        if "prompt" in question and question["type"] != "ordering":
            if with_prompt and rng.random() < NEAR_DUPLICATES:
                words = questions[rng.choice(with_prompt)]["prompt"].split()
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
                question["prompt"] = " ".join(words)
            with_prompt.append(number)
        questions.append(question)
    rng.shuffle(questions)
    return questions


def write_banks(directory: Path, questions: list[dict]) -> list[Path]:
    """The questions as bank files of PER_FILE each, beside copies of the shared files."""
    for name in SHARED:
        shutil.copy(QUESTIONS / name, directory / name)
    paths = []
    for start in range(0, len(questions), PER_FILE):
        path = directory / f"generated-{start // PER_FILE + 1:02d}.yaml"
        bank = {"title": f"Generated bank {start // PER_FILE + 1}",
                "description": "Questions made from the real banks for the benchmark.",
                "questions": questions[start:start + PER_FILE]}
        path.write_text("# yaml-language-server: $schema=schema.json\n" + yaml.safe_dump(
            bank, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        paths.append(path)
    return [directory / name for name in SHARED] + paths


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds `action` takes."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    action()
    return time.process_time() - start_cpu, time.perf_counter() - start_wall


def bare_parse(paths: list[Path]) -> None:
    """What any tool must at least do: read and parse every file with libyaml."""
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def _app(directory: Path, database: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                       "QUESTIONS_DIR": str(directory), "SECRET_KEY": "bench",
                       "QUESTIONS_LIVE_RELOAD": False})


def _invoke(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.output


def main(argv: list[str] | None = None) -> dict:
    """Generate the bank, time lint and sync against a bare parse, print and return figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pivot-bench-banks-"))
    try:
        directory = work / "questions"
        directory.mkdir()
        paths = write_banks(directory, generate(args.questions, seed=args.seed))
        size = sum(path.stat().st_size for path in paths)
        print(f"banks: {args.questions:,} generated questions in {len(paths) - 2} files "
              f"({size / 1e6:.1f} MB) plus sources.yaml and events.yaml")

        lint_app = _app(directory, work / "lint.db")
        summary = _invoke(lint_app, "questions", "lint").splitlines()[-1]
        # Each repetition times the bare parse, lint and both syncs back to back, and each
        # ratio is taken within its repetition: a machine that slows down between phases
        # (other jobs, CPU frequency) then moves both sides of a ratio alike.
        runs: dict[str, list[tuple[float, float]]] = {
            "bare": [], "lint": [], "sync_first": [], "sync_unchanged": []}
        ratios: dict[str, list[float]] = {"lint": [], "sync_first": [], "sync_unchanged": []}
        for run in range(args.repeat):
            sync_app = _app(directory, work / f"sync-{run}.db")
            with sync_app.app_context():
                logging.disable(logging.INFO)  # Alembic's per-revision lines
                upgrade()
                logging.disable(logging.NOTSET)
            bare = timed(lambda: bare_parse(paths))
            measured = {
                "lint": timed(lambda: _invoke(lint_app, "questions", "lint")),
                "sync_first": timed(lambda a=sync_app: _invoke(a, "questions", "sync")),
                "sync_unchanged": timed(lambda a=sync_app: _invoke(a, "questions", "sync")),
            }
            bare = tuple((a + b) / 2 for a, b in zip(bare, timed(lambda: bare_parse(paths)),
                                                     strict=True))
            runs["bare"].append(bare)
            for name, seconds in measured.items():
                runs[name].append(seconds)
                ratios[name].append(seconds[0] / bare[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    median = {name: tuple(statistics.median(run[i] for run in found) for i in (0, 1))
              for name, found in runs.items()}
    figures = {
        "questions": args.questions,
        "files": len(paths),
        "megabytes": round(size / 1e6, 2),
        "lint_summary": summary,
        **{f"{name}_cpu_s": round(median[name][0], 3) for name in runs},
        **{f"{name}_ratio": round(statistics.median(found), 2)
           for name, found in ratios.items()},
    }
    print(f"lint: {summary}")
    print(f"CPU seconds and CPU ratio to the bare parse, medians of {args.repeat} repetitions:")
    bars = {"bare": None, "lint": 3, "sync_first": 5, "sync_unchanged": 1.5}
    labels = {"bare": "bare yaml.load(CSafeLoader)", "lint": "questions lint",
              "sync_first": "questions sync, first", "sync_unchanged": "questions sync, unchanged"}
    for name, bar in bars.items():
        cpu, wall = median[name]
        ratio = f"{figures[f'{name}_ratio']:6.2f}x (bar <= {bar}x)" if bar else "  1.00x"
        print(f"  {labels[name]:<28} {cpu:7.3f} s CPU {wall:7.3f} s wall  {ratio}")
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
