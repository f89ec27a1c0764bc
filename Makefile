# Keyward: the commands behind README.md.
#   make setup   system packages the build and tests need (Debian 12, root), and the
#                Python modules the JSON Schema tests use
#   make run     the main job: check and test the shipped scripts and configuration, dry-run a script and a plan
#   make test    every test
#   make bench   the sandbox benchmark, in release mode
SWIFT ?= swift
KEYWARD = .build/debug/keyward

APT_PACKAGES = pkg-config liblua5.4-dev libssl-dev lua5.4

.PHONY: setup build run test bench clean

setup:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 $(APT_PACKAGES); \
	fi
	@python3 -c 'import jsonschema, yaml' 2>/dev/null || python3 -m pip install -q jsonschema pyyaml

build:
	$(SWIFT) build

run: build
	$(KEYWARD) check scripts/
	$(KEYWARD) test scripts/
	$(KEYWARD) config check --examples
	$(KEYWARD) dry-run scripts/nt-hash.lua --value 'password' --context system=samba
	$(KEYWARD) dry-run --examples --connector ldap --connector ad --user jdoe --operation reset

test:
	@$(SWIFT) build --build-tests >.build-warnings.log 2>&1; status=$$?; cat .build-warnings.log; exit $$status
	@if grep -E '^/.*/(Sources|Tests)/.*: warning:' .build-warnings.log | grep -v '/\.build'; then \
	  echo 'error: compiler warnings in Keyward code (above)'; exit 1; fi
	$(KEYWARD) check scripts/
	$(KEYWARD) test scripts/
	$(KEYWARD) config check --examples
	$(SWIFT) test --skip-build

bench:
	$(SWIFT) build -c release --product keyward
	$(SWIFT) run -c release --package-path Benchmarks keyward-bench --keyward .build/release/keyward

clean:
	rm -rf .build Benchmarks/.build .build-warnings.log
