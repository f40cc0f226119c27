"""Authoring: the commands that write incident files for an engineer, keeping what they wrote."""
