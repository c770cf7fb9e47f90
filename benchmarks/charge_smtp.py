"""Load test, a mail sink: a minimal SMTP server on 127.0.0.1 that accepts and counts messages.

The server under test keeps its production mail settings (SMTP backend); only ``EMAIL_HOST`` and
``EMAIL_PORT`` point here, so that sending a notification costs what it costs in production
without any mail leaving the machine.
"""

import socketserver
import threading


class _Session(socketserver.StreamRequestHandler):
    def _dire(self, ligne):
        self.wfile.write(ligne.encode() + b"\r\n")

    def handle(self):
        self._dire("220 127.0.0.1 ESMTP charge")
        en_donnees = False
        while ligne := self.rfile.readline():
            if en_donnees:
                if ligne.rstrip(b"\r\n") == b".":
                    en_donnees = False
                    self.server.compter()
                    self._dire("250 OK")
                continue
            commande = ligne[:4].upper()
            if commande in (b"EHLO", b"HELO"):
                self._dire("250 127.0.0.1")
            elif commande == b"DATA":
                en_donnees = True
                self._dire("354 Terminer par <CRLF>.<CRLF>")
            elif commande == b"QUIT":
                self._dire("221 Au revoir")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self._dire("250 OK")


class PuitsSMTP(socketserver.ThreadingTCPServer):
    """``with PuitsSMTP() as puits:`` serves on ``puits.port`` in a thread until the block ends."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.port = self.server_address[1]
        self.courriels = 0
        self._verrou = threading.Lock()
        self._fil = threading.Thread(target=self.serve_forever, daemon=True)

    def compter(self):
        with self._verrou:
            self.courriels += 1

    def __enter__(self):
        self._fil.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        return False
