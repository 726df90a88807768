"""``python -m parsers.schema``: regenerate parsers/schema/record.schema.json from parsers/records.py."""

from parsers.schema import write

if __name__ == "__main__":
    print(f"wrote {write()}")
