"""reports/conformance.json: the whole run as a Report (results.py), written once at the end."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from .results import Report


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def write(path: Path, report: Report) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2, default=str))


def write_data(path: Path, data: dict) -> None:
    """Any other JSON the run writes beside its reports (the comparison across versions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str))
