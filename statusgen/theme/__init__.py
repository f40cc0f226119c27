"""The theme: its files, the sandbox its templates run in, their environment and their checks.

Used by the load stage, which checks a theme, and by the render stage, which renders with it."""
