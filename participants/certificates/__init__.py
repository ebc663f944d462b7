"""Certificates (apliecības): issue, revoke, the PDF and the public verification page."""
