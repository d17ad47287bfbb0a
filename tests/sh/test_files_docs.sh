#!/bin/sh
# test_files_docs.sh: the figure in docs/ is the one rdn makes from its script: its committed
# manifest verifies (rerun, same SHA-256 for the SVG and the copy beside it).
RDN=${RDN:-./rdn}
cd "$(dirname "$0")/../.." || exit 1
"$RDN" verify --quiet docs/figures/classes.run.json > /tmp/rdn-test-docs-$$.txt 2>&1; rc=$?
if [ $rc -ne 0 ]; then
    cat /tmp/rdn-test-docs-$$.txt; rm -f /tmp/rdn-test-docs-$$.txt
    echo "FAIL: docs/figures/classes.svg is not what docs/figures/classes.rdn makes (regenerate:"
    echo "      rdn --threads 1 --out docs/figures docs/figures/classes.rdn)"
    exit 1
fi
rm -f /tmp/rdn-test-docs-$$.txt
echo "test_files_docs: all passed"
