"""Output: the one place that writes: the site swapped in whole, the build cache, locks, atomic files."""
