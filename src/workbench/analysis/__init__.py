"""Analyses by domain: pure functions from Ibis tables to small pandas frames."""
