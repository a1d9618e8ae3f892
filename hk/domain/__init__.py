"""The rules of hk, free of Flask so that unit tests reach them without a request."""
