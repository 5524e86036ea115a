# cotraining: one image for the web, worker and beat processes.

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=cotraining.settings
# WeasyPrint needs Pango (and HarfBuzz's subsetter); gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 cotraining
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY --chown=cotraining:cotraining . .
COPY --from=assets --chown=cotraining:cotraining /app/node_modules ./node_modules
RUN DJANGO_SECRET_KEY=build-only python manage.py compilemessages --ignore=node_modules -v 0 \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/media && chown cotraining:cotraining /app/media
USER cotraining
EXPOSE 8000
CMD ["gunicorn", "cotraining.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
