"""``scraper serve``: cleaning on demand over HTTP, safe against server-side request forgery.

``app`` (the endpoints), ``guard`` (which addresses may be connected to), ``fetching`` (each
hop checked and pinned to its address; robots.txt, politeness), ``workers`` (the cleaning
processes), ``access`` (tokens, rate limit), ``metrics`` (Prometheus).
"""

from scraper.serve.app import CleanRequest, create_app
from scraper.serve.guard import Guard, refusal

__all__ = ["CleanRequest", "Guard", "create_app", "refusal"]
