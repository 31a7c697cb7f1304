"""The quarterly compliance sample and its review queue (product.md §5)."""
