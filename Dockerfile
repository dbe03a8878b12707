# One image for every process of the service: gunicorn (the default command),
# the Celery worker and beat, as docker-compose.yml runs them.
FROM python:3.11-slim-bookworm

# Pango for WeasyPrint, HarfBuzz's subsetter (without it WeasyPrint subsets
# fonts about 60 times slower), a CJK font for the Chinese PDFs, and gettext
# to compile the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    RELIEF_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home relief

COPY . ./
# The secret key below serves these build steps only: containers must get
# their own DJANGO_SECRET_KEY from the environment. The media folder is created
# here so that a named volume mounted on it starts out owned by the app user.
RUN DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --no-input --verbosity 0 \
    && DJANGO_SECRET_KEY=build-only-not-secret python manage.py compilemessages --verbosity 0 \
    && mkdir -p /app/var/media \
    && chown -R relief:relief /app/var

USER relief
EXPOSE 8000
CMD ["gunicorn", "relief.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
