"""The benchmark: seed a database, serve it, load it, print the numbers. Not a test.

    .venv/bin/python bench/run.py            # 1,000 learners, 1,000,000 reviews, both databases
    .venv/bin/python bench/run.py --quick    # smoke run: 50 learners, 20,000 reviews, 5 s phases

For each database (SQLite, then PostgreSQL):
1. migrate an empty database, sync the real banks and seed the learners (bench/seed.py);
2. start gunicorn with 2 sync workers (bench/wsgi.py: the app, a bare route doing one indexed
   SELECT, and per-request probes) and sign learners in through the /login form;
3. run wrk (bench/loop.lua, one thread and connection per learner) in phases of `--duration`
   seconds, interleaved and repeated `--repeat` times: the bare route, an empty signed-in page
   with the shared layout (the floor of every study page), the study loop (question, answer,
   feedback: the feedback carries the next question, as a browser shows it), the home page,
   the dashboard. Each phase reads the workers' CPU time from
   /proc, so CPU per request is the server's own;
4. run the loop again, paced at half the rate it reached, for its latency below saturation;
5. probe requests one at a time (the server counts each one's SQL statements and CPU), and the
   pages whose cost could grow with history (dashboard, a question's history, the CSV export
   and its memory) as the learner with the fewest reviews and as the one with the most.
Then bench/banks.py (lint and sync of a 10,000-question bank) if it is there, and one JSON line
with every figure, its ratios and the conditions of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import load  # noqa: E402
from bench.load import percentile  # noqa: E402
from bench.seed import PASSWORD, Seeded, Sizes, seed  # noqa: E402
from quiz import create_app  # noqa: E402
from quiz.config import database_url  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import MAX_NEW_PER_DAY, Card, Question, User  # noqa: E402

MODES = ("bare", "layout", "loop", "home", "dashboard")
DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/pivot_bench"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The run's options, with `--quick` choosing smaller defaults."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 50 learners, 20,000 reviews, 5 s phases, 1 repeat")
    parser.add_argument("--learners", type=int, help="learners to seed (default 1000)")
    parser.add_argument("--reviews", type=int, help="reviews in all (default 1,000,000)")
    parser.add_argument("--heavy", type=int,
                        help="reviews of the heaviest learner (default 100,000)")
    parser.add_argument("--db", default="sqlite,postgresql",
                        help="databases to run on, in order (default sqlite,postgresql)")
    parser.add_argument("--duration", type=float, help="seconds per phase (default 10)")
    parser.add_argument("--repeat", type=int, help="interleaved repetitions (default 3)")
    parser.add_argument("--clients", type=int, default=8,
                        help="concurrent signed-in learners (default 8)")
    parser.add_argument("--postgresql-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRESQL),
                        help="a database the benchmark may wipe (default pivot_bench on the "
                             "local server, or BENCH_DATABASE_URL)")
    parser.add_argument("--jobs", type=int, help="processes simulating histories (default: CPUs)")
    parser.add_argument("--no-banks", action="store_true", help="skip bench/banks.py")
    parser.add_argument("--seed-only", action="store_true",
                        help="seed each database, print how long it took, and stop")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (SQLite file, logs, wrk output)")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {"learners": 50 if quick else 1000, "reviews": 20_000 if quick else 1_000_000,
                "heavy": 2_000 if quick else 100_000, "duration": 5.0 if quick else 10.0,
                "repeat": 1 if quick else 3}
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.db = [name.strip() for name in args.db.split(",") if name.strip()]
    unknown = set(args.db) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database: {', '.join(sorted(unknown))}")
    try:
        Sizes(learners=args.learners, reviews=args.reviews, heavy=args.heavy)
    except ValueError as exc:
        parser.error(str(exc))
    if not 1 <= args.clients <= args.learners - 2:
        parser.error("--clients must be between 1 and the number of typical learners")
    return args


# --- The databases.

def _postgresql_url(raw: str) -> str:
    """`raw` made ready for SQLAlchemy, the database created if missing."""
    url = database_url(raw, "")
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": parsed.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as exc:
        sys.exit(f"PostgreSQL is unreachable at {raw} ({exc.__class__.__name__}): start it, "
                 "pass --postgresql-url, or run with --db sqlite")
    finally:
        admin.dispose()
    return url


def prepare(kind: str, args: argparse.Namespace, workdir: Path) -> str:
    """The URL of the database of `kind` (on PostgreSQL, created if missing)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'pivot_bench.db'}"
    return _postgresql_url(args.postgresql_url)


