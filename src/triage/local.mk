# triage: tiers, cues, the intent classifier, the decision, evaluation;
# and the built-in model, made at build time from data/.
src_libdeskpilot_a_SOURCES += \
	src/triage/policy.c src/triage/policy.h \
	src/triage/text.c src/triage/text.h \
	src/triage/cues.c src/triage/cues.h \
	src/triage/lang.c src/triage/lang.h \
	src/triage/tier.c src/triage/tier.h \
	src/triage/classifier.c src/triage/classifier.h \
	src/triage/classifier_internal.h \
	src/triage/features.c src/triage/learn.c \
	src/triage/builtin.c src/triage/builtin.h \
	src/triage/triage.c src/triage/triage.h \
	src/triage/eval.c src/triage/eval.h

# What deskpilot ships compiled in (triage/builtin.h): dp-mkmodel, built
# from the library, makes the built-in training rows and the default model
# from data/, and builtin_data.S includes both files.
noinst_PROGRAMS += src/triage/dp-mkmodel
src_triage_dp_mkmodel_SOURCES = src/triage/mkmodel.c
src_triage_dp_mkmodel_LDADD = src/libdeskpilot.a $(DP_EXT_LIBS)
DP_MKMODEL = src/triage/dp-mkmodel$(EXEEXT)
DP_BUILTIN_ROWS_FILE = src/triage/builtin-rows.csv
DP_BUILTIN_MODEL_FILE = src/triage/builtin.model
MKMODEL_ROW_INPUTS = $(srcdir)/data/clinc150/train.csv \
	$(srcdir)/data/clinc150/domains.csv $(srcdir)/data/deskpilot/sensitive.csv
MKMODEL_MODEL_INPUTS = $(srcdir)/data/bitext/train.csv \
	$(srcdir)/data/deskpilot/shop.csv $(srcdir)/data/deskpilot/other_business.csv
$(DP_BUILTIN_ROWS_FILE): $(DP_MKMODEL) $(MKMODEL_ROW_INPUTS)
	$(AM_V_GEN)$(DP_MKMODEL) builtin $@ $(MKMODEL_ROW_INPUTS)
$(DP_BUILTIN_MODEL_FILE): $(DP_MKMODEL) $(DP_BUILTIN_ROWS_FILE) $(MKMODEL_MODEL_INPUTS)
	$(AM_V_GEN)$(DP_MKMODEL) model $@ $(DP_BUILTIN_ROWS_FILE) $(MKMODEL_MODEL_INPUTS)
src_libdpdata_a_SOURCES += src/triage/builtin_data.S
AM_CCASFLAGS = -DDP_BUILTIN_MODEL='"$(abs_builddir)/$(DP_BUILTIN_MODEL_FILE)"' \
	-DDP_BUILTIN_ROWS='"$(abs_builddir)/$(DP_BUILTIN_ROWS_FILE)"'
src/triage/builtin_data.$(OBJEXT): $(DP_BUILTIN_MODEL_FILE) $(DP_BUILTIN_ROWS_FILE)
CLEANFILES += $(DP_BUILTIN_MODEL_FILE) $(DP_BUILTIN_ROWS_FILE)
