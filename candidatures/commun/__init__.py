"""What several areas share: checks of identifiers and documents, e-mails, PDF rendering."""
