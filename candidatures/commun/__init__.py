"""What several areas share: checks of identifiers and of uploaded documents."""
