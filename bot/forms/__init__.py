"""The form engine and the flows declared on it."""
