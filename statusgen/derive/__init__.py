"""Derive: pure functions of the loaded model and an instant: status timelines, uptime, policy.

No input, no output, no clock: everything here is a function of what it is handed."""
