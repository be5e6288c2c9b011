"""understanding package."""
