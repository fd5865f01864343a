"""Import and export: CSV and Excel files in and out, with mapping, cleaning and de-duplication."""
