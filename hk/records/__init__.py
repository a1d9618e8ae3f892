"""The service record: what the customer signs, the PDF, its signature, the archive chain."""
