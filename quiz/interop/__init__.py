"""Exchange with other tools: Anki packages and review logs, Moodle XML, GIFT, CSV.

The converters (`items`, `anki`, `anki_scheduling`, `moodle`, `gift`, `csv_in`, `revlog`) are
pure: they import neither Flask nor the models. `service` reads the database for them and
`views` serves them.
"""
