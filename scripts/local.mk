# scripts: the README's quick-start commands, what they share, and the
# tree's guardrails (check-tree: formatting, banned functions, module
# order), which make check runs too.
EXTRA_DIST += README.md .ci/run .clang-format scripts/dev scripts/nginx-conf.sh
TESTS += scripts/check-tree
dist_noinst_SCRIPTS += scripts/check-tree
