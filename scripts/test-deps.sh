#!/bin/sh
# Installs the programs that the terminal and report tests drive, when they are missing:
# tmux (test/terminal-tmux.test.ts) and Chromium (test/report-screenshot.test.ts,
# test/viz-report.test.ts). Runs before `npm test` (the `pretest` script). Needs root or
# password-less sudo and apt-get (Debian/Ubuntu); otherwise it says so and those tests skip,
# loudly. It never fails the test run. GLIMPSE_NO_TEST_DEPS=1 skips it.
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
[ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if [ "${GLIMPSE_NO_TEST_DEPS:-}" = 1 ]; then
  echo "test-deps: missing:$missing; GLIMPSE_NO_TEST_DEPS=1, so the tests that need them will SKIP"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing:$missing and no apt-get here: install them yourself, or the tests that need them will SKIP"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run="sudo -n"
else
  echo "test-deps: missing:$missing; not root and no password-less sudo: run 'sudo apt-get install -y$missing', or the tests that need them will SKIP"
  exit 0
fi
echo "test-deps: installing$missing with apt-get (for the terminal and report tests)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$run apt-get install -y -q $missing >/dev/null 2>&1 ||
  { $run apt-get update -q >/dev/null 2>&1 && $run apt-get install -y -q $missing >/dev/null 2>&1; } ||
  echo "test-deps: apt-get could not install$missing; the tests that need them will SKIP"
exit 0
