"""Pages of the claims app, one module for each group of pages."""
