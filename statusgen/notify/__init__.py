"""Notify: tell subscribers' chat rooms, inboxes and webhooks of updates published since a commit."""
