"""The API's answer when Redis is out of reach before a write: 503 in the error format."""
import redis
from kombu.exceptions import OperationalError

from common.errors import api_exception_handler


def test_redis_or_broker_unreachable_answers_503_with_retry_after():
    for exc in (redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
                redis.TimeoutError("Timeout reading from socket"), OperationalError("Connection refused")):
        response = api_exception_handler(exc, {})
        assert response.status_code == 503
        assert response.data == {"error": {"code": "service_unavailable", "message": response.data["error"]["message"],
                                           "fields": {}, "violations": []}}
        assert "nothing was saved" in response.data["error"]["message"]
        assert response["Retry-After"] == "5"
