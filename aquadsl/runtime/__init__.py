"""The runtime: applies a compiled plan to the farm database with parallel workers."""
