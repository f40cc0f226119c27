"""Load: read and check every input of a status repository into one immutable model.

Imports only the theme (to check it), the input readers and the shared vocabulary below it."""
