"""The Redis broker transport of our Celery workers: kombu's, made safe when Redis goes away.

When Redis disappears while a worker waits for messages, the worker closes its broken
connection, which also forgets the broker's address. kombu (5.7) then closes the channel a
second time, and a channel that has to put its unacknowledged messages back, or a build that
finishes later and acknowledges its message on that old channel, asks for the forgotten address
to open a new connection: ``AttributeError: 'NoneType' object has no attribute 'hostname'``.
That error is not a connection error, so the worker took it for a bug of its own and exited
("Unrecoverable error"), and every later report waited for someone to restart it.

Here a closed connection answers as what it is, a lost connection. The worker already knows how
to handle that: it logs the failed acknowledgement, reconnects when Redis is back, and goes on.
A message whose acknowledgement was lost is delivered again later and finds its run done.

Selected by ``CELERY_BROKER_TRANSPORT`` in the settings for ``redis://`` and ``rediss://`` URLs.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise RedisConnectionError("the connection to the broker has been closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
