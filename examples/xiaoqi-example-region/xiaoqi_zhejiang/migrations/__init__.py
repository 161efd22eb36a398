"""Alembic revisions of the plugin's own branch ("zhejiang"), applied by ``xiaoqi db upgrade``."""
