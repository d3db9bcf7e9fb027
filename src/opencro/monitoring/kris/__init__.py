"""Key risk indicators from the study's own data: the measures per participant, definitions, snapshots, trends."""
