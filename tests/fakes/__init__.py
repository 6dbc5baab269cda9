"""Fakes of outside services for tests; they import nothing from the project."""
