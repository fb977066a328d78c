"""The whole reference matrix, as `make conformance` runs it: it passes, writes the report every
reader loads, and gives the same verdict for every (check, profile, browser) as the verdicts kept
in conformance/tests/data/reference-verdicts.json (the five expiry families' as they were before
the package restructure of issue 8). A change to a check, a profile or the pinned Django that moves
a verdict must update that file on purpose."""

import json
import subprocess
import sys
from pathlib import Path

from conformance.report.results import load

REPO = Path(__file__).resolve().parents[2]
KEPT = REPO / "conformance" / "tests" / "data" / "reference-verdicts.json"
REPORT = REPO / "reports" / "conformance.json"  # where `make conformance` writes it, for a look afterwards


def test_reference_matrix_gives_the_kept_verdicts():
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance/checks",
                           f"--conformance-report={REPORT}"], cwd=REPO, capture_output=True, text=True)
    summary = done.stdout[done.stdout.rfind("session conformance"):]
    assert done.returncode == 0, summary or done.stdout[-3000:] + done.stderr[-2000:]
    report = load(REPORT)
    kept = json.loads(KEPT.read_text())
    got = {r.key.label(): "fail (known)" if r.graded == "known" else r.verdict for r in report.results}
    changed = {k: (kept["verdicts"].get(k), got.get(k)) for k in kept["verdicts"].keys() | got.keys()
               if kept["verdicts"].get(k) != got.get(k)}
    assert not changed, (f"verdicts that moved (kept on Django {kept['django']}, now on {report.django}): "
                         + json.dumps(changed, indent=1) + "\n" + summary)
