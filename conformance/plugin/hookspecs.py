"""Hooks a conftest or plugin may implement to extend the suite."""


def pytest_conformance_profiles(config):
    """Return extra reference-site profiles (conformance.targets.profiles.Profile) to offer beside
    the built-in ones: `--profile` accepts their names and a run without `--profile` runs them too.
    The project's own tests add deliberately broken sites this way (conformance/tests/apparatus)."""
