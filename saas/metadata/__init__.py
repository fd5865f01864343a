"""The metadata layer: object and field definitions, pipelines, lifecycle definitions, widgets."""
