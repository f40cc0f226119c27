"""Render: the site state made into output files, as units of bytes; nothing is written here."""
