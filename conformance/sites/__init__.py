"""Site environments: which Python, with which Django, the reference site runs in. The runner (the
suite, pytest, Playwright) stays on the project's own interpreter; the site is a separate
process started through its environment."""
