"""National-scale test data for the benchmarks: ``manage.py generate_scale_data``.

``plan`` works out the data in memory from the options (deterministic per seed), ``write``
puts it into PostgreSQL with COPY in one transaction and records the run
(``innovation_centre.models.ScaleDataRun``), ``names`` holds the small lists it draws from.
"""
