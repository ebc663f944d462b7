"""An SMTP server on loopback that accepts every message, discards it and counts it.

    python bench/smtp_sink.py PORT COUNT_FILE [MAIL_DIR]

The count of messages received is written to COUNT_FILE (at most every 0.2 s, and at exit).
With MAIL_DIR each message is also kept, as MAIL_DIR/<recipient>/<number>.eml (written under
another name first, then renamed, so a reader never sees half a message): a benchmark that must
follow the links in the mails (the registration's confirmation link) reads them there.
"""

import asyncio
import signal
import sys
from pathlib import Path

from aiosmtpd.controller import Controller


class CountingSink:
    def __init__(self, mail_dir=None):
        self.count = 0
        self.mail_dir = mail_dir

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.mail_dir is not None:
            keep_message(self.mail_dir, envelope, self.count)
        return "250 OK"


def keep_message(mail_dir, envelope, number):
    for recipient in envelope.rcpt_tos:
        folder = mail_dir / recipient.lower().replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{number}.part"
        partial.write_bytes(envelope.original_content)
        partial.rename(folder / f"{number}.eml")


async def write_count(handler, count_file, stop):
    written = -1
    while not stop.is_set():
        if handler.count != written:
            written = handler.count
            count_file.write_text(str(written))
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except TimeoutError:
            pass
    count_file.write_text(str(handler.count))


def main():
    port, count_file = int(sys.argv[1]), Path(sys.argv[2])
    handler = CountingSink(Path(sys.argv[3]) if len(sys.argv) > 3 else None)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(write_count(handler, count_file, stop))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
