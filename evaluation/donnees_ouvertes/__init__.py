"""Open data: granted subsidies in the SCDL « subventions » format, published per year."""
