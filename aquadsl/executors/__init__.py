"""Executors: where batches run. One small interface (base.py); the local process pool and Celery implement it."""

from __future__ import annotations

from aquadsl.executors.base import EXECUTORS, Executor, ExecutorConfig, make_executor

__all__ = ["EXECUTORS", "Executor", "ExecutorConfig", "make_executor"]