def seed_database(url: str, args: argparse.Namespace) -> tuple[Seeded, dict[str, Any]]:
    """Migrate, seed and describe the database: learners to sign in as, banks, questions."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        seeded = seed(Sizes(learners=args.learners, reviews=args.reviews, heavy=args.heavy),
                      now=datetime.now(UTC), processes=args.jobs)
        load_learners = seeded.typical(args.clients)
        # The learners under load may take up to 500 new questions a day, so however long the
        # run, their sessions always have something to ask.
        db.session.execute(update(User).where(User.id.in_([p.user_id for p in load_learners]))
                           .values(new_per_day=MAX_NEW_PER_DAY))
        db.session.commit()
        banks = list(db.session.scalars(
            db.select(Question.bank_id).where(Question.retired_at.is_(None))
            .group_by(Question.bank_id).order_by(func.count().desc(), Question.bank_id)))
        most_studied = {
            who: db.session.scalar(
                db.select(Card.question_id).where(Card.user_id == plan.user_id)
                .order_by(Card.answers.desc(), Card.question_id).limit(1))
            for who, plan in (("light", seeded.light), ("heavy", seeded.heavy))}
        db.session.remove()
        db.engine.dispose()
    return seeded, {"load": load_learners, "banks": banks, "questions": most_studied}


# --- Measuring one database.

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def _phase_line(phase: load.Phase) -> str:
    """One phase in a line: its rate, latency, the server's CPU per unit, and what else ran."""
    unit = "it" if phase.mode == "loop" else "req"
    if phase.mode == "loop":
        timing = phase.iterations.summary(phase.seconds)
    else:
        timing = load.Timing(phase.requests, [v for t in phase.kinds.values()
                                              for v in t.latencies_ms]).summary(phase.seconds)
    failed = sum(t.failed for t in phase.kinds.values())
    line = (f"{phase.mode:<10}{phase.rate:7.1f} {unit}/s  p50 {_ms(timing['p50_ms']):>9}  "
            f"p99 {_ms(timing['p99_ms']):>9}  server CPU {_ms(phase.cpu_ms_per_unit):>9}/{unit}"
            f"  wrk {phase.client_cpu_s / phase.seconds:.2f} cores, others "
            f"{phase.other_busy_cores:.2f}")
    if failed:
        line += f"  {failed} FAILED (see the gunicorn log)"
    return line + (f"  {phase.events}" if phase.events else "")


def _spread(values: list[float]) -> dict[str, float] | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _page(phases: list[load.Phase], kind: str) -> dict[str, Any]:
    """A page's rate and latency over the repeated phases (medians), from the loop or its own
    phase."""
    rows = [phase.kinds.get(kind, load.Timing()).summary(phase.seconds) for phase in phases]
    return {key: statistics.median([r[key] for r in rows if r[key] is not None] or [0])
            for key in ("rps", "p50_ms", "p99_ms")} | {
        "failed": sum(r["failed"] for r in rows)}


