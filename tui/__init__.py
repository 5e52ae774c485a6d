"""The Textual app: shows what the engine records, computes nothing of its own."""
