"""The AquaMind target's own row families: master data from the plan, and per-batch extras and derived shapes."""
