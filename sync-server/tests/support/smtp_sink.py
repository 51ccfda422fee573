"""A real SMTP server for tests (aiosmtpd): accepts every message on 127.0.0.1:PORT and
writes each to DIR as NNNN.eml. Prints "ready" once listening; stops when its stdin
closes, so it never outlives the test that started it.

usage: python smtp_sink.py PORT DIR
"""

import itertools
import pathlib
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.counter = itertools.count()

    async def handle_DATA(self, server, session, envelope):
        name = self.directory / f"{next(self.counter):04}.eml"
        tmp = name.with_suffix(".tmp")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(name)
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
