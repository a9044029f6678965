# Thin aliases for tasks.py, which needs nothing but Python 3.11+.
.PHONY: run test bench lint lock
run:
	python3 tasks.py run
test:
	python3 tasks.py test
bench:
	python3 tasks.py bench
lint:
	python3 tasks.py oneplan --version >/dev/null && .venv/bin/ruff check . && .venv/bin/ruff format --check .
lock:
	python3 tasks.py lock
