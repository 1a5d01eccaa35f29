#!/usr/bin/python3
"""A loopback SMTP server for tests (aiosmtpd, Debian package python3-aiosmtpd).

Usage: smtp_sink.py --out DIR [--port 0]

Listens on 127.0.0.1 (port 0 = any free port), prints the port on the first line of stdout,
and stores every accepted message as DIR/NNNN.json:
    {"mail_from": "...", "rcpt_tos": ["..."], "data": "<the message text>"}
While a file DIR/fail exists, messages are refused with 451 (a temporary failure), so a test
can check that Broker retries.
"""

import argparse
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class StoringHandler:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.out_dir, "fail")):
            return "451 4.3.0 Try again later"
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.content.decode("utf-8", errors="replace"),
        }
        name = os.path.join(self.out_dir, "%04d.json" % self.count)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(name + ".tmp", name)  # readers never see a half-written file
        return "250 OK"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = StoringHandler(args.out)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True), "127.0.0.1", args.port)
    print(server.sockets[0].getsockname()[1], flush=True)
    sys.stdout.close()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
