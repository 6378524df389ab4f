"""Clean functions for the crawl's worker processes that misbehave on purpose (picklable by
reference: module-level). A page saying ``DIE-WHILE-CLEANING`` kills its worker with SIGKILL,
as the kernel's OOM killer would; ``SLOW-TO-CLEAN`` sleeps; ``STUCK-IN-C`` sleeps with the
alarm blocked, as a page stuck in C code would."""

from __future__ import annotations

import os
import signal
import time

from scraper.crawl.work import Cleaned, clean_page


def misbehaving(
    body: bytes,
    charset: str | None,
    url: str,
    want_doc: bool,
    want_links: bool,
    *,
    site_template: str | None = None,
) -> Cleaned:
    if want_doc and b"DIE-WHILE-CLEANING" in body:
        os.kill(os.getpid(), signal.SIGKILL)
    if want_doc and b"SLOW-TO-CLEAN" in body:
        time.sleep(30)
    if want_doc and b"STUCK-IN-C" in body:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            time.sleep(6)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
    return clean_page(body, charset, url, want_doc, want_links, site_template=site_template)
