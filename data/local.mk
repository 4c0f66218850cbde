# data: the labelled corpora, each with its licence and README (see the
# README's "Data and licences"). Training, the tests and the demo read them
# from the source tree, so they travel in the tarball.
EXTRA_DIST += \
	data/bitext/LICENSE.txt data/bitext/README.md data/bitext/train.csv \
	data/clinc150/LICENSE data/clinc150/README.md \
	data/clinc150/train.csv data/clinc150/val.csv data/clinc150/domains.csv \
	data/deskpilot/README.md data/deskpilot/shop.csv data/deskpilot/sensitive.csv \
	data/deskpilot/other_business.csv
