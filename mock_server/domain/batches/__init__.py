"""Call batches: the batch and its recipients, the dispatcher, the batch API's rules."""
