"""The deterministic sample inbox (`oneplan sample`): test data, not orchestration."""
