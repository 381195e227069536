"""Logic shared by several features. Service functions add and flush, never commit."""
