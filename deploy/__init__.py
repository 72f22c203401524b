"""The production-shaped stack, one implementation for ``make serve``, the tests and the benches.

nginx (Debian's package) terminates TLS with a certificate made at start-up and proxies to
gunicorn (2 workers) serving ``wsgi:app`` in production settings, on PostgreSQL and Redis.

- ``tls``: the self-signed certificate (``cryptography``) and its SPKI pin for Chromium;
- ``stack``: :class:`~deploy.stack.Stack`, which renders ``nginx.conf.template``, starts gunicorn
  and nginx, waits for them, and stops them;
- ``serve``: ``make serve`` (``python -m deploy``): the stack in the foreground on this machine's
  PostgreSQL and Redis, with secrets generated into ``instance/``, printing its ``https://`` URLs.

``docs/deployment.md`` explains each setting for a real server.
"""
