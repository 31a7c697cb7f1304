"""What the engine announces to the apps above it (common.hooks). Each is sent inside the
transaction of the change; receivers are connected in the apps' AppConfig.ready:

- procurement connects `deadline_extended` to schedule the close job of the new deadline;
- audit's gaming analysis connects `bids_changed` to schedule its debounced scan.
"""
from common.hooks import Hook

# A bid extended the deadline (anti-sniping); `rfq` is the locked row with the new deadline.
deadline_extended = Hook("deadline_extended", "rfq")
# A bid was placed or withdrawn on the RFQ.
bids_changed = Hook("bids_changed", "rfq_id")
