"""`tandem match_csv`: link or deduplicate people files offline, with no database.

    tandem match_csv --existing A.csv [--incoming B.csv] --out links.csv
                     [--threshold P] [--model model.json] [--save-model out.json]

The file formats are described in tandem/matching/core/csv_io.py. With --existing alone,
both id columns of the output name records of that file, the earlier row first. Bad input
changes nothing: every problem is reported with its row, and no output file is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.matching.core import (
    CsvError,
    MatchModel,
    MatchRecord,
    link,
    read_people_csv,
    write_links_csv,
)


class Command(BaseCommand):
    help = (
        "Link the people of --incoming to those of --existing (or, without --incoming, find "
        "duplicates within --existing) and write the scored pairs to --out. Weights are "
        "estimated from the files unless --model gives a trained model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--existing", required=True, help="people already known (CSV)")
        parser.add_argument("--incoming", help="people to link to them (CSV)")
        parser.add_argument("--out", required=True, help="where to write the links (CSV)")
        parser.add_argument(
            "--threshold",
            type=float,
            help="lowest probability worth a review (between 0 and 1; default: the model's)",
        )
        parser.add_argument("--model", help="a trained model (JSON) instead of estimating one")
        parser.add_argument(
            "--site",
            help="use this site's trained model (by slug) instead of estimating one; needs the "
            "database",
        )
        parser.add_argument("--save-model", help="also write the model used (JSON) here")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold: float | None = options["threshold"]
        if threshold is not None and not 0.0 < threshold < 1.0:
            raise CommandError(f"--threshold must lie between 0 and 1 (exclusive), not {threshold}")
        out = Path(options["out"])
        save_model = Path(options["save_model"]) if options["save_model"] else None
        for target in (out, save_model):
            if target is not None and not target.parent.is_dir():
                raise CommandError(f"cannot write {target}: folder {target.parent} does not exist")

        problems: list[str] = []
        existing = _read(options["existing"], "--existing", problems)
        incoming = (
            _read(options["incoming"], "--incoming", problems) if options["incoming"] else None
        )
        if options["model"] and options["site"]:
            raise CommandError("give --model or --site, not both")
        model = _load_model(options["model"], problems) if options["model"] else None
        if options["site"]:
            model = _site_model(options["site"], problems)
        if problems:
            raise CommandError("\n".join(["nothing was written:", *problems]))
        assert existing is not None

        result = link(existing, incoming, model=model, review_at=threshold)

        # Both files are written in full beside their targets first and renamed into place
        # only then, so that a failure leaves no partial or empty output behind.
        staged: list[tuple[Path, Path]] = []
        try:
            staged.append((_stage(out, lambda f: write_links_csv(result.pairs, f)), out))
            if save_model is not None:
                document = json.dumps(result.model.to_dict(), indent=2) + "\n"
                staged.append((_stage(save_model, lambda f: f.write(document)), save_model))
            for temporary, target in staged:
                os.replace(temporary, target)
        except OSError as exc:
            raise CommandError(f"nothing was written: {exc}") from exc
        finally:
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
        links = sum(1 for pair in result.pairs if pair.band == "link")
        reviews = sum(1 for pair in result.pairs if pair.band == "review")
        note = ""
        if model is None and result.model.training.get("method") == "default":
            note = " (hand-set weights: too few pairs to estimate them from the files)"
        self.stdout.write(
            f"{result.candidates} candidate pairs compared: {links} links, {reviews} to review; "
            f"written to {out}{note}"
        )


def _read(path: str, label: str, problems: list[str]) -> list[MatchRecord] | None:
    try:
        return read_people_csv(path, label=f"{label} {path}")
    except CsvError as exc:
        problems.extend(exc.problems)
        return None


def _site_model(slug: str, problems: list[str]) -> MatchModel | None:
    """The site's newest trained model (the built-in one if it has never been trained)."""
    from tandem.matching.services import site_model
    from tandem.tenancy.models import Site

    site = Site.objects.filter(slug=slug).first()
    if site is None:
        problems.append(f"--site {slug}: no site has this slug")
        return None
    return site_model(site.pk)


def _load_model(path: str, problems: list[str]) -> MatchModel | None:
    try:
        with open(path, encoding="utf-8") as file:
            return MatchModel.from_dict(json.load(file))
    except OSError as exc:
        problems.append(f"--model {path}: cannot read the file ({exc.strerror or exc})")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"--model {path}: not a JSON document ({exc})")
    except ValueError as exc:
        problems.append(f"--model {path}: {exc}")
    return None


def _stage(path: Path, write: Callable[[IO[str]], object]) -> Path:
    """Write a temporary file in the folder of `path` (so that renaming it is atomic) and
    return its path; it is removed again if writing fails."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            write(file)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
