"""The directory as an Open Referral HSDS 3.0 publisher: the API under /api/hsds and the bulk export."""
