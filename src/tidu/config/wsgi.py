import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.local")
application = get_wsgi_application()

# The server process builds its caches now, in the background, rather than on the first visitor's
# request (runserver and WSGI servers load this module at start-up; the tests never do).
if os.environ.get("TIDU_WARM_ON_START", "1") != "0":
    from tidu.core.warmup import start_warming

    start_warming()
