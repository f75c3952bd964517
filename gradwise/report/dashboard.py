"""``gradwise dashboard runs/NAME``: the live view of a study, served by optuna-dashboard.

    gradwise dashboard runs/pima                 # the journal in the folder
    gradwise dashboard runs/pima --storage postgresql://user:password@host/db --port 8081

optuna-dashboard (extra 'tools') is served on localhost with the standard library's
WSGI server; the address is printed, and Ctrl-C stops it cleanly (status 0).
"""

import os
import signal
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from .study import check_run_folder


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per request would bury the address
        pass


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "dashboard", help="browse a search's study live in optuna-dashboard",
        description="Serve optuna-dashboard on the study of a run folder (its journal, or --storage URL) and print "
                    "the local address; Ctrl-C stops it.")
    parser.add_argument("folder", metavar="RUN_FOLDER", help="the folder gradwise tune wrote, e.g. runs/pima")
    parser.add_argument("--storage", metavar="URL", help="database URL of a study not kept in the folder's journal")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    return parser


def _storage(args):
    from ..tuning.storage import JOURNAL_FILE, resolve

    check_run_folder(args.folder, args.storage)
    if args.storage is None and not os.path.exists(os.path.join(args.folder, JOURNAL_FILE)):
        raise ValueError(f"{args.folder}: no {JOURNAL_FILE} (the study is in a database?); pass --storage URL.")
    return resolve(args.storage, args.folder)


def run(args):
    try:
        import optuna_dashboard
    except ModuleNotFoundError:
        raise ValueError("optuna-dashboard is not installed; pip install 'gradwise[tools]' "
                         "(or pip install optuna-dashboard).") from None
    spec = _storage(args)
    app = optuna_dashboard.wsgi(spec.open())
    server = make_server(args.host, args.port, app, handler_class=_QuietHandler)
    url = f"http://{args.host}:{server.server_port}/"
    # Ctrl-C (and a plain kill) ask the server to stop once the request in hand is answered. Not by
    # KeyboardInterrupt: wsgiref's handler catches every exception of a request, that one included, and
    # would keep serving. Works also in a process started with these signals ignored or blocked.
    stopping = threading.Event()

    def stop(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()  # waits for serve_forever's loop

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    print(f"optuna-dashboard on {spec.describe()}: {url}  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    print("gradwise dashboard: stopped.", file=sys.stderr)
    return 0