def measure(kind: str, url: str, seeded: Seeded, described: dict[str, Any],
            args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Serve the seeded database and measure it; print as it goes, return the figures."""
    probes = workdir / f"probes-{kind}"
    server = load.Server(url, log=workdir / f"gunicorn-{kind}.log", probes=probes)
    try:
        learners = [load.Learner(server, plan.user_id, plan.email, PASSWORD)
                    for plan in described["load"]]
        extremes = {who: load.Learner(server, plan.user_id, plan.email, PASSWORD)
                    for who, plan in (("light", seeded.light), ("heavy", seeded.heavy))}
        banks = described["banks"]

        def phase(mode: str, seconds: float, **options: Any) -> load.Phase:
            return load.run_wrk(server, learners, mode=mode, seconds=seconds, banks=banks,
                                workdir=workdir, **options)

        # Warm up: imports, templates, caches, and each learner's first session.
        phase("loop", 2)
        phase("bare", 1)
        runs: dict[str, list[load.Phase]] = {mode: [] for mode in MODES}
        for repetition in range(args.repeat):
            for mode in MODES:
                result = phase(mode, args.duration)
                runs[mode].append(result)
                print(f"  [{repetition + 1}/{args.repeat}] {_phase_line(result)}", flush=True)
        saturated = statistics.median(p.rate for p in runs["loop"])
        # Long enough for some 200 iterations, so the p99 is not just the slowest one (up to
        # a minute when the loop is slow).
        paced = phase("loop", min(60.0, max(args.duration, 400 / saturated)), rate=saturated / 2)
        print(f"  paced at {saturated / 2:.1f} it/s: {_phase_line(paced)}", flush=True)
        statements = _probe_statements(server, learners, banks, workdir, probes)
        history = _probe_history(server, extremes, described["questions"], probes)
    finally:
        server.stop()
    return _figures(runs, paced, statements, history, seeded)


def _probe_statements(server: load.Server, learners: list[load.Learner], banks: list[str],
                      workdir: Path, probes: Path) -> dict[str, Any]:
    """SQL statements and CPU per request, one request at a time (the server counts them)."""
    loop = load.run_wrk(server, learners[:1], mode="loop", seconds=3, banks=banks,
                        workdir=workdir, probe="loop")
    found = load.read_probes(probes, "loop")
    learner = learners[0]
    for index in range(5):
        for kind, path in (("bare", f"/_bench/bare?id={learner.user_id}"),
                           ("layout", "/_bench/layout"), ("home", "/"),
                           ("dashboard", "/dashboard")):
            learner.get(path, probe=f"page-{kind}-{index}")
    found |= load.read_probes(probes, "page")
    result: dict[str, Any] = {
        kind: {"statements": load.median_of(rows, "statements"),
               "statements_max": max(row["statements"] for row in rows),
               "cpu_ms": load.median_of(rows, "cpu_ms"), "probes": len(rows)}
        for kind, rows in sorted(found.items())}
    loop_rows = [row for kind in LOOP_KINDS for row in found.get(kind, [])]
    if loop.iterations.count:
        result["loop"] = {
            "statements": sum(row["statements"] for row in loop_rows) / loop.iterations.count,
            "cpu_ms": sum(row["cpu_ms"] for row in loop_rows) / loop.iterations.count,
            "probes": loop.iterations.count}
    return result


# The requests of one study-loop iteration: the answer, whose feedback carries the next
# question, and a flashcard's flip; a session's first question is a page of its own.
LOOP_KINDS = ("question", "flip", "answer", "feedback")
# The export last: `_probe_history` measures it after the pages (it chills the caches).
HISTORY_PAGES = (("dashboard", "/dashboard"), ("question", "/questions/{question}"),
                 ("csv", "/account/reviews.csv"))


def _probe_history(server: load.Server, extremes: dict[str, load.Learner],
                   questions: dict[str, str], probes: Path, repeat: int = 9) -> dict[str, Any]:
    """The pages whose cost could follow a learner's history, as the lightest and the
    heaviest learner: CPU and statements per request (medians), and the CSV export's peak
    memory."""
    result: dict[str, Any] = {}
    # Unmeasured first: templates and statements compile on a worker's first request for
    # them, and either worker may take any request, so each page is asked for four times
    # rather than two; the median of nine probes absorbs a cold one that still slips in.
    for who, learner in extremes.items():
        for _kind, path in HISTORY_PAGES * 4:
            learner.get(path.format(question=questions[who]))
    # The learners take turns, page by page: this machine's speed drifts by a third within
    # minutes, and one learner probed after the other read the drift as a ratio between them.
    # The exports come after the pages: the heavy learner's reads 100,000 answers, which
    # leaves the worker's caches (SQLite's pages among them) cold for the next request. In
    # the same rounds, the light learner's dashboard came next and paid for it: 1.2 ms
    # more, which read as a ratio of 2.07x where the pages alone give 2.51x.
    for pages in (HISTORY_PAGES[:-1], HISTORY_PAGES[-1:]):
        for index in range(repeat):
            for kind, path in pages:
                for who, learner in extremes.items():
                    reply = learner.get(path.format(question=questions[who]),
                                        probe=f"{who}-{kind}-{index}")
                    if reply.status != 200:
                        raise RuntimeError(
                            f"{path} answered {reply.status} for the {who} learner")
    for who, learner in extremes.items():
        learner.get("/account/reviews.csv", probe=f"{who}-csvmemory-0-memory")
        found = load.read_probes(probes, who)
        result[who] = {kind: {"cpu_ms": load.median_of(found[kind], "cpu_ms"),
                              "wall_ms": load.median_of(found[kind], "wall_ms"),
                              "statements": load.median_of(found[kind], "statements"),
                              "bytes": load.median_of(found[kind], "bytes")}
                       for kind, _path in HISTORY_PAGES}
        memory = found["csvmemory"][0]
        result[who]["csv"] |= {"python_peak_kib": memory.get("python_peak_kib"),
                               "rss_growth_kib": memory.get("rss_growth_kib")}
    return result


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def _figures(runs: dict[str, list[load.Phase]], paced: load.Phase, statements: dict[str, Any],
             history: dict[str, Any], seeded: Seeded) -> dict[str, Any]:
    """Every figure of one database, with the issue's ratios; repeated phases give medians
    (and the range, for the ratios), each ratio taken within one repetition."""
    pairs = list(zip(runs["bare"], runs["loop"], runs["dashboard"], strict=True))
    pages = {"bare": _page(runs["bare"], "bare"), "layout": _page(runs["layout"], "layout"),
             "home": _page(runs["home"], "home"),
             "question": _page(runs["loop"], "question"), "flip": _page(runs["loop"], "flip"),
             "answer": _page(runs["loop"], "answer"),
             "feedback": _page(runs["loop"], "feedback"),
             "dashboard": _page(runs["dashboard"], "dashboard")}
    loops = [phase.iterations.summary(phase.seconds) for phase in runs["loop"]]
    pages["loop"] = {key: statistics.median([r[key] or 0 for r in loops])
                     for key in ("rps", "p50_ms", "p99_ms")}
    for kind in ("bare", "layout", "home", "dashboard", "loop"):
        pages[kind]["cpu_ms"] = statistics.median(
            [p.cpu_ms_per_unit for p in runs[kind] if p.cpu_ms_per_unit is not None] or [0])
    for kind, measured in statements.items():
        if kind in pages:
            pages[kind] |= {"statements": measured["statements"],
                            "alone_cpu_ms": measured["cpu_ms"]}
    heavy, light = history["heavy"], history["light"]
    return {
        "seed": {"seconds": seeded.phases["total"], "phases": seeded.phases,
                 "learners": len(seeded.plans), "reviews": seeded.reviews,
                 "cards": seeded.cards, "sessions": seeded.sessions},
        "pages": pages,
        "ratios": {
            "loop_per_bare": _spread([loop.rate / bare.rate for bare, loop, _ in pairs]),
            "cpu_loop_per_bare": _spread([_ratio(loop.cpu_ms_per_unit, bare.cpu_ms_per_unit)
                                          for bare, loop, _ in pairs]),
            # An iteration is at least one page (the answer's feedback, which carries the
            # next question), itself at least the layout: this is the least the loop's CPU
            # ratio could be on this stack.
            "cpu_layout_per_bare": _spread([
                _ratio(layout.cpu_ms_per_unit, bare.cpu_ms_per_unit)
                for bare, layout in zip(runs["bare"], runs["layout"], strict=True)]),
            "cpu_dashboard_per_bare": _spread([
                _ratio(dash.cpu_ms_per_unit, bare.cpu_ms_per_unit) for bare, _, dash in pairs]),
            "dashboard_cpu_heavy_per_light": _ratio(heavy["dashboard"]["cpu_ms"],
                                                    light["dashboard"]["cpu_ms"]),
            "question_cpu_heavy_per_light": _ratio(heavy["question"]["cpu_ms"],
                                                   light["question"]["cpu_ms"]),
            "csv_cpu_heavy_per_light": _ratio(heavy["csv"]["cpu_ms"], light["csv"]["cpu_ms"]),
        },
        "paced": {"target_rps": statistics.median(p.rate for p in runs["loop"]) / 2,
                  "achieved_rps": paced.rate,
                  "p50_ms": percentile(paced.iterations.latencies_ms, 0.5),
                  "p99_ms": percentile(paced.iterations.latencies_ms, 0.99)},
        "statements": statements,
        "phases": [{"mode": p.mode, "rate": p.rate, "cpu_ms": p.cpu_ms_per_unit,
                    "wrk_cores": p.client_cpu_s / p.seconds, "other_cores": p.other_busy_cores}
                   for p in [*(p for group in zip(*runs.values(), strict=True) for p in group),
                             paced]],
        "history": {"light": {"reviews": seeded.light.reviews, **light},
                    "heavy": {"reviews": seeded.heavy.reviews, **heavy}},
        "other_load_cores": statistics.median(
            p.other_busy_cores for phases in runs.values() for p in phases),
        "failed": sum(t.failed for phases in runs.values() for p in phases
                      for t in p.kinds.values()),
    }


# --- Reporting.

def _show(kind: str, figures: dict[str, Any]) -> None:
    """The figures of one database, readable."""
    seeded = figures["seed"]
    print(f"\n{kind}: {seeded['learners']} learners, {seeded['reviews']:,} reviews")
    # CPU under load comes from the workers' /proc times over a phase; CPU alone from probes,
    # one request at a time (the loop's pages only have the latter on their own).
    print(f"  {'page':<10}{'req/s':>8}{'p50':>11}{'p99':>11}{'CPU/req':>11}{'CPU alone':>11}"
          f"{'SQL/req':>9}")
    for name, page in figures["pages"].items():
        statements = page.get("statements")
        print(f"  {name:<10}{page['rps'] or 0:8.1f}{_ms(page['p50_ms']):>11}"
              f"{_ms(page['p99_ms']):>11}{_ms(page.get('cpu_ms')):>11}"
              f"{_ms(page.get('alone_cpu_ms')):>11}"
              f"{'-' if statements is None else f'{statements:.1f}':>9}")
    ratios = figures["ratios"]

    def spread(name: str) -> str:
        value = ratios[name]
        return "-" if value is None else (f"{value['median']:.3f} "
                                          f"[{value['min']:.3f}-{value['max']:.3f}]")

    print(f"  loop iterations/s / bare requests/s     {spread('loop_per_bare')}")
    print(f"  server CPU per iteration / per bare     {spread('cpu_loop_per_bare')}")
    print(f"  empty signed-in page CPU / bare CPU     {spread('cpu_layout_per_bare')}"
          " (an iteration, at least one page, costs at least this)")
    print(f"  dashboard CPU / bare CPU (typical)      {spread('cpu_dashboard_per_bare')}")
    paced = figures["paced"]
    print(f"  loop paced at {paced['target_rps']:.1f} it/s (half saturation): "
          f"p50 {_ms(paced['p50_ms'])}, p99 {_ms(paced['p99_ms'])}")
    history = figures["history"]
    for name, label in (("dashboard", "dashboard"), ("question", "question history"),
                        ("csv", "CSV export")):
        light, heavy = history["light"][name], history["heavy"][name]
        ratio = _ratio(heavy["cpu_ms"], light["cpu_ms"])
        print(f"  {label:<17} CPU {history['light']['reviews']:,} reviews {_ms(light['cpu_ms'])}"
              f", {history['heavy']['reviews']:,} reviews {_ms(heavy['cpu_ms'])}: "
              f"{'-' if ratio is None else f'{ratio:.1f}x'}")
    csv = history["heavy"]["csv"]
    print(f"  CSV export of {history['heavy']['reviews']:,} reviews: {csv['bytes'] / 1e6:.1f} MB,"
          f" Python heap peak {csv['python_peak_kib'] / 1024:.1f} MiB, resident growth "
          f"{(csv['rss_growth_kib'] or 0) / 1024:.1f} MiB")
    print(f"  seeding took {seeded['seconds']:.1f} s; other processes kept "
          f"{figures['other_load_cores']:.2f} cores busy during the phases (median)")


def run_banks(args: argparse.Namespace) -> dict[str, Any] | None:
    """bench/banks.py's figures (lint and sync of a generated bank), if it is there."""
    if args.no_banks or not (ROOT / "bench" / "banks.py").exists():
        return None
    from bench import banks

    argv = ["--repeat", str(args.repeat)] + (["--questions", "1000"] if args.quick else [])
    print(f"\nbanks: bench/banks.py {' '.join(argv)}", flush=True)
    try:
        return banks.main(argv)
    except (Exception, SystemExit) as exc:
        print(f"  bench/banks.py failed: {exc!r}")
        return {"error": repr(exc)}


def conditions(args: argparse.Namespace) -> dict[str, Any]:
    """What the numbers depend on besides the code."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    return {"started": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit,
            "cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "python": platform.python_version(), "learners": args.learners,
            "reviews": args.reviews, "heavy": args.heavy, "clients": args.clients,
            "duration_s": args.duration, "repeat": args.repeat, "databases": args.db,
            "server": "gunicorn, 2 sync workers", "client": "wrk + bench/loop.lua"}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the whole benchmark; print readable lines and a final one-line JSON summary."""
    args = parse_args(argv)
    load.require_wrk()
    summary: dict[str, Any] = {"conditions": conditions(args)}
    workdir = Path(tempfile.mkdtemp(prefix="pivot-bench-"))
    try:
        # Every database is reachable before any is seeded.
        urls = {kind: prepare(kind, args, workdir) for kind in args.db}
        for kind, url in urls.items():
            print(f"{kind}: seeding {args.learners:,} learners, {args.reviews:,} reviews ...",
                  flush=True)
            started = time.perf_counter()
            seeded, described = seed_database(url, args)
            print(f"  seeded in {time.perf_counter() - started:.1f} s "
                  + ", ".join(f"{name} {seconds:.1f} s"
                              for name, seconds in seeded.phases.items()), flush=True)
            if args.seed_only:
                summary[kind] = {"seed": {"seconds": seeded.phases["total"],
                                          "phases": seeded.phases}}
                continue
            summary[kind] = measure(kind, url, seeded, described, args, workdir)
            _show(kind, summary[kind])
        banks = None if args.seed_only else run_banks(args)
        if banks is not None:
            summary["banks"] = banks
    finally:
        summary["conditions"]["load_average_after"] = os.getloadavg()
        if args.keep:
            print(f"\nwork folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(summary, separators=(",", ":"), default=str))
    return summary


if __name__ == "__main__":
    main()
