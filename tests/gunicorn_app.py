"""A WSGI application for tests/test_gunicorn_worker.py: answers every request at once,
without reading its body, as an early error answer would."""


def app(environ, start_response):
    body = b"answered\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
