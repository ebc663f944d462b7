"""A strict Content Security Policy for the public pages.

They load CSS from ``static/`` only and run no script, so anything injected into a page (a
participant's name that escaped escaping, a compromised CDN that is not used) cannot run or send
data anywhere. Bootstrap's form icons are ``data:`` SVG images. The admin is left out: Django's
admin pages bring their own scripts.
"""

PUBLIC_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "script-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", PUBLIC_POLICY)
        return response

    return middleware
