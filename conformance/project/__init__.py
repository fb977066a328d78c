"""Project mode: a team's own Django project judged without a staging server (site.py), inside
its own Python, with the probe added around it (wrap.py) and test databases (child.py)."""
