#!/bin/sh
# Makes sure Debian's redis-server is installed, for the queue tests (`npm run test:queue`), which
# start their own Redis on a free localhost port. Installs it with apt-get when missing (as root,
# or through sudo); never starts or configures a system service.
set -eu
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and there is no apt-get; install Redis >= 6.2 by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "ensure-redis: installing redis-server with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server >/dev/null 2>&1 || { echo "ensure-redis: apt-get did not install redis-server" >&2; exit 1; }
