"""Report stage: terminal summary, JSON, CSV, HTML and PDF from a stored or fresh scan."""
