"""The report stage: typed results and their one loader (results.py), the JSON report
(json_report.py), the terminal summary (terminal.py), and fingerprints for live cookie values
(redact.py)."""
