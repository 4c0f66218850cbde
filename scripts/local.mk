# scripts: the README's quick-start commands, and what they share.
EXTRA_DIST += README.md .ci/run scripts/dev scripts/nginx-conf.sh
