NPM_DIR := testdata/npm

.PHONY: npm-deps
npm-deps: $(NPM_DIR)/node_modules/.package-lock.json ## install test emulators (kinesis-local) from testdata/npm/package-lock.json

# npm ci is re-run only when the lock file changes, so the target is cheap
# to call from every test run. npm writes node_modules/.package-lock.json on
# every successful install; it is the stamp.
$(NPM_DIR)/node_modules/.package-lock.json: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	npm ci --prefix $(NPM_DIR) --no-audit --no-fund
	@touch $@
