"""Observation: find and launch the browsers, lend them pooled contexts, and run every scenario the
selected checks need at once (campaign.py), waiting only as long as each promise needs
(timing.py). Scenarios record Exchanges; they never judge."""
