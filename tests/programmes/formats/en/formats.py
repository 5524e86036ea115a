# English numbers written the Swiss way, for the test of a change of format settings.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = "'"
NUMBER_GROUPING = 3
