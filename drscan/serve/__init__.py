"""`drscan serve`: a read-only web dashboard over the scan history (the store -> browser end
of the flow). app.py builds the Starlette app; queries.py reads the store; pages/ turn query
results into one dict per page, rendered as HTML (templates/serve/) or returned as JSON."""
