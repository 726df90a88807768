"""The database the crawl writes to: records upserted and merged as they arrive (SQLite or PostgreSQL)."""

from crawlers.store.store import DEFAULT_URL, Store, StoreError

__all__ = ["DEFAULT_URL", "Store", "StoreError"]
