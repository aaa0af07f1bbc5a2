"""Spatial files in, on ingest's public pipeline (`shequ.ingest.pipeline.run_import`).

`boundaries.import_boundaries` (org-unit polygons), `facilities.import_facilities` (the
facility registry), `population.import_population` (residential points) and
`networks.import_network` (walking networks from line layers or OpenStreetMap extracts,
read by `networks.read_lines` and `osm.read_osm_pbf`) write to the store;
`candidates.read_candidates` reads candidate sites for `shequ.spatial.sites`.
"""
