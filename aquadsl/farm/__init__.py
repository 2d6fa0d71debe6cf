"""The farm database: a Django app holding infrastructure, batches, events and the run ledger."""
