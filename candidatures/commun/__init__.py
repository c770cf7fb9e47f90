"""What several areas share: checks of identifiers and documents, the e-mail sender."""
