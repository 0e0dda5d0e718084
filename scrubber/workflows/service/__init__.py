"""``scrubber serve``: the HTTP API of the pre-submission gate (FastAPI on uvicorn, ``pip install 'scrubber[server]'``).

Modules: ``settings`` (what the command line sets), ``auth`` (bearer tokens from a file, reloaded on
SIGHUP), ``worker`` (what runs in a pool process: a Pipeline built once per process), ``pool`` (the
process pool the event loop hands checks to, rebuilt when a worker dies), ``uploads`` (request
bodies spooled to owner-only files under a size limit), ``jobs`` (asynchronous checks kept on disk),
``metrics`` (Prometheus), ``errors`` (the one JSON error shape), ``app`` and ``routes_*`` (the
FastAPI application), ``server`` (uvicorn). Nothing here is imported by ``import scrubber``: the
base install works without the extra.
"""
