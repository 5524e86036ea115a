"""Pages of programme set-up, the call, the city's application, review and selection.

Each view: permission (404 for what the user may not see), then form, then service or
selector, then render. A form with errors is shown again with what was typed and status 400;
an action the state of things forbids (a stale page, a closed selection) answers 409.
One module per area; ``programmes.urls`` names them.
"""
