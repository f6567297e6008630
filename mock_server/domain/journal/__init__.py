"""The request journal (and the duplicate-dial detector) and injected faults."""
