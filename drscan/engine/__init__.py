"""Evaluate stage: declarative rules (rules/*.yaml) over the resource graph (pure; no I/O
except loading the rule files)."""
