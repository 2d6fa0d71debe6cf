"""The rows the simulation emits: table -> ordered (column, type) pairs. The farm models mirror this.

Types: "str", "int", "float", "date", "datetime" (UTC, naive in arrays). Every table carries
``batch_id`` (the plan's id). Per-container tables carry ``assignment_no`` (1-based within the
batch, in assignment order) and ``container`` (name). The loader maps names to foreign keys.
"""

from __future__ import annotations

Columns = tuple[tuple[str, str], ...]

_ASSIGNED: Columns = (("batch_id", "str"), ("assignment_no", "int"), ("container", "str"))

SCHEMA: dict[str, Columns] = {
    "batches": (
        ("batch_id", "str"), ("geography", "str"), ("start_date", "date"), ("end_date", "date"),
        ("status", "str"), ("eggs", "int"), ("harvest_target_kg", "float"), ("harvest_date", "date"),
        ("living_fish", "int"),
    ),
    "assignments": _ASSIGNED + (
        ("stage", "str"), ("start_date", "date"), ("end_date", "date"),
        ("population_start", "int"), ("population_end", "int"),
        ("avg_weight_start_g", "float"), ("avg_weight_end_g", "float"), ("biomass_end_kg", "float"),
        ("is_active", "int"),
    ),
    "transfers": (
        ("batch_id", "str"), ("transfer_no", "int"), ("date", "date"), ("from_stage", "str"), ("to_stage", "str"),
        ("fish_moved", "int"), ("avg_weight_g", "float"), ("source_containers", "int"),
        ("destination_containers", "int"),
    ),
    "daily_states": _ASSIGNED + (
        ("stage", "str"), ("date", "date"), ("day_number", "int"), ("population", "int"),
        ("avg_weight_g", "float"), ("biomass_kg", "float"), ("temperature_c", "float"),
        ("mortality", "int"), ("feed_kg", "float"), ("fcr", "float"),
    ),
    "environmental_readings": _ASSIGNED + (("parameter", "str"), ("ts", "datetime"), ("value", "float")),
    "feeding_events": _ASSIGNED + (
        ("ts", "datetime"), ("feed_name", "str"), ("amount_kg", "float"), ("biomass_kg", "float"),
        ("feeding_pct", "float"),
    ),
    "mortality_events": _ASSIGNED + (("date", "date"), ("count", "int"), ("biomass_kg", "float"), ("cause", "str")),
    "growth_samples": _ASSIGNED + (
        ("date", "date"), ("sample_size", "int"), ("avg_weight_g", "float"), ("std_weight_g", "float"),
        ("min_weight_g", "float"), ("max_weight_g", "float"), ("avg_length_cm", "float"),
        ("condition_factor", "float"),
    ),
    "lice_counts": _ASSIGNED + (
        ("date", "date"), ("fish_sampled", "int"), ("adult_female", "int"), ("adult_male", "int"),
        ("pre_adult", "int"), ("chalimus", "int"), ("caligus", "int"),
    ),
    "health_samples": _ASSIGNED + (
        ("date", "date"), ("fish_sampled", "int"), ("avg_weight_g", "float"), ("avg_length_cm", "float"),
        ("condition_factor", "float"), ("mean_score", "float"),
    ),
    "treatments": _ASSIGNED + (("date", "date"), ("treatment_type", "str"), ("name", "str")),
    "harvest_events": _ASSIGNED + (
        ("date", "date"), ("fish_count", "int"), ("live_weight_kg", "float"), ("avg_weight_g", "float"),
    ),
    "harvest_lots": _ASSIGNED + (
        ("date", "date"), ("grade", "str"), ("fish_count", "int"), ("live_weight_kg", "float"),
    ),
}
