"""Forms shared by several features (the organisation form serves contacts and staff)."""
