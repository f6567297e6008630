"""What every request shares below HTTP: the Service (tenants, problems, render cache),
the state file, the runaway budgets, the behaviour ledger, knob values and seed files."""
