# Two commands for a fresh machine (Python 3.11+, git, make): `make demo` and `make test`.
# uv comes from PyPI into .tools/ when it is not on the PATH; it then installs the locked
# environment into .venv/.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: demo estimate test lint sync

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv>=0.5"

# --compile-bytecode compiles the installed packages; the project itself is installed
# editable, so its own modules are compiled here: where Python writes no bytecode
# (PYTHONDONTWRITEBYTECODE), every command would otherwise compile them at each start.
sync: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --locked --all-extras --compile-bytecode --quiet
	$(UV) run --no-sync python -m compileall -q src

# The main job on the embedded default: the monitoring portal and its open-data API on
# http://127.0.0.1:8000/ (the embedded default warehouse is built on the first start).
demo: sync
	$(UV) run zaragoza serve

# The engine on the bundled synthetic example: every EU-LFS indicator by citizenship and
# sex, with the gap to nationals and linearised standard errors.
estimate: sync
	$(UV) run zaragoza estimate --by citizen,sex --gap citizen=NAT --strata STRATUM --psu PSU --out estimates.csv

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

test: lint
	$(UV) run pytest
