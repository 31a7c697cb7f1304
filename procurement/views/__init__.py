"""Server-rendered pages for procurement (buyers; invited suppliers see RFQs too)."""
