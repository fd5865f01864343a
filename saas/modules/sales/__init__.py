"""The sales module: pipelines, deals, the kanban board, leads, tasks and the forecast."""
