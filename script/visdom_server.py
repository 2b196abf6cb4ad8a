"""Start a visdom server that works without internet access.

    python -m script.visdom_server --port 8096          # then train with the default --display_id=1

Stock ``python -m visdom.server`` first downloads the page's JavaScript, CSS, fonts and MathJax from
CDNs (``visdom/server/build.py: download_scripts``) and dies with ``requests.ConnectionError`` when
offline. This launcher skips that step and serves visdom's own tornado application directly.

Everything the Visualizer needs works without those files: the HTTP API that receives plots and
images and answers ``win_exists`` / ``win_data``. The browser page needs them, though: without them
it loads blank. The launcher lists the missing ones at start-up. To get them, run
``python -m visdom.server`` once on a machine with internet and the same visdom version, and copy
``<site-packages>/visdom/static/{js,css,fonts}`` here (the page's references are in
``visdom/static/index.html``).
"""
import argparse
import logging
import os
import re

from util.cli import run_entry_point
from util.errors import UserError

DEFAULT_PORT = 8096  # GFLA's --display_port default


def missing_static_files():
    """Files that visdom's index.html references but that are not installed, as paths under static/."""
    from visdom.utils.shared_utils import get_visdom_path

    static_dir = get_visdom_path("static")
    with open(os.path.join(static_dir, "index.html")) as page:
        references = re.findall(r"""static_url\(\s*["']([^"']+)["']\s*\)""", page.read())
    # '../user/style.css' is served by a handler, not from static/.
    local = [name for name in references if not name.startswith("../")]
    return [name for name in local if not os.path.isfile(os.path.join(static_dir, name))]


def _static_file_handler():
    """Tornado's static file handler, versioning only the page's references that exist in static/.

    visdom's index.html refers to '../user/style.css' (served by visdom's user-settings handler)
    through ``static_url``; since tornado 6.6 versioning a path outside static/ raises HTTP 403,
    which failed the whole page. Such paths, and missing files (already reported at start-up,
    otherwise logged on every page load), get a plain URL instead.
    """
    from tornado.web import StaticFileHandler

    class StaticFiles(StaticFileHandler):
        @classmethod
        def get_version(cls, settings, path):
            if path.startswith("../") or not os.path.isfile(os.path.join(settings["static_path"], path)):
                return None
            return super().get_version(settings, path)

    return StaticFiles


def serve(port=DEFAULT_PORT, hostname="127.0.0.1", env_path=None):
    """Run a visdom server on ``hostname:port`` until interrupted, without downloading anything.

    Args:
        port: TCP port.
        hostname: address to listen on ('127.0.0.1': this machine only; '0.0.0.0': every interface).
        env_path: folder of saved environments (default: visdom's, ~/.visdom).
    """
    from tornado import ioloop
    from visdom.server import app as visdom_app
    from visdom.server.defaults import DEFAULT_ENV_PATH

    missing = missing_static_files()
    if missing:
        print(f"Note: {len(missing)} of the browser page's files are missing ({', '.join(missing)}), so the "
              "page at the address below stays blank; logging through the API works. See "
              "`python -m script.visdom_server --help` for how to add them.", flush=True)
    # visdom hands this module-level dict to tornado: our static handler keeps the page working on
    # tornado >= 6.6, and a server should not restart itself when a source file changes (visdom
    # turns on tornado's debug mode, which implies that).
    visdom_app.tornado_settings.update(static_handler_class=_static_file_handler(), autoreload=False)
    app = visdom_app.Application(port=port, base_url="", env_path=env_path or DEFAULT_ENV_PATH)
    try:
        app.listen(port, address=hostname, max_buffer_size=1024 ** 3)
    except OSError as error:
        raise UserError(f"cannot listen on {hostname}:{port}: {error}; pass another --port, or stop the program "
                        f"using it") from error
    print(f"Visdom server running at http://{hostname}:{port} (Ctrl-C to stop)", flush=True)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument("--hostname", default="127.0.0.1",
                        help="address to listen on; 0.0.0.0 makes the server reachable from other machines")
    parser.add_argument("--env_path", default=None, help="folder of saved visdom environments (default ~/.visdom)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    serve(args.port, args.hostname, args.env_path)


if __name__ == "__main__":
    run_entry_point(main)
