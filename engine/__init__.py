"""The backprop engine: scenario files in, a tape of steps out. Knows nothing of any UI."""
