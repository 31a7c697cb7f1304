"""The fairness-audit report of a closed auction (product.md §5): built from the stored facts,
kept as JSON on `FairnessReport`, read as JSON, PDF and a web page, certified by compliance,
and the award gate that waits for that certification."""
