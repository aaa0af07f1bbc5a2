"""Residents' files in, on ingest's public pipeline (`shequ.ingest.pipeline.run_import`).

`suggestions.import_suggestions` (the suggestions desk), `responses.import_responses`
(survey answers), `attendance.import_attendance` (sign-in sheets, identifiers kept only as
keyed pseudonyms) and `services.import_services` (volunteer and social-organisation
service records). The domain rules they apply stay beside the domain: channels and
workflow in `shequ.voice.suggestions`, pseudonyms in `shequ.voice.participation`,
masking in `shequ.voice.masking`, form validation in `shequ.voice.surveys`.
"""
