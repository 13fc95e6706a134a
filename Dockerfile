# One image for every modpipe process (api, worker, migrate); the command picks the role.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
# torch==2.13.0 from the CPU index; the lock is the whole tree, installed without resolving (one OpenCV, headless).
RUN pip install --no-deps --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.lock
COPY . .
RUN pip install --no-deps --no-build-isolation -e .
RUN useradd --system --uid 10001 modpipe && mkdir -p /data && chown modpipe /data
USER modpipe
ENV MODPIPE_DATA_DIR=/data
EXPOSE 8000
CMD ["modpipe", "api", "--host", "0.0.0.0", "--port", "8000"]
