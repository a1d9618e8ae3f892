# The two commands of the README: `make run` and `make test`.
.PHONY: run test setup i18n

run:
	scripts/run.sh

test:
	scripts/test.sh

setup:
	scripts/setup.sh

# Refresh the message catalogues after changing a string a person reads.
i18n:
	.venv/bin/python scripts/i18n.py extract
	.venv/bin/python scripts/i18n.py compile
