"""Reference data loaded once per process: code sets, policies, coverage articles, NCCI tables."""
