# man: the manual pages (tests/unit/check_manual keeps them in sync)
dist_man_MANS = man/deskpilot.8 man/deskpilot.conf.5
