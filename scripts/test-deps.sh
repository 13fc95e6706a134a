#!/usr/bin/env bash
# What the tests need beyond the virtual environment: Debian's chromium for the
# browser tests. PostgreSQL and Redis already run on 127.0.0.1 on these machines.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# A CJK font for the media tests, which render Chinese text to test OCR.
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  echo "installing Debian's fonts-wqy-microhei for the OCR tests" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
fi
