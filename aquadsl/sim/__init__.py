"""Biology: temperature, growth and data volume. Pure and seeded; imports neither Django nor Lark."""
