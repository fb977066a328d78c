"""Test apparatus: what the project's own tests run the suite against, kept out of the product
and out of the reference site. Mutant sites (mutants.py, mutant_sites/, variants.py,
ignore_expiry_backend.py) and a production-shaped test deployment under gunicorn over TLS
(gunicorn.py, deployment/)."""
