"""Helpers for the sales tests: deals and leads made through the record services."""
from __future__ import annotations

from saas.extensions import db
from saas.metadata import pipelines
from saas.modules.core.records import create_record


def stages(pipeline=None) -> dict[str, pipelines.Stage]:
    """The default pipeline's stages by English name."""
    pipeline = pipeline or pipelines.default_pipeline("deal")
    return {stage.labels["en"]: stage for stage in pipeline.stages}


def deal(name: str = "Tea order", amount: str = "1000", stage: str = "Qualification", commit: bool = True, **extra):
    record = create_record("deal", {"name": name, "amount": amount, "stage": stages()[stage].id, **extra})
    if commit:
        db.session.commit()
    return record


def lead(name: str = "王伟", commit: bool = True, **extra):
    record = create_record("lead", {"name": name, **extra})
    if commit:
        db.session.commit()
    return record
