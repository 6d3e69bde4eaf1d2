"""Background jobs: long work (imports, batch runs) runs in the django-q2 worker with visible progress."""
