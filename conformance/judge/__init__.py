"""The verdict stage: how a check is declared (check.py), whether it applies to a target
(applicability.py, the one place that decides), graded verdicts (verdict.py), the limitations
Django documents (caveats.py), known Django defects by version (expectations.py) and doc links for
the site's own Django version (docs.py)."""
