# Keyward: the commands behind README.md.
#   make setup   system packages the build and tests need (Debian 12, root), and the
#                Python modules the JSON Schema tests use
#   make run     the main job, from scratch in var/: import people, create their accounts in the demo HR
#                application's table (SQLite), reset and change a password, unlock, show queue, audit and table
#   make scripts the script author's tools on the shipped scripts and configuration
#   make test    every test
#   make bench   the benchmarks, in release mode: the sandbox (a-c), cold start (d), the
#                password-reset queue (e), resets to slapd (f), the JSON API under load (g) and
#                worker processes on PostgreSQL (h);
#                `make bench BENCH_ARGS='--only queue'` (or directory, transform, cold, api, scale) runs one
SWIFT ?= swift
KEYWARD = .build/debug/keyward
BENCH_ARGS ?=
# How many tests run at once. Each suite runs on its own threads (.offThePool), so
# a test waiting for a process never holds up the others; this bound keeps two
# cores from being shared by every test of the run at once.
TEST_WIDTH ?= 12

APT_PACKAGES = pkg-config liblua5.4-dev libssl-dev lua5.4 libsqlite3-dev libcrypt-dev sqlite3 \
  libldap-dev libsasl2-dev slapd ldap-utils samba samba-dsdb-modules samba-vfs-modules krb5-user \
  libsasl2-modules-gssapi-mit krb5-kdc krb5-admin-server openssl libcurl4-openssl-dev python3-aiosmtpd \
  chromium chromium-driver postgresql-15

.PHONY: setup build run tour scripts test bench clean

# The tests start their own slapd, Samba AD DC and PostgreSQL: the distribution's services
# must not start on install and take ports 389, 636, 88 and 5432 (a temporary
# policy-rc.d says so, and any that started anyway are stopped).
setup:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  added=; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; added=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 $(APT_PACKAGES); \
	  status=$$?; [ -n "$$added" ] && rm -f /usr/sbin/policy-rc.d; [ $$status -eq 0 ] || exit $$status; \
	fi
	@for service in slapd samba-ad-dc smbd nmbd winbind krb5-kdc krb5-admin-server postgresql; do service $$service stop >/dev/null 2>&1 || true; done
	@python3 -c 'import jsonschema, yaml' 2>/dev/null || python3 -m pip install -q jsonschema pyyaml

build:
	$(SWIFT) build

# The main job: the demo HR application's table, the master key, six
# people, accounts for two of them (the helpdesk initializes the others'
# from its page), a helpdesk token (in var/helpdesk-token), then
# `keyward serve` on http://127.0.0.1:8080 until Ctrl-C. Mail goes to var/mail/.
run: build
	rm -rf var && mkdir -m 700 var
	sqlite3 var/hr.db < examples/demo-hr/schema.sql
	$(KEYWARD) config check
	$(KEYWARD) keygen
	$(KEYWARD) identity import examples/people.csv
	$(KEYWARD) account create --user ada --system demo-hr
	$(KEYWARD) account create --user alan --system demo-hr
	$(KEYWARD) run --drain
	$(KEYWARD) token create --name demo-helpdesk --scope helpdesk --scope initialize --scope reset --scope unlock \
	  > var/helpdesk-token
	@echo "helpdesk sign-in token (also in var/helpdesk-token): $$(cat var/helpdesk-token)"
	$(KEYWARD) serve

# The command-line tour of the same demo, without a server.
# The demo's passwords are typed here on purpose (it is a demo); real ones
# come from a prompt or standard input, never from the command line.
tour: build
	rm -rf var && mkdir -m 700 var
	sqlite3 var/hr.db < examples/demo-hr/schema.sql
	$(KEYWARD) config check
	$(KEYWARD) keygen
	$(KEYWARD) identity import examples/people.csv
	$(KEYWARD) account create --all-users --system demo-hr
	printf 'Winter-Sky-42-Lamp\n' | $(KEYWARD) password reset --user ada --system demo-hr --stdin --must-change
	printf 'Winter-Sky-42-Lamp\nPurple-Otter-7-Canyon\n' | $(KEYWARD) password change --user ada --stdin
	sqlite3 var/hr.db "UPDATE employees SET locked = 1 WHERE login = 'alan'"
	$(KEYWARD) account unlock --user alan --system demo-hr
	$(KEYWARD) queue list
	$(KEYWARD) audit --user ada
	sqlite3 -header -column var/hr.db \
	  "SELECT login, first_name, department, substr(password_hash, 1, 29) || '...' AS password_hash, \
	          substr(portal_hash, 1, 16) || '...' AS portal_hash, locked, must_change FROM employees"

scripts: build
	$(KEYWARD) check scripts/
	$(KEYWARD) test scripts/
	$(KEYWARD) config check --examples
	$(KEYWARD) dry-run scripts/nt-hash.lua --value 'password' --context system=samba
	$(KEYWARD) dry-run --examples --connector ldap --connector ad --user jdoe --operation reset

test:
	@$(SWIFT) build --build-tests >.build-warnings.log 2>&1; status=$$?; cat .build-warnings.log; exit $$status
	@if grep -E '^/.*/(Sources|Tests)/.*: warning:' .build-warnings.log | grep -v '/\.build'; then \
	  echo 'error: compiler warnings in Keyward code (above)'; exit 1; fi
	@perl -0ne 'while (/^\@Suite\b(.*?)^(?:final )?(?:struct|class|enum|actor) /msg) { $$bad = 1, print "$$ARGV: a suite without .offThePool (see Tests/KeywardTestSupport/OffThePool.swift)\n" unless $$1 =~ /\.offThePool/ } END { exit $$bad }' $$(find Tests -name '*.swift')
	$(KEYWARD) check scripts/
	$(KEYWARD) test scripts/
	$(KEYWARD) config check --examples
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) $(SWIFT) test --skip-build

bench:
	$(SWIFT) build -c release --product keyward
	$(SWIFT) run -c release --package-path Benchmarks keyward-bench --keyward .build/release/keyward $(BENCH_ARGS)

clean:
	rm -rf .build Benchmarks/.build .build-warnings.log var
