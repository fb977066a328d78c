"""Settings modules of the mutant sites: the reference site's settings, then one breakage each."""
