"""What leaves the debugger for a handout or a spreadsheet: an epoch's derivation, the run's numbers."""
