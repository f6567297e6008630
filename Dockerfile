# cartesia-fake as a container: the fake on port 8000, its state on the /data volume.
#
#   docker build -t cartesia-fake .
#   docker run --rm -p 8000:8000 -v cartesia-fake-data:/data cartesia-fake
#
# Stages: `fake` (the default, final stage's base) serves; `dialer` adds pytest and the
# example dialer's tests, for compose.yaml's sample client.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mock_server mock_server
COPY contracts contracts
COPY pytest_plugin pytest_plugin
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/cartesia_fake-*.whl

FROM python:3.11-slim AS fake
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels cartesia-fake \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 fake \
 && mkdir /data && chown fake /data
USER fake
WORKDIR /home/fake
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/', timeout=2)"]
ENTRYPOINT ["cartesia-fake", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--state", "/data/state.db"]

FROM fake AS dialer
USER root
RUN pip install --no-cache-dir "pytest>=8" "hypothesis>=6.100"
COPY --chown=fake examples /home/fake/examples
USER fake
ENTRYPOINT []
CMD ["python", "-m", "pytest", "examples", "-p", "no:cacheprovider", "--cartesia-target=live", "--cartesia-base-url=http://fake:8000"]

FROM fake
