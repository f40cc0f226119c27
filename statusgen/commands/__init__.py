"""The commands that run the pipeline: build, serve, init."""
