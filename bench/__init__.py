"""The registry benchmark: ``python -m bench.run_all`` seeds 100,000 enterprises and measures the registry pages."""
