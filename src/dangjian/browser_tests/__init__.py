"""Playwright in Debian's headless Chromium against pytest-django's live server.

Never downloads a browser: it drives /usr/bin/chromium. Every test in this package is marked
`browser` (make test-browser runs them; the database stages skip them). See
docs/development.md.
"""
