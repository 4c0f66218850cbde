# pipeline
