"""Gaming detection (product.md §5): detectors over an auction's bids, the scan that turns
their findings into GamingAlert rows (audited), its Celery job and the alerts' API."""
