"""The partnership pages: the organisation's home, organisations and their members, agreements, work orders with
their responsibility matrix, and change orders. Each module holds one record's pages."""
