"""Coverage articles at scale (issue 16): import time and peak RSS, and the rules-only bench with and without.

``python -m bench.coverage`` (from the repository root):

1. generates a made-up CMS "Current Articles" download (``current_article.zip`` holding
   ``current_article_csv.zip``) of 3,000 articles and 1,000,000 covered-code rows under
   ``bench/out/coverage/`` (kept between runs), streamed in constant memory;
2. imports it with ``scrubber policies import`` in a child process: wall time and peak RSS (wait4);
3. runs the rules-only check (``scrubber check --no-structure --format json``) on the bench claims
   file, alternating without and with the import loaded (``--repeat`` times each, in the same run),
   and reports the median claims/s of each and the slowdown, by wall time and by CPU time (a
   shared machine's load moves wall time a lot). A third mode loads the import and does every
   lookup but makes no article finding, which separates what the lookups cost from what
   reporting their findings costs.

The download is invented: made-up ids, titles, paragraphs and ICD-10-shaped codes; procedure codes
are bare numbers. So that the check exercises the lookups the way real data would, a few of the
procedures the bench claims bill (labs, ECG, an injection) are listed by a handful of articles whose
covered lists hold some of the claims' diagnoses and miss others; office visits and venipuncture are
listed by none (LCD articles rarely list E/M codes). About 10% of articles carry an older, ended
version, 5% a retired (status R) version, 10% a non-covered group; 3% of covered codes have an
asterisk, and a fifth of the groups name the procedures they apply to.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.files import ensure_file
from scrubber.refdata.coverage.synthetic import MadeUpArticle, write_download
from scrubber.synthetic import COMMON_DIAGNOSES

OUT = Path(__file__).parent / "out"
ARTICLES = 3_000
COVERED_ROWS = 1_000_000
SEED = 16
LISTED_PROCEDURES = ("85025", "80053", "93000", "81002", "J1100")  # billed by the bench claims
ARTICLES_PER_LISTED = 4
NONCOVERED_COMMON = ("Z00.00", "Z23")  # encounter codes the listing articles name as non-covered
LOOKUPS_ONLY = "--bench-lookups-only"


def _icd_pool(rng: random.Random, size: int = 60_000) -> list[str]:
    """ICD-10-CM-shaped made-up codes (letter, two digits, dot, one to three characters)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".replace("U", "")
    pool = set()
    while len(pool) < size:
        tail = "".join(rng.choice("0123456789X") for _ in range(rng.randint(1, 3)))
        pool.add(f"{rng.choice(letters)}{rng.randint(0, 99):02d}.{tail}")
    return sorted(pool)


