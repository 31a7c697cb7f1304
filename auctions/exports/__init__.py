"""Downloads of an RFQ's figures (api.md "Exports"): the side-by-side comparison as a table
model (`comparison`), written as XLSX (`xlsx`) or CSV (`text`), and the bids as CSV.

Who may see the figures is decided before this package is called (`evaluation_for`,
`bids_for`); nothing here reads a sealed quote that has not been opened.
"""
