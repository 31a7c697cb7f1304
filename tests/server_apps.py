"""Applications that answer every request at once, without reading its body (as an early error
answer would), for the tests that run a real server process: tests/test_gunicorn_worker.py
(WSGI) and tests/test_uvicorn_http.py (ASGI)."""
BODY = b"answered\n"


def wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