def _procedure_pool(rng: random.Random, size: int = 8_000) -> list[str]:
    numbers = {f"{rng.randint(10000, 99999)}" for _ in range(size)}
    numbers |= {f"{rng.choice('AEGJKL')}{rng.randint(0, 9999):04d}" for _ in range(size // 4)}
    return sorted(numbers - set(LISTED_PROCEDURES))


def _row_counts(rng: random.Random, versions: int, total: int) -> list[int]:
    """Covered-code rows per article version, varied, summing to exactly ``total``."""
    weights = [rng.uniform(0.1, 2.0) for _ in range(versions)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    counts[-1] += total - sum(counts)
    return counts


def made_up_articles(articles: int = ARTICLES, covered_rows: int = COVERED_ROWS, seed: int = SEED) -> Iterator:
    """The article versions of the download, produced lazily."""
    rng = random.Random(seed)
    icd, procedures = _icd_pool(rng), _procedure_pool(rng)
    plan: list[tuple[int, int, str]] = []  # (article id, version, kind: current / ended / retired)
    for index in range(articles):
        article_id = 50001 + index
        if rng.random() < 0.10:
            plan.append((article_id, 1, "ended"))
        if rng.random() < 0.05:
            plan.append((article_id, 2, "retired"))
        plan.append((article_id, 3, "current"))
    listed = {pid: rng.sample(range(articles), ARTICLES_PER_LISTED) for pid in LISTED_PROCEDURES}
    counts = _row_counts(rng, len(plan), covered_rows)
    for (article_id, version, kind), count in zip(plan, counts, strict=True):
        index = article_id - 50001
        groups = rng.randint(1, 3)
        codes = rng.sample(procedures, rng.randint(2, 40))
        hcpcs = {g: codes[g - 1 :: groups] or codes[:1] for g in range(1, groups + 1)}
        common = [p for p, chosen in listed.items() if index in chosen and kind == "current"]
        if common:
            hcpcs[1] = [*hcpcs[1], *common]
        covered: dict[int, list[str]] = {g: [] for g in range(1, groups + 1)}
        for code in rng.sample(icd, min(count, len(icd))):
            covered[rng.randint(1, groups)].append(code + ("*" if rng.random() < 0.03 else ""))
        if common:  # some of the claims' diagnoses supported, others not (row count unchanged)
            covered[groups] = covered[groups][8:]
            covered[1] += rng.sample([d for d in COMMON_DIAGNOSES if d not in NONCOVERED_COMMON], 8)
        paragraphs = {
            g: f"<p>Group {g} Paragraph:</p>\r\n<p>Made-up covered indications for "
            + (f"codes {' '.join(hcpcs[g][:3])}</p>" if rng.random() < 0.2 else "the listed services</p>")
            for g in covered
        }
        noncovered = {1: rng.sample(icd, rng.randint(5, 50))} if rng.random() < 0.10 or common else {}
        if common:
            noncovered[1] = [*noncovered[1], *NONCOVERED_COMMON]
        yield MadeUpArticle(
            article_id=article_id,
            version=version,
            title=f'Billing and Coding: Made-Up Service {article_id}, "Group" {index % 97}',
            status="R" if kind == "retired" else "A",
            effective="2019-10-01" if kind == "ended" else "2023-07-01",
            end="2023-06-30" if kind == "ended" else "",
            lcd=str(30000 + index),
            procedures=hcpcs,
            covered=covered,
            covered_paragraphs=paragraphs,
            asterisk_notes={g: "<p>*Dual diagnosis: made-up secondary code required</p>" for g in covered},
            noncovered=noncovered,
        )


def ensure_download(directory: Path, articles: int, covered_rows: int) -> Path:
    """The generated download, written once (streamed) and reused."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"current_article-{articles}-{covered_rows}.zip"
    if not path.exists():
        partial = path.with_suffix(".part")
        write_download(made_up_articles(articles, covered_rows), partial)
        partial.replace(path)
    return path


def measure_import(download: Path, database: Path) -> dict[str, float]:
    """`scrubber policies import` in a child process: wall seconds and peak RSS (MiB)."""
    command = [sys.executable, "-m", "scrubber", "--log-level", "error", "policies", "import", str(download)]
    started = time.perf_counter()
    child = subprocess.Popen([*command, "--database", str(database)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import failed:\n{output}")
    print(output.rstrip(), file=sys.stderr)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "bytes": download.stat().st_size,
    }


def child(path: str, options: list[str]) -> None:
    """In a child process: one rules-only check through the CLI; prints claims, wall and CPU seconds.

    CPU seconds are reported besides wall seconds because a shared machine's load moves wall
    time by tens of percent between runs; the CPU time of the check moves far less.
    """
    # imports are start-up, not per-claim work: done before the clock starts
    import scrubber.cli.app
    import scrubber.workflows.check
    from bench.child import scrubber_check

    if LOOKUPS_ONLY in options:  # the lookups without the findings they lead to (for the split)
        import scrubber.rules.pairing

        options = [o for o in options if o != LOOKUPS_ONLY]
        scrubber.rules.pairing.article_findings = lambda *args, **kwargs: iter(())  # type: ignore[assignment]
    started, cpu = time.perf_counter(), time.process_time()
    claims = scrubber_check(path, options)
    print(json.dumps({"claims": claims, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}))


def measure_check(path: Path, options: tuple[str, ...]) -> dict[str, float]:
    """A rules-only check in a child process: claims/s by wall time and by CPU time, peak RSS."""
    command = [sys.executable, "-m", "bench.coverage", "--child", str(path), *options]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    assert run.stdout is not None
    output = run.stdout.read().decode()
    _, status, usage = os.wait4(run.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"check failed: {command}")
    result = json.loads(output.strip().splitlines()[-1])
    return {
        "claims": result["claims"],
        "claims_per_second": round(result["claims"] / result["seconds"], 1),
        "claims_per_cpu_second": round(result["claims"] / result["cpu"], 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.coverage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--covered-rows", type=int, default=COVERED_ROWS)
    parser.add_argument("--claims", type=int, default=10_000, help="claims in the generated bench file")
    parser.add_argument("--claims-file", type=Path, help="check this 837P file instead (e.g. claims-100000.837)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode, alternated")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2:])
        return
    args = parse_args(argv)
    download = ensure_download(OUT / "coverage", args.articles, args.covered_rows)
    claims_path = args.claims_file or ensure_file(OUT / "files", args.claims).path
    with tempfile.TemporaryDirectory(prefix="bench-coverage-") as scratch:
        home = Path(scratch)
        os.environ["XDG_DATA_HOME"] = str(home / "data")  # no user NCCI or coverage store in either mode
        os.environ["XDG_CONFIG_HOME"] = str(home / "config")
        database = home / "coverage.sqlite3"
        imported = measure_import(download, database)
        without, with_ = home / "without.toml", home / "with.toml"
        without.write_text("[policies]\ndefault_pack = true\n")
        with_.write_text(f'[policies]\ndefault_pack = true\ncoverage_database = "{database}"\n')
        modes = {
            "without the import": ("--no-structure", "--config", str(without)),
            "with the import": ("--no-structure", "--config", str(with_)),
            # the import loaded and looked up, its findings not made: what the lookups alone cost
            "with the import, lookups only": ("--no-structure", "--config", str(with_), LOOKUPS_ONLY),
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in modes}
        names = list(modes)
        for repetition in range(args.repeat):  # interleaved, the order rotated, so that a change in the
            shift = repetition % len(names)  # machine's load hits every mode alike
            for name in names[shift:] + names[:shift]:
                options = modes[name]
                result = measure_check(claims_path, options)
                runs[name].append(result)
                print(
                    f"... rules-only, {name}: {result['claims_per_second']:,.0f} claims/s, "
                    f"{result['claims_per_cpu_second']:,.0f} per CPU second",
                    file=sys.stderr,
                    flush=True,
                )
    claims = runs["with the import"][0]["claims"]
    median = {
        name: {
            key: statistics.median(r[key] for r in results) for key in ("claims_per_second", "claims_per_cpu_second")
        }
        for name, results in runs.items()
    }
    slowdown = {
        name: {key: round(100 * (median["without the import"][key] / median[name][key] - 1), 1) for key in median[name]}
        for name in median
        if name != "without the import"
    }
    document = {
        "schema": "scrubber.bench.coverage/1",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "download": {"articles": args.articles, "covered_rows": args.covered_rows, "zip_bytes": imported["bytes"]},
        "import": imported,
        "claims_file": {"path": str(claims_path), "claims": claims},
        "runs": runs,
        "median": median,
        "slowdown_percent": slowdown,
    }
    (OUT / "coverage-latest.json").write_text(json.dumps(document, indent=2) + "\n")
    print(
        f"import of {args.articles:,} articles / {args.covered_rows:,} covered rows "
        f"({imported['bytes'] / 1e6:.1f} MB zip): {imported['seconds']:.1f} s, peak RSS {imported['peak_rss_mb']} MiB"
    )
    for key, label in (("claims_per_second", "claims/s (wall)"), ("claims_per_cpu_second", "claims per CPU second")):
        print(
            f"rules-only check of {claims:,} claims, median of {args.repeat}, {label}: "
            f"{median['without the import'][key]:,.0f} without, {median['with the import'][key]:,.0f} with the import "
            f"loaded ({slowdown['with the import'][key]:+.1f}% time; lookups alone "
            f"{slowdown['with the import, lookups only'][key]:+.1f}%)"
        )


if __name__ == "__main__":
    main()
