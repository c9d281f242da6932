"""The synthetic export generator behind `jaanch sample`, one module per stage:

people (households) -> roles (who repeats, who commits which fraud) -> registrations ->
bookings and frauds (appointments and doses) -> exports (contract text, truth) -> bad_rows.
Pools of names and places are data (name_pools, geo); knobs live in config.
"""
