"""Query logic: validates arguments, pages through the datastore, and batches
every relationship through per-request DataLoaders."""
