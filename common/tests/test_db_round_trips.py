"""common.db's batches on the wire: one write out and one answer back, the BEGIN that opens the
transaction and the Sync that ends the batch included (bench/README.md, twenty-second session).
Counted by a loopback proxy between psycopg and PostgreSQL."""
import select
import socket
import threading

import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction
from psycopg.pq import PipelineStatus, TransactionStatus

from common.db import _send_and_fetch, run_batch
from rfqs.models import RFQ

# django_db: the test database exists (the proxied connections use it, not Django's).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


class CountingProxy:
    """A TCP proxy in front of PostgreSQL for one connection, recording each chunk it relays:
    ("up", bytes) from the client, ("down", bytes) from the server."""

    def __init__(self, host: str, port: int):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.target = (host, port)
        self.chunks: list[tuple[str, bytes]] = []
        threading.Thread(target=self._relay, daemon=True).start()

    def _relay(self) -> None:
        client, _ = self.listener.accept()
        server = socket.create_connection(self.target)
        peers = {client: (server, "up"), server: (client, "down")}
        try:
            while True:
                ready, _, _ = select.select(list(peers), [], [], 30)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other, direction = peers[sock]
                    self.chunks.append((direction, data))  # before relaying: seen by the time it is answered
                    other.sendall(data)
        finally:
            for sock in (client, server, self.listener):
                sock.close()

    def directions(self, since: int) -> list[str]:
        return [direction for direction, _ in self.chunks[since:]]


@pytest.fixture
def proxied():
    """A psycopg connection (not in autocommit, as Django's in a transaction) through the proxy."""
    params = connection.get_connection_params()
    proxy = CountingProxy(params.get("host") or "127.0.0.1", int(params.get("port") or 5432))
    where = {name: params[name] for name in ("dbname", "user", "password") if name in params}
    raw = psycopg.connect(**where, host="127.0.0.1", port=proxy.port)
    try:
        yield raw, proxy
    finally:
        raw.close()


def test_a_batch_that_opens_its_transaction_goes_out_in_one_write_and_is_answered_once(proxied):
    raw, proxy = proxied
    cursors = [psycopg.Cursor(raw) for _ in range(3)]
    since = len(proxy.chunks)
    _send_and_fetch(raw, cursors, [("SELECT %s::int", [1]), ("SELECT %s::text, now() = statement_timestamp()",
                                                                ["two"])], commit=True)
    # psycopg's own pipeline block: BEGIN + Sync, its answer awaited, then the statements, a
    # Sync and a Flush: ["up", "up", "down", "up", "up", "up", "down"].
    assert proxy.directions(since)[0] == "up" and set(proxy.directions(since)[1:]) == {"down"}
    sent = proxy.chunks[since][1]
    assert sent.count(b"BEGIN") == 1 and sent.count(b"COMMIT") == 1 and sent.endswith(b"S\x00\x00\x00\x04")
    assert cursors[0].fetchall() == [(1,)] and cursors[1].fetchone()[0] == "two"
    assert raw.pgconn.transaction_status == TransactionStatus.IDLE  # committed in that round trip
    assert raw.pgconn.pipeline_status == PipelineStatus.OFF


def test_within_an_open_transaction_no_begin_is_sent(proxied):
    raw, proxy = proxied
    raw.execute("SELECT 1")  # psycopg opens the transaction
    cursors = [psycopg.Cursor(raw)]
    since = len(proxy.chunks)
    _send_and_fetch(raw, cursors, [("SELECT %s::int", [7])], commit=False)
    assert proxy.directions(since)[0] == "up" and set(proxy.directions(since)[1:]) == {"down"}
    assert b"BEGIN" not in proxy.chunks[since][1]
    assert cursors[0].fetchall() == [(7,)] and raw.pgconn.transaction_status == TransactionStatus.INTRANS


def test_a_parameter_that_cannot_be_sent_fails_the_batch_and_the_connection_serves_on(demo):
    rfq = RFQ.objects.filter(auction_type="REVERSE_AUCTION").first()
    table = RFQ._meta.db_table
    with pytest.raises(ProgrammingError), transaction.atomic():
        run_batch([(f"UPDATE {table} SET title = %s WHERE id = %s", ["Half-way", rfq.pk]),
                   (f"SELECT title FROM {table} WHERE id = %s", [object()])])
    raw = connection.connection
    assert raw._pipeline is None and raw.pgconn.pipeline_status == PipelineStatus.OFF
    assert RFQ.objects.get(pk=rfq.pk).title == rfq.title  # the block rolled back what was sent
    assert run_batch([(f"SELECT title FROM {table} WHERE id = %s", [rfq.pk])]) == [[(rfq.title,)]]
